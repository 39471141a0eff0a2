"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012): a Keras builder and the raw-TF1 graph.

Layout (paper widths; ``groups=2`` reproduces the two GPU towers)::

    conv1 11x11/4, 96   -> LRN -> max-pool 3x3/2      conv2 5x5, 256 (grouped) -> LRN -> max-pool 3x3/2
    conv3 3x3, 384      conv4 3x3, 384 (grouped)      conv5 3x3, 256 (grouped) -> max-pool 3x3/2
    fc6 4096 -> dropout   fc7 4096 -> dropout   fc8 num_classes (layer ``predictions``) -> softmax

conv1 uses "same" padding (as TensorFlow's old TF1 AlexNet benchmark does), so a 224x224 image gives the
paper's 6x6x256 before fc6 (the paper's arithmetic really needs 227x227 with "valid" padding; the
parameter counts are the same either way). :func:`alexnet` and :func:`alexnet_tf1` build the same
function, with the same variable names, so weights move from one to the other by name.
"""
import math

import keras
import tensorflow as tf

from utils.layers import (LocalResponseNormalization, check_builder_args, check_input_shape,
                          check_num_classes, classifier, fully_connected_head, scaled)

CONV_WIDTHS = (96, 256, 384, 384, 256)   # conv1..conv5 output channels in the paper
CONV_KERNELS = (11, 5, 3, 3, 3)
GROUPED = (False, True, False, True, True)  # conv3 is where the two GPUs exchange all channels
FC_UNITS = 4096
LRN = dict(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)  # the paper's n=5, k=2, alpha, beta
MIN_SIZE = 57  # 57 -> conv1 15 -> pool1 7 -> pool2 3 -> pool5 1
SIZE_CHECK = dict(model="AlexNet", why="conv1 has stride 4 and three 3x3/2 max-pools follow",
                  fix="resize the images, e.g. load_fashion_mnist(image_size=(64, 64))")


def widths(width=1.0, groups=1):
    """Channel counts of conv1..conv5 and the fc units for a width factor, divisible by ``groups``."""
    if groups not in (1, 2):
        raise ValueError(f"groups={groups!r}: use 1 (a single tower) or 2 (the paper's two GPUs)")
    return tuple(scaled(c, width, groups) for c in CONV_WIDTHS), scaled(FC_UNITS, width, groups)


def alexnet(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
            name="alexnet", width=1.0, groups=1, lrn=True, dropout=0.5):
    """Build AlexNet as a Keras functional model; the classifier (the paper's fc8) is ``predictions``.

    width: scales every conv and fc layer; groups=2 splits conv2, conv4 and conv5 into two
    towers (``keras.layers.Conv2D(groups=2)``); lrn/dropout switch those 2012 ideas on or off.
    """
    check_builder_args(input_shape, num_classes, classifier_activation, MIN_SIZE, **SIZE_CHECK)
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: must be a rate in [0, 1), e.g. the paper's dropout=0.5")
    convs, fc_units = widths(width, groups)
    inputs = keras.Input(input_shape, name="input")
    x = inputs
    for i, (filters, kernel, grouped) in enumerate(zip(convs, CONV_KERNELS, GROUPED), start=1):
        x = keras.layers.Conv2D(filters, kernel, strides=4 if i == 1 else 1, padding="same",
                                groups=groups if grouped else 1, activation="relu",
                                name=f"conv{i}")(x)
        if lrn and i in (1, 2):
            x = LocalResponseNormalization(**LRN, name=f"lrn{i}")(x)
        if i in (1, 2, 5):  # overlapping pooling: 3x3 windows, stride 2
            x = keras.layers.MaxPooling2D(3, strides=2, name=f"pool{i}")(x)
    x = fully_connected_head(x, fc_units, dropout, numbers=(6, 7))
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def alexnet_tf1(images, num_classes=1000, width=1.0, groups=1, lrn=True, stddev=None):
    """The same AlexNet as a raw TF1 graph (the style of TensorFlow's 2016-17 AlexNet benchmark script), for use inside ``tf.Graph()``.

    Returns ``(logits, parameters)``: ``parameters`` maps ``"conv1/kernel"``-style names (the
    Keras layer and weight names: ``conv1``..``conv5``, ``fc6``, ``fc7``, and ``predictions`` for the
    paper's fc8) to the ``tf.Variable`` objects, in layer order. Fixes to that
    script: every bias variable is in ``parameters``, no ReLU on the logits and no extra 10-way
    softmax layer after them, the fc layers are included in the gradient, and weights start
    at He scale, stddev sqrt(2 / fan_in), unless ``stddev`` is given: the script's fixed 0.1
    makes the activations blow up through eight layers, a fixed 0.01 makes them vanish.
    Grouped convolution needs nothing special: ``tf.nn.conv2d`` with a kernel of input depth
    ``channels / groups`` convolves each group separately.
    """
    check_input_shape(tuple(images.shape[1:]), MIN_SIZE, **SIZE_CHECK)
    check_num_classes(num_classes)
    convs, fc_units = widths(width, groups)
    parameters = {}

    def variable(name, shape, is_kernel=True):
        if is_kernel:  # fan_in = all dimensions but the last (output channels/units)
            scale = stddev or math.sqrt(2.0 / math.prod(shape[:-1]))
            initial = tf.random.truncated_normal(shape, stddev=scale)
        else:
            initial = tf.zeros(shape)
        parameters[name] = tf.Variable(initial, name=name.split("/")[-1])
        return parameters[name]

    x, in_channels = images, images.shape[-1]
    for i, (filters, kernel, grouped) in enumerate(zip(convs, CONV_KERNELS, GROUPED), start=1):
        with tf.compat.v1.name_scope(f"conv{i}"):
            depth = in_channels // groups if grouped else in_channels
            w = variable(f"conv{i}/kernel", [kernel, kernel, depth, filters])
            b = variable(f"conv{i}/bias", [filters], is_kernel=False)
            stride = 4 if i == 1 else 1
            x = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, stride, "SAME"), b))
        if lrn and i in (1, 2):
            x = tf.nn.local_response_normalization(x, **LRN, name=f"lrn{i}")
        if i in (1, 2, 5):
            x = tf.nn.max_pool2d(x, 3, 2, "VALID", name=f"pool{i}")
        in_channels = filters
    x = tf.reshape(x, [-1, math.prod(x.shape[1:])])  # static shape: x.shape, not tf.get_shape
    for scope, units in (("fc6", fc_units), ("fc7", fc_units), ("predictions", num_classes)):
        with tf.compat.v1.name_scope(scope):
            w = variable(f"{scope}/kernel", [x.shape[-1], units])
            b = variable(f"{scope}/bias", [units], is_kernel=False)
            x = tf.nn.bias_add(tf.matmul(x, w), b)
            if scope != "predictions":  # no ReLU on the logits
                x = tf.nn.relu(x)
    return x, parameters

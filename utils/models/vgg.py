"""VGG (Simonyan & Zisserman, 2014): stacks of 3x3 convolutions, a Keras builder and a TF1 graph.

Every configuration is five blocks of 3x3 "same" convolutions with ReLU, each block followed by a
2x2/2 max-pool, then fc 4096 -> fc 4096 -> num_classes. The configurations of the paper's Table 1
differ only in how many convolutions each block has (A = VGG11, B = VGG13, D = VGG16, E = VGG19).
Layer names follow ``keras.applications.VGG16`` (``block1_conv1``, ..., ``fc1``, ``fc2``,
``predictions``), so weights can be copied between the two by name.
"""
import math

import keras
import tensorflow as tf

from utils.layers import (check_builder_args, check_input_shape, check_num_classes, classifier,
                          conv_bn_relu, fully_connected_head, scaled)

BLOCK_FILTERS = (64, 128, 256, 512, 512)
CONFIGS = {  # convolutions per block
    "vgg11": (1, 1, 2, 2, 2),
    "vgg13": (2, 2, 2, 2, 2),
    "vgg16": (2, 2, 3, 3, 3),
    "vgg19": (2, 2, 4, 4, 4),
}
FC_UNITS = 4096
MIN_SIZE = 32  # five 2x2/2 max-pools: 32 -> 16 -> 8 -> 4 -> 2 -> 1
SIZE_CHECK = dict(model="VGG", why="five 2x2 max-pools halve it five times",
                  fix="pad or resize the images, e.g. load_fashion_mnist(pad=2) for 32x32")


def widths(config="vgg16", width=1.0):
    """Per-block (convolutions, filters) and the fc units for a configuration name and width."""
    if config not in CONFIGS:
        raise ValueError(f"config={config!r}: unknown VGG configuration; use one of {sorted(CONFIGS)}")
    blocks = [(n, scaled(f, width)) for n, f in zip(CONFIGS[config], BLOCK_FILTERS)]
    return blocks, scaled(FC_UNITS, width)


def vgg(config="vgg16", input_shape=(224, 224, 3), num_classes=1000, *,
        classifier_activation="softmax", name=None, width=1.0, batch_norm=False, dropout=0.5):
    """Build a VGG network as a Keras functional model (named after ``config`` unless ``name``).

    config: "vgg11", "vgg13", "vgg16" or "vgg19" (first: it is the architecture; :func:`vgg16` and
    its siblings are the fixed-config builders). width scales every layer. batch_norm=True uses
    :func:`utils.layers.conv_bn_relu` blocks (a 2015 addition that lets deep VGGs train from
    scratch without the paper's staged initialisation). dropout follows fc1 and fc2 as in the paper.
    """
    blocks, fc_units = widths(config, width)
    check_builder_args(input_shape, num_classes, classifier_activation, MIN_SIZE, **SIZE_CHECK)
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: must be a rate in [0, 1), e.g. the paper's dropout=0.5")
    inputs = keras.Input(input_shape, name="input")
    x = inputs
    for b, (convs, filters) in enumerate(blocks, start=1):
        for c in range(1, convs + 1):
            layer_name = f"block{b}_conv{c}"
            if batch_norm:
                x = conv_bn_relu(x, filters, 3, name=layer_name)
            else:
                x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu",
                                        name=layer_name)(x)
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{b}_pool")(x)
    x = fully_connected_head(x, fc_units, dropout, numbers=(1, 2))
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name or config)


def vgg11(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax", name="vgg11",
          **options):
    """VGG11, configuration A of the paper\'s table 1: ``vgg("vgg11", ...)``; options width, batch_norm,
    dropout as there."""
    return vgg("vgg11", input_shape, num_classes, classifier_activation=classifier_activation, name=name,
               **options)


def vgg13(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax", name="vgg13",
          **options):
    """VGG13, configuration B of the paper\'s table 1: ``vgg("vgg13", ...)``; options width, batch_norm,
    dropout as there."""
    return vgg("vgg13", input_shape, num_classes, classifier_activation=classifier_activation, name=name,
               **options)


def vgg16(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax", name="vgg16",
          **options):
    """VGG16, configuration D of the paper\'s table 1: ``vgg("vgg16", ...)``; options width, batch_norm,
    dropout as there."""
    return vgg("vgg16", input_shape, num_classes, classifier_activation=classifier_activation, name=name,
               **options)


def vgg19(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax", name="vgg19",
          **options):
    """VGG19, configuration E of the paper\'s table 1: ``vgg("vgg19", ...)``; options width, batch_norm,
    dropout as there."""
    return vgg("vgg19", input_shape, num_classes, classifier_activation=classifier_activation, name=name,
               **options)


def vgg16_tf1(images, num_classes=1000, width=1.0, reuse=None):
    """A 2017 TF1 tutorial's raw-graph VGG16, built with ``variable_scope``/``get_variable``, its bugs fixed.

    Use inside ``tf.Graph().as_default()``. Variables are named ``vgg16/conv1_1/weight``,
    ``conv1_1/bias``, ..., ``fc8/bias``. Returns the logits. Fixes to the tutorial: the blocks are
    wired in a loop, so no layer can be fed from the wrong one (the tutorial fed ``conv2_1`` from an
    undefined ``pool1`` after naming it ``pool_1``, and ``conv5_3`` from ``conv5_1``, skipping
    ``conv5_2``); the static shape is ``x.shape`` (``tf.get_shape`` does not exist);
    ``tf.nn.bias_add`` (not ``tf.bias_add``); no ReLU on the logits; weights start at He scale.
    ``reuse=True`` (or ``tf.compat.v1.AUTO_REUSE``) builds a second copy sharing the variables.
    """
    blocks, fc_units = widths("vgg16", width)
    check_input_shape(tuple(images.shape[1:]), MIN_SIZE, **SIZE_CHECK)
    check_num_classes(num_classes)

    def weight(shape):
        stddev = math.sqrt(2.0 / math.prod(shape[:-1]))  # He: keeps the activation scale per layer
        return tf.compat.v1.get_variable(
            "weight", shape, initializer=tf.compat.v1.truncated_normal_initializer(stddev=stddev))

    def bias(shape):
        return tf.compat.v1.get_variable("bias", shape, initializer=tf.compat.v1.zeros_initializer())

    x = images
    with tf.compat.v1.variable_scope("vgg16", reuse=reuse):
        for b, (convs, filters) in enumerate(blocks, start=1):
            for c in range(1, convs + 1):
                with tf.compat.v1.variable_scope(f"conv{b}_{c}"):
                    w = weight([3, 3, x.shape[-1], filters])
                    x = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), bias([filters])))
            x = tf.nn.max_pool2d(x, 2, 2, "VALID", name=f"pool{b}")
        x = tf.reshape(x, [-1, math.prod(x.shape[1:])])
        for i, units in ((6, fc_units), (7, fc_units), (8, num_classes)):
            with tf.compat.v1.variable_scope(f"fc{i}"):
                x = tf.nn.bias_add(tf.matmul(x, weight([x.shape[-1], units])), bias([units]))
                if i < 8:
                    x = tf.nn.relu(x)
    return x

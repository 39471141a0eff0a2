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

from utils.layers import conv_bn_relu

BLOCK_FILTERS = (64, 128, 256, 512, 512)
CONFIGS = {  # convolutions per block
    "vgg11": (1, 1, 2, 2, 2),
    "vgg13": (2, 2, 2, 2, 2),
    "vgg16": (2, 2, 3, 3, 3),
    "vgg19": (2, 2, 4, 4, 4),
}
FC_UNITS = 4096
MIN_SIZE = 32  # five 2x2/2 max-pools: 32 -> 16 -> 8 -> 4 -> 2 -> 1


def vgg_widths(config="vgg16", width=1.0):
    """Per-block (convolutions, filters) and the fc units for a configuration name and width."""
    if config not in CONFIGS:
        raise ValueError(f"Unknown VGG configuration {config!r}; use one of {sorted(CONFIGS)}.")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}.")
    blocks = [(n, max(1, int(round(f * width)))) for n, f in zip(CONFIGS[config], BLOCK_FILTERS)]
    return blocks, max(1, int(round(FC_UNITS * width)))


def check_input(input_shape):
    height, width_px = input_shape[:2]
    if min(height, width_px) < MIN_SIZE:
        raise ValueError(f"VGG needs inputs of at least {MIN_SIZE}x{MIN_SIZE} pixels (five 2x2 "
                         f"max-pools halve it five times), got {height}x{width_px}: pad or resize "
                         f"the images, e.g. load_fashion_mnist(pad=2) for 32x32.")


def vgg(config="vgg16", input_shape=(224, 224, 3), num_classes=1000, width=1.0, batch_norm=False,
        dropout=0.5):
    """Build a VGG network as a Keras functional model with softmax output.

    config: "vgg11", "vgg13", "vgg16" or "vgg19". width scales every layer. batch_norm=True uses
    :func:`utils.layers.conv_bn_relu` blocks (a 2015 addition that lets deep VGGs train from
    scratch without the paper's staged initialisation). dropout follows fc1 and fc2 as in the paper.
    """
    blocks, fc_units = vgg_widths(config, width)
    check_input(input_shape)
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for b, (convs, filters) in enumerate(blocks, start=1):
        for c in range(1, convs + 1):
            name = f"block{b}_conv{c}"
            if batch_norm:
                x = conv_bn_relu(x, filters, 3, name=name)
            else:
                x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=name)(x)
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{b}_pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    for i in (1, 2):
        x = keras.layers.Dense(fc_units, activation="relu", name=f"fc{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=config)


def vgg16_tf1(images, num_classes=1000, width=1.0, reuse=None):
    """Seed 004's raw-TF1 VGG16, built with ``variable_scope``/``get_variable``, its bugs fixed.

    Use inside ``tf.Graph().as_default()``. Variables are named ``vgg16/conv1_1/weight``,
    ``conv1_1/bias``, ..., ``fc8/bias``. Returns the logits. Fixes to the seed: the blocks are
    wired in a loop, so no layer can be fed from the wrong one (the seed fed ``conv2_1`` from an
    undefined ``pool1`` after naming it ``pool_1``, and ``conv5_3`` from ``conv5_1``, skipping
    ``conv5_2``); the static shape is ``x.shape`` (``tf.get_shape`` does not exist);
    ``tf.nn.bias_add`` (not ``tf.bias_add``); no ReLU on the logits; weights start at He scale.
    ``reuse=True`` (or ``tf.compat.v1.AUTO_REUSE``) builds a second copy sharing the variables.
    """
    blocks, fc_units = vgg_widths("vgg16", width)
    check_input(images.shape[1:])

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

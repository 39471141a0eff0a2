"""DenseNet (Huang, Liu, van der Maaten & Weinberger, "Densely Connected Convolutional Networks", CVPR 2017).

Inside a dense block every layer receives the concatenation of ALL earlier feature maps of the
block and adds ``growth_rate`` new channels to it:

    x_l = concat([x_0, H_1(x_0), H_2(x_0, x_1), ..., H_l(x_0, ..., x_{l-1})])

``H`` is the "BC" composite function: BN-ReLU-Conv1x1 (bottleneck, ``4 * growth_rate`` channels)
then BN-ReLU-Conv3x3 (``growth_rate`` channels). Between blocks a transition layer
(BN-ReLU-Conv1x1-AvgPool2x2) halves the resolution and multiplies the channels by the
compression factor (0.5 in DenseNet-BC).

The ImageNet builders reproduce ``keras.applications.DenseNet121/169/201(weights=None)`` layer
for layer (same parameter counts, BN epsilon ``utils.layers.BN_EPSILON`` = 1.001e-5);
:func:`small_densenet_bc` is the course's Fashion-MNIST-sized DenseNet-BC.
"""
import numbers

import keras
from keras import layers

from utils.checks import whole_number
from utils.layers import SHORT_RUN_MOMENTUM, bn_relu, check_builder_args, classifier

# Layers per dense block of the ImageNet models (Table 1 of the paper).
BLOCKS = {
    121: (6, 12, 24, 16),
    169: (6, 12, 32, 32),
    201: (6, 12, 48, 32),
}


def check_growth_rate(growth_rate):
    return whole_number("growth_rate", growth_rate, example=32)


def check_compression(compression):
    if (isinstance(compression, bool) or not isinstance(compression, numbers.Real)
            or not 0 < compression <= 1):
        raise ValueError(f"compression={compression!r}: must be in (0, 1], the fraction of channels a "
                         f"transition keeps; DenseNet-BC uses compression=0.5, plain DenseNet 1")
    return float(compression)


def check_blocks(blocks, example):
    if isinstance(blocks, numbers.Integral) or len(blocks) < 1 or any(
            not isinstance(b, numbers.Integral) or isinstance(b, bool) or b < 1 for b in blocks):
        raise ValueError(f"blocks={blocks!r}: must be positive layer counts per dense block, "
                         f"e.g. blocks={example}")
    return tuple(int(b) for b in blocks)


def min_input_size(stem, num_blocks):
    """The smallest input side for which ``stem(side)`` (the side after the stem) leaves every one of
    the ``num_blocks - 1`` transitions' 2x2/2 pools at least a 2x2 input."""
    def fits(side):
        side = stem(side)
        for _ in range(num_blocks - 1):
            if side < 2:
                return False
            side //= 2
        return side >= 1
    return next(side for side in range(1, 2 ** 16) if fits(side))


def dense_layer(x, growth_rate, name, bottleneck=True, momentum=0.99):
    """One layer of a dense block: compute ``growth_rate`` new channels and concatenate them to x.

    With ``bottleneck`` (the "B" of DenseNet-BC) a 1x1 convolution to ``4 * growth_rate``
    channels comes first, so the 3x3 convolution never sees the whole, ever wider input.
    BN-ReLU-Conv (pre-activation) is :func:`utils.layers.bn_relu` then the convolution.
    """
    check_growth_rate(growth_rate)
    y = x
    if bottleneck:
        y = bn_relu(y, name=f"{name}_0", momentum=momentum)
        y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = bn_relu(y, name=f"{name}_1", momentum=momentum)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    # Concatenation, not addition: earlier features are kept as they are and reused by later layers.
    return layers.Concatenate(name=f"{name}_concat")([x, y])


def dense_block(x, num_layers, growth_rate, name, bottleneck=True, momentum=0.99):
    """``num_layers`` dense layers; the output has ``in_channels + num_layers * growth_rate`` channels."""
    whole_number("num_layers", num_layers, example=6)
    for i in range(num_layers):
        x = dense_layer(x, growth_rate, name=f"{name}_block{i + 1}", bottleneck=bottleneck,
                        momentum=momentum)
    return x


def transition_layer(x, compression, name, momentum=0.99):
    """BN-ReLU-Conv1x1 to ``floor(channels * compression)`` channels, then 2x2 average pooling."""
    channels = int(x.shape[-1] * check_compression(compression))
    x = bn_relu(x, name=name, momentum=momentum)
    x = layers.Conv2D(channels, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet(blocks, input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
             name="densenet", growth_rate=32, compression=0.5):
    """An ImageNet DenseNet-BC: 7x7/2 stem, 3x3/2 max pool, dense blocks and transitions, GAP, classifier.

    blocks: layers per dense block, e.g. ``(6, 12, 24, 16)`` for DenseNet-121 (first: it is the
    architecture; :func:`densenet121` and its siblings fill it in).
    """
    blocks = check_blocks(blocks, "(6, 12, 24, 16)")
    # 7x7/2 conv (padded 3), then 3x3/2 max pool (padded 1)
    min_size = min_input_size(lambda side: ((side - 1) // 2) // 2 + 1, len(blocks))
    check_builder_args(input_shape, num_classes, classifier_activation, min_size, model="DenseNet",
                       why="the stem divides it by 4, each transition by 2",
                       fix="resize the images or use small_densenet_bc for 28x28")
    check_growth_rate(growth_rate)
    check_compression(compression)
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.ZeroPadding2D(3, name="zero_padding")(inputs)
    x = layers.Conv2D(2 * growth_rate, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = bn_relu(x, name="conv1")
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, num_layers in enumerate(blocks):
        x = dense_block(x, num_layers, growth_rate, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_layer(x, compression, name=f"pool{i + 2}")
    x = bn_relu(x, name="final")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def densenet121(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                name="densenet121"):
    """DenseNet-121: 8,062,504 parameters at 1000 classes (as keras.applications.DenseNet121)."""
    return densenet(BLOCKS[121], input_shape, num_classes, classifier_activation=classifier_activation,
                    name=name)


def densenet169(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                name="densenet169"):
    """DenseNet-169: 14,307,880 parameters at 1000 classes (as keras.applications.DenseNet169)."""
    return densenet(BLOCKS[169], input_shape, num_classes, classifier_activation=classifier_activation,
                    name=name)


def densenet201(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                name="densenet201"):
    """DenseNet-201: 20,242,984 parameters at 1000 classes (as keras.applications.DenseNet201)."""
    return densenet(BLOCKS[201], input_shape, num_classes, classifier_activation=classifier_activation,
                    name=name)


def small_densenet_bc(input_shape=(28, 28, 1), num_classes=10, *, classifier_activation="softmax",
                      name="small_densenet_bc", blocks=(3, 3, 3), growth_rate=12, compression=0.5,
                      stem_strides=2, momentum=SHORT_RUN_MOMENTUM):
    """A DenseNet-BC for small images (the paper's CIFAR design, shrunk to train in seconds on a CPU).

    Stem: one 3x3 convolution with ``2 * growth_rate`` channels and stride ``stem_strides``
    (2: the blocks work at 14x14, 7x7, 3x3, four times cheaper than at 28x28), then dense blocks
    with transition layers in between, BN-ReLU, global average pooling, the classifier.
    BN momentum 0.9 (Keras' default is 0.99): a run of a few hundred steps needs moving statistics
    that catch up quickly, otherwise test-time BN uses stale statistics and accuracy collapses.
    """
    blocks = check_blocks(blocks, "(3, 3, 3)")
    whole_number("stem_strides", stem_strides, example=2)
    min_size = min_input_size(lambda side: -(-side // stem_strides), len(blocks))  # "same" stem
    check_builder_args(input_shape, num_classes, classifier_activation, min_size,
                       model="small_densenet_bc", why="the stem's stride, then a 2x2/2 pool per transition",
                       fix="use fewer blocks or stem_strides=1")
    check_growth_rate(growth_rate)
    check_compression(compression)
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(2 * growth_rate, 3, strides=stem_strides, padding="same", use_bias=False,
                      name="stem_conv")(inputs)
    for i, num_layers in enumerate(blocks):
        x = dense_block(x, num_layers, growth_rate, name=f"dense{i + 1}", momentum=momentum)
        if i < len(blocks) - 1:
            x = transition_layer(x, compression, name=f"transition{i + 1}", momentum=momentum)
    x = bn_relu(x, name="final", momentum=momentum)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def dense_block_channels(in_channels, num_layers, growth_rate):
    """Channels after a dense block: each layer adds ``growth_rate`` (the paper's k_0 + l * k)."""
    return in_channels + num_layers * growth_rate

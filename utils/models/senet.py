"""Squeeze-and-Excitation networks (Hu, Shen & Sun, "Squeeze-and-Excitation Networks", CVPR 2018;
arXiv:1709.01507, 2017; winner of ILSVRC 2017 classification).

An SE block recalibrates the channels of a feature map ``U`` (H x W x C):

* squeeze: global average pooling, one number per channel, ``z = mean_{h,w} U``;
* excitation: ``s = sigmoid(W2 relu(W1 z))`` with W1: C -> C/r and W2: C/r -> C (reduction ratio r);
* scale: ``U * s``, each channel multiplied by its weight in (0, 1).

:func:`se_wrap` puts an SE block on any block: after an Inception-style module, or on the residual
branch of a residual block before the addition (where the paper puts it). This module has its own
ResNet bottleneck so that it does not depend on ``utils.models.resnet``; with ``ratio=None``
:func:`se_resnet50` is the plain ResNet-50.
"""
import keras
from keras import layers

BN_EPSILON = 1.001e-5
RESNET50_STAGES = ((64, 3), (128, 4), (256, 6), (512, 3))  # (bottleneck width, blocks) per stage


def squeeze_excite(x, ratio=16, name="se"):
    """The SE block on feature maps ``x``: squeeze (GAP), excite (two FC layers), scale channels.

    The excitation weights are the output of the layer ``f"{name}_excite"`` (shape (batch, C)),
    so a chapter can read them with a sub-model.
    """
    channels = x.shape[-1]
    if ratio is None or ratio < 1 or ratio > channels:
        raise ValueError(f"reduction ratio must be between 1 and the channel count {channels}, got {ratio}")
    s = layers.GlobalAveragePooling2D(name=f"{name}_squeeze")(x)
    s = layers.Dense(max(1, channels // ratio), activation="relu", name=f"{name}_reduce")(s)
    s = layers.Dense(channels, activation="sigmoid", name=f"{name}_excite")(s)
    s = layers.Reshape((1, 1, channels), name=f"{name}_reshape")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


def se_wrap(block, ratio=16, shortcut=None, name="se"):
    """Wrap any block function ``block(x) -> y`` with an SE block; returns the new block function.

    shortcut=None: an Inception-style module, the SE block recalibrates the module's output,
        ``SE(block(x))``.
    shortcut="identity" or a function ``shortcut(x)``: ``block`` is the residual branch of a
        residual block, ``relu(shortcut(x) + SE(block(x)))`` (SE before the addition, Fig. 3 of
        the paper, so the identity path stays untouched).
    ratio=None gives the same block without SE (for side-by-side comparisons).
    """
    def wrapped(x):
        y = block(x)
        if ratio is not None:
            y = squeeze_excite(y, ratio, name=name)
        if shortcut is None:
            return y
        s = x if shortcut == "identity" else shortcut(x)
        y = layers.Add(name=f"{name}_add")([s, y])
        return layers.Activation("relu", name=f"{name}_out")(y)
    return wrapped


def conv_bn(x, filters, kernel_size, strides=1, name="conv", relu=True, momentum=0.99):
    """Conv (no bias: the BN after it has its own shift) - BN - optional ReLU."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False,
                      name=f"{name}_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, momentum=momentum, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def bottleneck_branch(filters, strides=1, name="block", momentum=0.99):
    """ResNet's bottleneck residual branch: 1x1 (filters, stride) - 3x3 - 1x1 (4 * filters)."""
    def branch(x):
        x = conv_bn(x, filters, 1, strides, name=f"{name}_1", momentum=momentum)
        x = conv_bn(x, filters, 3, name=f"{name}_2", momentum=momentum)
        return conv_bn(x, 4 * filters, 1, name=f"{name}_3", relu=False, momentum=momentum)
    return branch


def basic_branch(filters, strides=1, name="block", momentum=0.99):
    """ResNet's basic residual branch (ResNet-18/34): 3x3 (stride) - 3x3."""
    def branch(x):
        x = conv_bn(x, filters, 3, strides, name=f"{name}_1", momentum=momentum)
        return conv_bn(x, filters, 3, name=f"{name}_2", relu=False, momentum=momentum)
    return branch


def projection(filters, strides=1, name="block", momentum=0.99):
    """The 1x1 projection shortcut used when the resolution or the channel count changes."""
    def shortcut(x):
        return conv_bn(x, filters, 1, strides, name=f"{name}_0", relu=False, momentum=momentum)
    return shortcut


def residual_stage(x, filters, blocks, strides, ratio, name, bottleneck=True, momentum=0.99):
    """``blocks`` (SE-)residual blocks; the first one changes resolution/width with a projection."""
    out_channels = 4 * filters if bottleneck else filters
    make_branch = bottleneck_branch if bottleneck else basic_branch
    for i in range(blocks):
        block_name = f"{name}_block{i + 1}"
        first = i == 0
        needs_projection = first and (strides != 1 or x.shape[-1] != out_channels)
        shortcut = (projection(out_channels, strides, block_name, momentum) if needs_projection
                    else "identity")
        branch = make_branch(filters, strides if first else 1, block_name, momentum)
        x = se_wrap(branch, ratio, shortcut, name=f"{block_name}_se" if ratio else block_name)(x)
    return x


def se_resnet50(input_shape=(224, 224, 3), classes=1000, ratio=16, name=None):
    """SE-ResNet-50 (ratio=16 as in the paper); ``ratio=None`` builds the plain ResNet-50.

    Convolutions have no bias (each is followed by BN). Trainable parameters at 1000 classes:
    25,557,032 for ResNet-50, 28,088,024 with SE; ``count_params()`` also counts the BN moving
    mean and variance (2 x 26,560 more, not learned by gradient descent).
    """
    name = name or ("se_resnet50" if ratio else "resnet50")
    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, 64, 7, strides=2, name="conv1")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for i, (filters, blocks) in enumerate(RESNET50_STAGES):
        x = residual_stage(x, filters, blocks, strides=1 if i == 0 else 2, ratio=ratio,
                           name=f"conv{i + 2}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def small_se_resnet(input_shape=(28, 28, 1), classes=10, widths=(16, 32, 64), blocks=1, ratio=4,
                    stem_strides=2, momentum=0.9, name=None):
    """A small (SE-)ResNet for Fashion-MNIST: 3x3 stem (stride ``stem_strides``), one stage of
    basic blocks per width (stride 2 from the second stage), GAP, softmax.
    ``ratio=None``: the same net without SE. BN momentum 0.9 so that short runs have usable
    moving statistics at test time."""
    name = name or ("small_se_resnet" if ratio else "small_resnet")
    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, widths[0], 3, strides=stem_strides, name="stem", momentum=momentum)
    for i, width in enumerate(widths):
        x = residual_stage(x, width, blocks, strides=1 if i == 0 else 2, ratio=ratio,
                           name=f"stage{i + 1}", bottleneck=False, momentum=momentum)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def se_parameters(channels, ratio=16):
    """Learned parameters of one SE block on ``channels`` channels: two FC layers with biases,
    ``C * C/r + C/r`` + ``C/r * C + C``."""
    hidden = max(1, channels // ratio)
    return channels * hidden + hidden + hidden * channels + channels


def trainable_parameters(model):
    """Parameters learned by gradient descent (excludes BN moving mean/variance)."""
    return int(sum(w.numpy().size for w in model.trainable_weights))

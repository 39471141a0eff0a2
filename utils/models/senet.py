"""Squeeze-and-Excitation networks (Hu, Shen & Sun, "Squeeze-and-Excitation Networks", CVPR 2018;
arXiv:1709.01507, 2017; winner of ILSVRC 2017 classification).

An SE block recalibrates the channels of a feature map ``U`` (H x W x C):

* squeeze: global average pooling, one number per channel, ``z = mean_{h,w} U``;
* excitation: ``s = sigmoid(W2 relu(W1 z))`` with W1: C -> C/r and W2: C/r -> C (reduction ratio r);
* scale: ``U * s``, each channel multiplied by its weight in (0, 1).

:func:`se_wrap` puts an SE block on any block: after an Inception-style module, or on the residual
branch of a residual block before the addition (where the paper puts it). The SE-ResNets are built
from ``utils.models.resnet``'s own units (their ``excite`` hook): :func:`se_resnet50` is
``resnet50`` plus 16 SE blocks, and with ``ratio=None`` it *is* ``resnet50``.
"""
import functools
import numbers

from keras import layers

from utils.layers import check_builder_args
from utils.models import resnet


def check_ratio(ratio, channels):
    """The reduction ratio r: a whole number in [1, channels] that divides the channel count, so that
    the hidden layer has exactly C / r units (the paper's 16 divides 256 ... 2048)."""
    if (isinstance(ratio, bool) or not isinstance(ratio, numbers.Integral) or not 1 <= ratio <= channels
            or channels % ratio):
        raise ValueError(f"ratio={ratio!r}: the SE reduction ratio must be a whole number between 1 and "
                         f"the {channels} channels that divides them, e.g. ratio=16 (the paper's) or 4; "
                         f"ratio=None builds the block without SE")
    return int(ratio)


def squeeze_excite(x, ratio=16, name="se"):
    """The SE block on feature maps ``x``: squeeze (GAP), excite (two FC layers), scale channels.

    The excitation weights are the output of the layer ``f"{name}_excite"`` (shape (batch, C)),
    so a chapter can read them with a sub-model.
    """
    channels = x.shape[-1]
    ratio = check_ratio(ratio, channels)
    s = layers.GlobalAveragePooling2D(name=f"{name}_squeeze")(x)
    s = layers.Dense(channels // ratio, activation="relu", name=f"{name}_reduce")(s)
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
    if not (shortcut is None or shortcut == "identity" or callable(shortcut)):
        raise ValueError(f"shortcut={shortcut!r}: use None (no residual), 'identity' or a function "
                         f"shortcut(x) such as a 1x1 projection")

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


def se_unit(unit_fn, ratio):
    """``unit_fn`` (a ResNet unit of utils.models.resnet) with an SE block on its residual branch
    before the addition (layers ``{unit}_se_squeeze`` ... ``{unit}_se_scale``); the unit itself when
    ratio is None."""
    if ratio is None:
        return unit_fn
    return functools.partial(unit_fn, excite=functools.partial(squeeze_excite, ratio=ratio))


def se_resnet50(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                name=None, ratio=16):
    """SE-ResNet-50 (ratio=16 as in the paper): ``resnet.resnet50``'s units plus one SE block each.

    ``ratio=None`` builds the plain ResNet-50 (named ``resnet50``). Parameters at 1000 classes:
    25,636,712 for ResNet-50 (keras.applications' count: conv biases and BN moving statistics
    included), 28,167,704 with SE (+2,530,992: 16 SE blocks).
    """
    blocks = resnet.resnet50_blocks(se_unit(resnet.bottleneck_v1, ratio))
    return resnet.resnet(blocks, input_shape, num_classes, classifier_activation=classifier_activation,
                         name=name or ("se_resnet50" if ratio else "resnet50"))


def small_se_resnet(input_shape=(28, 28, 1), num_classes=10, *, classifier_activation="softmax",
                    name=None, depths=(16, 32, 64), units=1, ratio=4, first_stride=2):
    """``resnet.small_resnet`` with an SE block in every basic unit, for Fashion-MNIST: a 3x3 stem,
    one stage of ``units`` basic units per depth, halving the resolution in the first unit of every
    stage (``first_stride=2``: also in the first one, 4x cheaper on 28x28), GAP, the classifier.

    ``ratio=None``: the same net without SE, named ``small_se_resnet_plain`` (not ``small_resnet``,
    which is resnet.small_resnet's default: a different network). BN momentum 0.9 (ResNet's), so
    that short runs have usable moving statistics at test time.
    """
    check_builder_args(input_shape, num_classes, classifier_activation)
    if ratio is not None:
        for depth in depths:
            check_ratio(ratio, depth)
    blocks = resnet.small_resnet_blocks(depths, units, first_stride, se_unit(resnet.basic_block, ratio))
    return resnet.resnet(blocks, input_shape, num_classes, classifier_activation=classifier_activation,
                         name=name or ("small_se_resnet" if ratio else "small_se_resnet_plain"),
                         imagenet_root=False, root_depth=depths[0])


def se_parameters(channels, ratio=16):
    """Learned parameters of one SE block on ``channels`` channels: two FC layers with biases,
    ``C * C/r + C/r`` + ``C/r * C + C``."""
    hidden = channels // check_ratio(ratio, channels)
    return channels * hidden + hidden + hidden * channels + channels


def trainable_parameters(model):
    """Parameters learned by gradient descent (excludes BN moving mean/variance)."""
    return int(sum(w.numpy().size for w in model.trainable_weights))

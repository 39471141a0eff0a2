"""GoogLeNet / Inception v1 (Szegedy et al., 2014) and the small MiniGoogLeNet.

The Inception module runs 1x1, 3x3 and 5x5 convolutions and a 3x3 max pooling side by side on the
same input and concatenates their outputs along the channels. The *naive* module does exactly
that; the module *with dimension reduction* puts a 1x1 convolution before the 3x3 and 5x5 ones
(and after the pooling) to shrink the channels they see: the same output width for a fraction of
the parameters and multiply-adds.

Builders:
* :func:`inception_module`, :func:`naive_inception_module` -- the two modules;
* :func:`googlenet` -- the ImageNet network of the paper's table 1 (no auxiliary classifiers),
  6,998,552 parameters with biases for 1000 classes;
* :class:`GoogLeNetChain` -- GoogLeNet as caffe-tensorflow's generated code defines it (``utils.chain.Network``);
* :func:`small_googlenet` -- the same nine modules, narrower, for 28 x 28 images (chapter 09's headline run);
* :func:`mini_googlenet` -- MiniGoogLeNet (conv / Miniception / downsample modules) for 32 x 32.

Multiply-adds and FLOPs: ``utils.flops`` (one multiply-add = 2 FLOPs).
"""
import keras

from utils.chain import Network
from utils.checks import whole_number
from utils.layers import (SHORT_RUN_MOMENTUM, LocalResponseNormalization,
                          check_builder_args, classifier, conv_bn_relu, scaled)

# The paper's table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
INCEPTION_V1 = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}


def conv(x, filters, kernel_size, strides=1, *, name):
    """Conv2D ('same' padding) + ReLU: every convolution in GoogLeNet is followed by a ReLU."""
    return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same",
                               activation="relu", name=name)(x)


def check_filters(**filters):
    """Every branch width of a module must be a whole number >= 1."""
    for argument, value in filters.items():
        whole_number(argument, value, example=64)


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj, *, name):
    """The Inception module with dimension reduction (paper figure 2b)."""
    check_filters(f1=f1, f3_reduce=f3_reduce, f3=f3, f5_reduce=f5_reduce, f5=f5, pool_proj=pool_proj)
    branch1 = conv(x, f1, 1, name=f"{name}_1x1")
    branch3 = conv(conv(x, f3_reduce, 1, name=f"{name}_3x3_reduce"), f3, 3, name=f"{name}_3x3")
    branch5 = conv(conv(x, f5_reduce, 1, name=f"{name}_5x5_reduce"), f5, 5, name=f"{name}_5x5")
    pool = keras.layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_pool")(x)
    branch_pool = conv(pool, pool_proj, 1, name=f"{name}_pool_proj")
    return keras.layers.Concatenate(name=f"{name}_output")([branch1, branch3, branch5, branch_pool])


def naive_inception_module(x, f1, f3, f5, *, name):
    """The naive Inception module (paper figure 2a): no 1x1 reductions, the pooled input passes
    through whole, so the output has f1 + f3 + f5 + (input channels) channels."""
    check_filters(f1=f1, f3=f3, f5=f5)
    branch1 = conv(x, f1, 1, name=f"{name}_1x1")
    branch3 = conv(x, f3, 3, name=f"{name}_3x3")
    branch5 = conv(x, f5, 5, name=f"{name}_5x5")
    pool = keras.layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_pool")(x)
    return keras.layers.Concatenate(name=f"{name}_output")([branch1, branch3, branch5, pool])


def googlenet(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
              name="googlenet", widths=INCEPTION_V1, dropout=0.4):
    """GoogLeNet as in table 1 of the paper, without the two auxiliary classifiers.

    Stem: 7x7/2 conv 64, 3x3/2 max pool, LRN, 1x1 conv 64, 3x3 conv 192, LRN, 3x3/2 max pool;
    Inception 3a-3b, pool, 4a-4e, pool, 5a-5b; global average pooling (the paper's 7x7 average
    pool at 224 x 224), dropout 40%, the classifier (the Caffe model's ``loss3_classifier``).
    LRN as converted from the Caffe model: depth_radius=2, alpha=2e-5 (Caffe's 1e-4 divided by
    its window of 5), beta=0.75. widths: the table's six numbers per module, keyed "3a" ... "5b".
    """
    check_builder_args(input_shape, num_classes, classifier_activation)  # "same" layers: any size
    if set(widths) != set(INCEPTION_V1):
        raise ValueError(f"widths has modules {sorted(widths)}: give the nine modules "
                         f"{sorted(INCEPTION_V1)}, six widths each, as googlenet.INCEPTION_V1 does")
    inputs = keras.Input(input_shape, name="input")
    x = conv(inputs, 64, 7, strides=2, name="conv1_7x7_s2")
    x = keras.layers.MaxPooling2D(3, 2, padding="same", name="pool1_3x3_s2")(x)
    x = LocalResponseNormalization(2, alpha=2e-5, beta=0.75, name="pool1_norm1")(x)
    x = conv(x, 64, 1, name="conv2_3x3_reduce")
    x = conv(x, 192, 3, name="conv2_3x3")
    x = LocalResponseNormalization(2, alpha=2e-5, beta=0.75, name="conv2_norm2")(x)
    x = keras.layers.MaxPooling2D(3, 2, padding="same", name="pool2_3x3_s2")(x)
    for block in INCEPTION_V1:  # the paper's order, whatever the order of ``widths``
        if block in ("4a", "5a"):  # the 3x3/2 max pools between the stages
            x = keras.layers.MaxPooling2D(3, 2, padding="same", name=f"pool{block[0]}_3x3_s2")(x)
        x = inception_module(x, *widths[block], name=f"inception_{block}")
    x = keras.layers.GlobalAveragePooling2D(name="pool5")(x)
    x = keras.layers.Dropout(dropout, name="pool5_drop")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def small_googlenet(input_shape=(28, 28, 1), num_classes=10, *, classifier_activation="softmax",
                    name="small_googlenet", width=0.25, dropout=0.4):
    """GoogLeNet's nine Inception modules with 1x1 reductions (table 1's widths times ``width``)
    for 28x28 images: the paper's stages at a quarter of its resolutions.

    The ImageNet stem (7x7/2 conv, pools, LRN: 224 -> 28 pixels) becomes one 3x3/2 convolution
    (28 -> 14); then 3a, 3b at 14x14, a 3x3/2 max pool, 4a-4e at 7x7, a pool, 5a, 5b at 4x4, global
    average pooling, dropout 40 %, the classifier, as in the paper (no auxiliary classifiers, no
    batch normalisation: both came from the paper's deeper training setup and from Inception v2).
    """
    check_builder_args(input_shape, num_classes, classifier_activation)  # "same" layers: any size
    w = {block: tuple(scaled(f, width) for f in filters) for block, filters in INCEPTION_V1.items()}
    inputs = keras.Input(input_shape, name="input")
    x = conv(inputs, scaled(64, width), 3, strides=2, name="stem")
    for block in INCEPTION_V1:
        if block in ("4a", "5a"):
            x = keras.layers.MaxPooling2D(3, 2, padding="same", name=f"pool{block[0]}_3x3_s2")(x)
        x = inception_module(x, *w[block], name=f"inception_{block}")
    x = keras.layers.GlobalAveragePooling2D(name="pool5")(x)
    x = keras.layers.Dropout(dropout, name="pool5_drop")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


class GoogLeNetChain(Network):
    """GoogLeNet in caffe-tensorflow's style (input ``data``; 7x7 valid pool at the end,
    so it needs 224 x 224 input). The nine Inception blocks use :meth:`inception`, which issues
    the same four ``feed`` chains and the ``concat`` caffe-tensorflow's code spells out for each block."""

    def inception(self, source, block, f1, f3_reduce, f3, f5_reduce, f5, pool_proj):
        name = f"inception_{block}"
        self.feed(source).conv(1, 1, f1, 1, 1, name=f"{name}_1x1")
        (self.feed(source)
             .conv(1, 1, f3_reduce, 1, 1, name=f"{name}_3x3_reduce")
             .conv(3, 3, f3, 1, 1, name=f"{name}_3x3"))
        (self.feed(source)
             .conv(1, 1, f5_reduce, 1, 1, name=f"{name}_5x5_reduce")
             .conv(5, 5, f5, 1, 1, name=f"{name}_5x5"))
        (self.feed(source)
             .max_pool(3, 3, 1, 1, name=f"{name}_pool")
             .conv(1, 1, pool_proj, 1, 1, name=f"{name}_pool_proj"))
        (self.feed(f"{name}_1x1", f"{name}_3x3", f"{name}_5x5", f"{name}_pool_proj")
             .concat(3, name=f"{name}_output"))
        return f"{name}_output"

    def setup(self):
        (self.feed("data")
             .conv(7, 7, 64, 2, 2, name="conv1_7x7_s2")
             .max_pool(3, 3, 2, 2, name="pool1_3x3_s2")
             .lrn(2, 2e-05, 0.75, name="pool1_norm1")
             .conv(1, 1, 64, 1, 1, name="conv2_3x3_reduce")
             .conv(3, 3, 192, 1, 1, name="conv2_3x3")
             .lrn(2, 2e-05, 0.75, name="conv2_norm2")
             .max_pool(3, 3, 2, 2, name="pool2_3x3_s2"))
        out = "pool2_3x3_s2"
        for block, widths in INCEPTION_V1.items():
            if block in ("4a", "5a"):
                self.feed(out).max_pool(3, 3, 2, 2, name=f"pool{block[0]}_3x3_s2")
                out = f"pool{block[0]}_3x3_s2"
            out = self.inception(out, block, *widths)
        (self.feed(out)
             .avg_pool(7, 7, 1, 1, padding="VALID", name="pool5_7x7_s1")
             .fc(1000, relu=False, name="loss3_classifier")
             .softmax(name="prob"))


# ------------------------------------------------------------------------------ MiniGoogLeNet

MIN_SIZE_MINI = 31  # 31 -> down_1 15 -> down_2 7 -> the 7x7 pool 1

def miniception_module(x, f1, f3, *, name):
    """A 1x1 and a 3x3 conv module side by side, concatenated (no reductions: inputs are small).

    A conv module is :func:`utils.layers.conv_bn_relu` with the conv bias of the tflearn 0.3 script kept.
    """
    check_filters(f1=f1, f3=f3)
    branch1 = conv_bn_relu(x, f1, 1, name=f"{name}_1x1", use_bias=True, momentum=SHORT_RUN_MOMENTUM)
    branch3 = conv_bn_relu(x, f3, 3, name=f"{name}_3x3", use_bias=True, momentum=SHORT_RUN_MOMENTUM)
    return keras.layers.Concatenate(name=f"{name}_output")([branch1, branch3])


def downsample_module(x, filters, *, name):
    """Halve the resolution two ways at once: a 3x3/2 conv module and a 3x3/2 max pool, concatenated."""
    check_filters(filters=filters)
    branch = conv_bn_relu(x, filters, 3, strides=2, padding="valid", name=f"{name}_3x3",
                          use_bias=True, momentum=SHORT_RUN_MOMENTUM)
    pool = keras.layers.MaxPooling2D(3, 2, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(name=f"{name}_output")([branch, pool])


def mini_googlenet(input_shape=(32, 32, 3), num_classes=10, *, classifier_activation="softmax",
                   name="mini_googlenet", width=1.0, dropout=0.5):
    """MiniGoogLeNet (as a tflearn 0.3 era script builds it) for 32 x 32 images; ``width`` scales every filter count.

    Stem conv 96; Miniception (32, 32), (32, 48); downsample 80; Miniception (112, 48), (96, 64),
    (80, 80), (48, 96); downsample 96; Miniception (176, 160) x 2; 7x7 average pool (32 -> 15 -> 7
    pixels; at least 31 x 31), dropout, the classifier.
    """
    check_builder_args(input_shape, num_classes, classifier_activation, MIN_SIZE_MINI,
                       model="mini_googlenet", why="two 3x3/2 downsample modules, then a 7x7 pool",
                       fix="pad 28x28 images to 32x32 (load_fashion_mnist(pad=2))")
    w = lambda filters: scaled(filters, width)  # noqa: E731
    inputs = keras.Input(input_shape, name="input")
    x = conv_bn_relu(inputs, w(96), 3, name="stem", use_bias=True, momentum=SHORT_RUN_MOMENTUM)
    x = miniception_module(x, w(32), w(32), name="inception_1a")
    x = miniception_module(x, w(32), w(48), name="inception_1b")
    x = downsample_module(x, w(80), name="down_1")
    for i, (f1, f3) in enumerate([(112, 48), (96, 64), (80, 80), (48, 96)]):
        x = miniception_module(x, w(f1), w(f3), name=f"inception_2{'abcd'[i]}")
    x = downsample_module(x, w(96), name="down_2")
    x = miniception_module(x, w(176), w(160), name="inception_3a")
    x = miniception_module(x, w(176), w(160), name="inception_3b")
    x = keras.layers.AveragePooling2D(7, name="pool")(x)
    x = keras.layers.Dropout(dropout, name="drop")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)

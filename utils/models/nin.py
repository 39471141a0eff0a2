"""Network in Network (Lin, Chen & Yan, 2013): mlpconv blocks and global average pooling.

An mlpconv block is an ordinary k x k convolution followed by two 1 x 1 convolutions ("cccp",
cascaded cross-channel parametric pooling in the Caffe model), each with a ReLU: a small MLP slid
over every pixel. The network ends without fully connected layers: the last mlpconv outputs one
feature map per class and global average pooling turns each map into that class's score.

Builders:
* :class:`NiNChain` -- the ImageNet model as caffe-tensorflow's generated code defines it, verbatim in
  structure (``utils.chain.Network``);
* :func:`nin_imagenet` -- the same network in the Keras functional API (same layers, same order,
  so ``nin_imagenet().set_weights(NiNChain(...).model().get_weights())`` works);
* :func:`nin_small` -- a narrow three-block NiN for 28 x 28 Fashion-MNIST.
"""
import keras

from utils.chain import Network
from utils.checks import whole_number
from utils.layers import check_builder_args

MIN_SIZE_IMAGENET = 59  # 11x11/4 valid conv 13, pool1 ("same") 7, pool2 3, pool3 1 (both "valid")


def mlpconv(x, filters, kernel_size, strides=1, padding="same", *, name, micro_filters=None,
            last_activation="relu"):
    """k x k conv -> ReLU -> 1x1 conv -> ReLU -> 1x1 conv -> ReLU (the paper's figure 2).

    micro_filters: the widths of the two 1x1 layers (default: ``filters`` both); the last block
    of NiN ends with ``num_classes`` maps. last_activation: of the last 1x1 layer (the Caffe model
    has a ReLU there too; None leaves the class maps linear). Layers: ``{name}_conv``,
    ``{name}_cccp1``, ``{name}_cccp2``.
    """
    whole_number("filters", filters, example=96)
    micro_filters = micro_filters or (filters, filters)
    for width in micro_filters:
        whole_number("micro_filters", width, example=(filters, filters))
    if padding not in ("same", "valid"):
        raise ValueError(f"padding={padding!r}: use 'same' (keeps the size at stride 1) or 'valid'")
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, activation="relu",
                            name=f"{name}_conv")(x)
    for i, width in enumerate(micro_filters, start=1):
        activation = last_activation if i == len(micro_filters) else "relu"
        x = keras.layers.Conv2D(width, 1, activation=activation, name=f"{name}_cccp{i}")(x)
    return x


def classifier_head(x, classifier_activation="softmax"):
    """Global average pooling of the per-class maps (layer ``gap``: the logits), then
    ``classifier_activation`` (layer ``predictions``): no weights at all."""
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.layers.Activation(classifier_activation, name="predictions")(x)


class NiNChain(Network):
    """NiN for ImageNet in caffe-tensorflow's style (input ``data``: 224 x 224 x 3).

    Layer for layer the Caffe model ``nin_imagenet``, except that the chain, like caffe-tensorflow's code, leaves
    out the Caffe model's dropout after pool3 (which changes nothing at inference).
    """

    def setup(self):
        (self.feed("data")
             .conv(11, 11, 96, 4, 4, padding="VALID", name="conv1")
             .conv(1, 1, 96, 1, 1, name="cccp1")
             .conv(1, 1, 96, 1, 1, name="cccp2")
             .max_pool(3, 3, 2, 2, name="pool1")
             .conv(5, 5, 256, 1, 1, name="conv2")
             .conv(1, 1, 256, 1, 1, name="cccp3")
             .conv(1, 1, 256, 1, 1, name="cccp4")
             .max_pool(3, 3, 2, 2, padding="VALID", name="pool2")
             .conv(3, 3, 384, 1, 1, name="conv3")
             .conv(1, 1, 384, 1, 1, name="cccp5")
             .conv(1, 1, 384, 1, 1, name="cccp6")
             .max_pool(3, 3, 2, 2, padding="VALID", name="pool3")
             .conv(3, 3, 1024, 1, 1, name="conv4-1024")
             .conv(1, 1, 1024, 1, 1, name="cccp7-1024")
             .conv(1, 1, 1000, 1, 1, name="cccp8-1024")
             .avg_pool(6, 6, 1, 1, padding="VALID", name="pool4")
             .softmax(name="prob"))


def nin_imagenet(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                 name="nin_imagenet", dropout=0.5):
    """NiN for ImageNet (the Caffe ``nin_imagenet`` model) in the functional API.

    Four mlpconv blocks (96, 256, 384, 1024 filters), 3x3/2 max pooling between them, dropout after
    the third pooling (as in the Caffe model), a last 1x1 layer with ``num_classes`` maps, global
    average pooling (over the 6 x 6 maps at 224 x 224 input: the chain's 6x6 average pool).
    7,595,176 parameters for 1000 classes.
    """
    check_builder_args(input_shape, num_classes, classifier_activation, MIN_SIZE_IMAGENET,
                       model="nin_imagenet", why="an 11x11/4 convolution and three 3x3/2 max-pools",
                       fix="resize the images, e.g. to 96x96, or use nin_small for 28x28")
    inputs = keras.Input(input_shape, name="input")
    x = mlpconv(inputs, 96, 11, strides=4, padding="valid", name="block1")
    x = keras.layers.MaxPooling2D(3, 2, padding="same", name="pool1")(x)
    x = mlpconv(x, 256, 5, name="block2")
    x = keras.layers.MaxPooling2D(3, 2, name="pool2")(x)
    x = mlpconv(x, 384, 3, name="block3")
    x = keras.layers.MaxPooling2D(3, 2, name="pool3")(x)
    x = keras.layers.Dropout(dropout, name="drop")(x)
    x = mlpconv(x, 1024, 3, name="block4", micro_filters=(1024, num_classes))
    return keras.Model(inputs, classifier_head(x, classifier_activation), name=name)


def nin_small(input_shape=(28, 28, 1), num_classes=10, *, classifier_activation="softmax",
              name="nin_small", widths=(16, 32, 48), dropout=0.0, class_relu=False):
    """A three-block NiN for small grey images: 28 -> 14 -> 7 pixels, then GAP over class maps.

    class_relu=False leaves the class maps linear (scores can be negative), which trains much
    faster in a short run than the Caffe model's ReLU there.
    """
    check_builder_args(input_shape, num_classes, classifier_activation)  # "same" layers: any size
    if len(widths) != 3:
        raise ValueError(f"widths={widths!r}: nin_small has three mlpconv blocks, give three widths, "
                         f"e.g. widths=(16, 32, 48)")
    inputs = keras.Input(input_shape, name="input")
    x = mlpconv(inputs, widths[0], 5, name="block1")
    x = keras.layers.MaxPooling2D(3, 2, padding="same", name="pool1")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="drop1")(x)
    x = mlpconv(x, widths[1], 5, name="block2")
    x = keras.layers.MaxPooling2D(3, 2, padding="same", name="pool2")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="drop2")(x)
    x = mlpconv(x, widths[2], 3, name="block3", micro_filters=(widths[2], num_classes),
                last_activation="relu" if class_relu else None)
    return keras.Model(inputs, classifier_head(x, classifier_activation), name=name)

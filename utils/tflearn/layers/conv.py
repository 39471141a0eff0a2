"""tflearn.layers.conv on Keras 3: conv_2d, highway_conv_2d, max_pool_2d, avg_pool_2d,
global_avg_pool, global_max_pool, residual_block, residual_bottleneck.

tflearn's defaults (tflearn 0.5.0, tflearn/layers/conv.py), which differ from Keras': padding is
'same'; a pooling layer's ``strides`` default to its kernel size; conv_2d initialises its kernel
with 'uniform_scaling' (U(+-sqrt(3 / fan_in))) and has a linear activation unless told otherwise;
the residual blocks use 'variance_scaling' (He) weights with an L2 weight decay of 0.0001.
"""
import keras
import tensorflow as tf

from utils.tflearn import utils as u
from utils.tflearn.layers.core import activation as activation_layer
from utils.tflearn.layers.normalization import batch_normalization


def _filters(function, nb_filter):
    return u.check_int(function, "nb_filter", nb_filter)


def conv_2d(incoming, nb_filter, filter_size, strides=1, padding="same", activation="linear",
            bias=True, weights_init="uniform_scaling", bias_init="zeros", regularizer=None,
            weight_decay=0.001, trainable=True, restore=True, reuse=False, scope=None, name="Conv2D"):
    """A 2-D convolution of a (batch, height, width, channels) tensor with ``nb_filter`` filters."""
    name = u.check_common("conv_2d", restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor("conv_2d", incoming, ndims=(4,))
    keras_activation, after = u.activation_parts(activation, name, ndim=4)
    layer = keras.layers.Conv2D(_filters("conv_2d", nb_filter), u.kernel_2d(filter_size),
                                strides=u.kernel_2d(strides, "strides"),
                                padding=u.padding_name(padding), activation=keras_activation,
                                use_bias=bias, trainable=trainable, name=name,
                                **u.weight_arguments(weights_init, bias_init, regularizer, weight_decay))
    return u.apply_weighted(layer, incoming, after)


@keras.saving.register_keras_serializable(package="course.tflearn")
class HighwayConv2D(keras.layers.Layer):
    """tflearn's highway convolution (conv.py ``highway_conv_2d``): one convolution C = conv(x, W)
    feeds both paths, ``H = activation(C + b)``, gate ``T = sigmoid(C * W_T + b_T)`` with a
    per-filter vector W_T (initialised like W) and b_T = -3, output ``H * T + C * (1 - T)``."""

    def __init__(self, nb_filter, filter_size, strides, padding, activation, weights_init, bias_init,
                 kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.nb_filter, self.filter_size = nb_filter, filter_size
        self.strides, self.padding = strides, padding.upper()
        self.activation_fn = u.activation_function(activation, "highway_conv_2d")
        self.inits = {"W": u.initializer(weights_init), "W_T": u.initializer(weights_init),
                      "b": u.initializer(bias_init, "bias_init")}
        self.kernel_regularizer = kernel_regularizer

    def build(self, input_shape):
        self.W = self.add_weight(name="W", shape=(*self.filter_size, input_shape[-1], self.nb_filter),
                                 initializer=self.inits["W"], regularizer=self.kernel_regularizer)
        self.b = self.add_weight(name="b", shape=(self.nb_filter,), initializer=self.inits["b"])
        self.W_T = self.add_weight(name="W_T", shape=(self.nb_filter,), initializer=self.inits["W_T"])
        self.b_T = self.add_weight(name="b_T", shape=(self.nb_filter,),
                                   initializer=keras.initializers.Constant(-3.0))

    def call(self, x):
        convolved = tf.nn.conv2d(x, self.W, [1, *self.strides, 1], self.padding)
        h = self.activation_fn(convolved + self.b)
        t = tf.sigmoid(convolved * self.W_T + self.b_T)
        return h * t + convolved * (1.0 - t)

    def compute_output_shape(self, input_shape):
        out = []
        for size, k, s in zip(input_shape[1:3], self.filter_size, self.strides):
            if size is None:
                out.append(None)
            elif self.padding == "SAME":
                out.append(-(-size // s))
            else:
                out.append((size - k) // s + 1)
        return (input_shape[0], *out, self.nb_filter)


def highway_conv_2d(incoming, nb_filter, filter_size, strides=1, padding="same", activation="linear",
                    weights_init="uniform_scaling", bias_init="zeros", regularizer=None, weight_decay=0.001,
                    trainable=True, restore=True, reuse=False, scope=None, name="HighwayConv2D"):
    """A highway convolution (see :class:`HighwayConv2D`); ``.W, .W_T, .b, .b_T`` on the output."""
    name = u.check_common("highway_conv_2d", restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor("highway_conv_2d", incoming, ndims=(4,))
    layer = HighwayConv2D(_filters("highway_conv_2d", nb_filter), u.kernel_2d(filter_size),
                          u.kernel_2d(strides, "strides"), u.padding_name(padding), activation,
                          weights_init, bias_init, kernel_regularizer=u.regularizer(regularizer, weight_decay),
                          trainable=trainable, name=name)
    x = layer(incoming)
    x.W, x.W_T, x.b, x.b_T = layer.W, layer.W_T, layer.b, layer.b_T
    return x


def _pool(function, layer_class, incoming, kernel_size, strides, padding, name):
    u.check_tensor(function, incoming, ndims=(4,))
    pool = u.kernel_2d(kernel_size, "kernel_size")
    strides = pool if strides is None else u.kernel_2d(strides, "strides")  # tflearn's default
    return layer_class(pool, strides=strides, padding=u.padding_name(padding),
                       name=u.name_for(function, name))(incoming)


def max_pool_2d(incoming, kernel_size, strides=None, padding="same", name="MaxPool2D"):
    """Max pooling; ``strides=None`` means strides equal to ``kernel_size`` (no overlap)."""
    return _pool("max_pool_2d", keras.layers.MaxPooling2D, incoming, kernel_size, strides, padding, name)


def avg_pool_2d(incoming, kernel_size, strides=None, padding="same", name="AvgPool2D"):
    """Average pooling; with padding 'same' the border windows average only the real pixels."""
    return _pool("avg_pool_2d", keras.layers.AveragePooling2D, incoming, kernel_size, strides, padding, name)


def global_avg_pool(incoming, name="GlobalAvgPool"):
    """The mean of each channel over all pixels: (batch, h, w, c) -> (batch, c)."""
    u.check_tensor("global_avg_pool", incoming, ndims=(4,))
    return keras.layers.GlobalAveragePooling2D(name=u.name_for("global_avg_pool", name))(incoming)


def global_max_pool(incoming, name="GlobalMaxPool"):
    """The maximum of each channel over all pixels: (batch, h, w, c) -> (batch, c)."""
    u.check_tensor("global_max_pool", incoming, ndims=(4,))
    return keras.layers.GlobalMaxPooling2D(name=u.name_for("global_max_pool", name))(incoming)


# ------------------------------------------------------------------------------ residual blocks
@keras.saving.register_keras_serializable(package="course.tflearn")
class PadChannels(keras.layers.Layer):
    """``tf.pad(x, [[0, 0], [0, 0], [0, 0], [ch, ch]])``: tflearn's shortcut to more channels."""

    def __init__(self, ch, **kwargs):
        super().__init__(**kwargs)
        self.ch = ch

    def call(self, x):
        return tf.pad(x, [[0, 0], [0, 0], [0, 0], [self.ch, self.ch]])

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 2 * self.ch)

    def get_config(self):
        return {**super().get_config(), "ch": self.ch}


def _block_args(function, incoming, nb_blocks, out_channels, downsample, downsample_strides, batch_norm,
                restore, reuse, scope, name):
    block = u.check_common(function, restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor(function, incoming, ndims=(4,))
    nb_blocks = u.check_int(function, "nb_blocks", nb_blocks, minimum=0)  # 0: no unit, as tflearn's loop
    out_channels = u.check_int(function, "out_channels", out_channels)
    u.check_bool(function, "downsample", downsample)
    u.check_bool(function, "batch_norm", batch_norm)
    downsample_strides = u.check_int(function, "downsample_strides", downsample_strides)
    in_channels = incoming.shape[-1]
    if in_channels != out_channels and (out_channels - in_channels) % 2:
        raise ValueError(f"{function}: the input has {in_channels} channels and out_channels={out_channels}; "
                         "tflearn pads the shortcut with (out - in) // 2 zero channels on each side, so "
                         "the difference must be even (and out_channels >= the input's)")
    if out_channels < in_channels:
        raise ValueError(f"{function}: out_channels={out_channels} < the input's {in_channels} channels; "
                         "tflearn's shortcut can only add channels (zero padding)")
    return block, nb_blocks, out_channels, (downsample_strides if downsample else 1)


def _shortcut(identity, strides, in_channels, out_channels, block):
    """tflearn's shortcut: average-pool to the new size, zero-pad to the new channel count."""
    if strides > 1:
        identity = keras.layers.AveragePooling2D(strides, strides=strides, padding="same",
                                                 name=u.unique_name(f"{block}_AvgPool2D"))(identity)
    if in_channels != out_channels:
        identity = PadChannels((out_channels - in_channels) // 2,
                               name=u.unique_name(f"{block}_PadChannels"))(identity)
    return identity


def residual_block(incoming, nb_blocks, out_channels, downsample=False, downsample_strides=2,
                   activation="relu", batch_norm=True, bias=True, weights_init="variance_scaling",
                   bias_init="zeros", regularizer="L2", weight_decay=0.0001, trainable=True,
                   restore=True, reuse=False, scope=None, name="ResidualBlock"):
    """``nb_blocks`` pre-activation residual units (He et al. 2016), as tflearn builds them: each is
    [batch norm, activation, 3x3 conv (strides ``downsample_strides`` if ``downsample``)] twice,
    plus the shortcut (average-pooled when downsampling, zero-padded to ``out_channels``).

    As in tflearn, ``downsample`` applies to every unit of the call (the examples use
    ``nb_blocks=1`` with it), and there is no activation after the addition.
    """
    block, nb_blocks, out_channels, strides = _block_args(
        "residual_block", incoming, nb_blocks, out_channels, downsample, downsample_strides, batch_norm,
        restore, reuse, scope, name)
    resnet, in_channels = incoming, incoming.shape[-1]
    conv_args = dict(padding="same", activation="linear", bias=bias, weights_init=weights_init,
                     bias_init=bias_init, regularizer=regularizer, weight_decay=weight_decay,
                     trainable=trainable)
    for _ in range(nb_blocks):
        identity = resnet
        for conv_strides in (strides, 1):
            if batch_norm:
                resnet = batch_normalization(resnet, name=f"{block}_BatchNormalization")
            resnet = activation_layer(resnet, activation, name=f"{block}_activation")
            resnet = conv_2d(resnet, out_channels, 3, conv_strides, name=f"{block}_Conv2D", **conv_args)
        identity = _shortcut(identity, strides, in_channels, out_channels, block)
        in_channels = out_channels
        resnet = keras.layers.Add(name=u.unique_name(f"{block}_add"))([resnet, identity])
    return resnet


def residual_bottleneck(incoming, nb_blocks, bottleneck_size, out_channels, downsample=False,
                        downsample_strides=2, activation="relu", batch_norm=True, bias=True,
                        weights_init="variance_scaling", bias_init="zeros", regularizer="L2",
                        weight_decay=0.0001, trainable=True, restore=True, reuse=False, scope=None,
                        name="ResidualBottleneck"):
    """``nb_blocks`` bottleneck units as tflearn 0.5.0 builds them: [batch norm, activation, 1x1 conv
    to ``bottleneck_size`` ('valid', strides ``downsample_strides`` if ``downsample``)], [batch norm,
    activation, 3x3 conv], then a 1x1 conv to ``out_channels`` WITH ``activation``.

    tflearn's quirk, kept: its shortcut addition (and the activation after it) is indented under
    ``if in_channels != out_channels``, so only a unit that changes the channel count (the first of
    a call whose input has fewer channels) adds the shortcut; the other units are plain, not residual.
    """
    bottleneck_size = u.check_int("residual_bottleneck", "bottleneck_size", bottleneck_size)
    block, nb_blocks, out_channels, strides = _block_args(
        "residual_bottleneck", incoming, nb_blocks, out_channels, downsample, downsample_strides, batch_norm,
        restore, reuse, scope, name)
    resnet, in_channels = incoming, incoming.shape[-1]
    conv_args = dict(bias=bias, weights_init=weights_init, bias_init=bias_init, regularizer=regularizer,
                     weight_decay=weight_decay, trainable=trainable)
    for _ in range(nb_blocks):
        identity = resnet
        if batch_norm:
            resnet = batch_normalization(resnet, name=f"{block}_BatchNormalization")
        resnet = activation_layer(resnet, activation, name=f"{block}_activation")
        resnet = conv_2d(resnet, bottleneck_size, 1, strides, "valid", "linear", name=f"{block}_Conv2D",
                         **conv_args)
        if batch_norm:
            resnet = batch_normalization(resnet, name=f"{block}_BatchNormalization")
        resnet = activation_layer(resnet, activation, name=f"{block}_activation")
        resnet = conv_2d(resnet, bottleneck_size, 3, 1, "same", "linear", name=f"{block}_Conv2D", **conv_args)
        resnet = conv_2d(resnet, out_channels, 1, 1, "valid", activation, name=f"{block}_Conv2D", **conv_args)
        if in_channels != out_channels:  # tflearn 0.5.0's indentation: see the docstring
            identity = _shortcut(identity, strides, in_channels, out_channels, block)
            in_channels = out_channels
            resnet = keras.layers.Add(name=u.unique_name(f"{block}_add"))([resnet, identity])
            resnet = activation_layer(resnet, activation, name=f"{block}_activation")
    return resnet

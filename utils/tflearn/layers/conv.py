"""tflearn.layers.conv on Keras 3: conv_2d, max_pool_2d, avg_pool_2d, global_avg_pool.

tflearn's defaults, which differ from Keras': padding is 'same'; a pooling layer's ``strides``
default to its kernel size; conv_2d initialises its kernel with 'uniform_scaling'
(U(+-sqrt(3 / fan_in))) and has a linear activation unless told otherwise.
"""
import keras

from utils.tflearn import utils as u


def conv_2d(incoming, nb_filter, filter_size, strides=1, padding="same", activation="linear",
            bias=True, weights_init="uniform_scaling", bias_init="zeros", regularizer=None,
            weight_decay=0.001, trainable=True, restore=True, reuse=False, scope=None, name="Conv2D"):
    """A 2-D convolution of a (batch, height, width, channels) tensor with ``nb_filter`` filters."""
    name = u.check_common("conv_2d", restore=restore, reuse=reuse, scope=scope, name=name)
    keras_activation, after = u.activation_parts(activation, name)
    layer = keras.layers.Conv2D(nb_filter, u.kernel_2d(filter_size), strides=u.kernel_2d(strides, "strides"),
                                padding=u.padding_name(padding), activation=keras_activation,
                                use_bias=bias, kernel_initializer=u.initializer(weights_init),
                                bias_initializer=u.initializer(bias_init),
                                kernel_regularizer=u.regularizer(regularizer, weight_decay),
                                trainable=trainable, name=name)
    x = u.apply(layer, incoming, after)
    x.W, x.b = layer.kernel, layer.bias  # tflearn exposed the variables on the output tensor
    return x


def _pool(layer_class, incoming, kernel_size, strides, padding, name):
    pool = u.kernel_2d(kernel_size, "kernel_size")
    strides = pool if strides is None else u.kernel_2d(strides, "strides")  # tflearn's default
    return layer_class(pool, strides=strides, padding=u.padding_name(padding),
                       name=u.unique_name(name))(incoming)


def max_pool_2d(incoming, kernel_size, strides=None, padding="same", name="MaxPool2D"):
    """Max pooling; ``strides=None`` means strides equal to ``kernel_size`` (no overlap)."""
    return _pool(keras.layers.MaxPooling2D, incoming, kernel_size, strides, padding, name)


def avg_pool_2d(incoming, kernel_size, strides=None, padding="same", name="AvgPool2D"):
    """Average pooling; with padding 'same' the border windows average only the real pixels."""
    return _pool(keras.layers.AveragePooling2D, incoming, kernel_size, strides, padding, name)


def global_avg_pool(incoming, name="GlobalAvgPool"):
    """The mean of each channel over all pixels: (batch, h, w, c) -> (batch, c)."""
    return keras.layers.GlobalAveragePooling2D(name=u.unique_name(name))(incoming)

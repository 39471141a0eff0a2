"""tflearn.layers.core on Keras 3: input_data, fully_connected, dropout, flatten.

Same argument names, defaults and meanings as tflearn 0.5. Where tflearn and Keras differ, tflearn
wins: ``dropout`` takes the fraction to KEEP, ``fully_connected`` flattens its input itself and
initialises its weights from a truncated normal with stddev 0.02.
"""
import keras

from utils.tflearn import utils as u


def input_data(shape=None, placeholder=None, dtype="float32", data_preprocessing=None,
               data_augmentation=None, name="InputData"):
    """The network's input: ``shape`` includes the batch dimension as None, e.g. ``[None, 28, 28, 1]``."""
    if placeholder is not None:
        raise u.unsupported("input_data", "placeholder", "Keras 3 has no placeholders: give shape=.")
    if data_preprocessing is not None or data_augmentation is not None:
        raise u.unsupported("input_data", "data_preprocessing/data_augmentation",
                          "preprocess the arrays before fit (utils.data) or add Keras "
                          "preprocessing layers (keras.layers.Rescaling, RandomFlip, ...) after input_data.")
    if shape is None or len(shape) < 2:
        raise ValueError(f"input_data: shape={shape!r}; give the full shape with the batch dimension "
                         "first, e.g. [None, 227, 227, 3]")
    if shape[0] is not None:
        raise ValueError(f"input_data: shape={shape!r}; the first (batch) dimension must be None")
    dtype = getattr(dtype, "name", dtype)  # accepts tf.float32 as well as 'float32'
    x = keras.Input(shape=tuple(shape[1:]), dtype=dtype, name=u.unique_name(name))
    u.graph_state()["inputs"].append(x)  # DNN feeds a list of arrays in input creation order
    return x


def fully_connected(incoming, n_units, activation="linear", bias=True, weights_init="truncated_normal",
                    bias_init="zeros", regularizer=None, weight_decay=0.001, trainable=True,
                    restore=True, reuse=False, scope=None, name="FullyConnected"):
    """A dense layer; inputs with more than 2 dimensions are flattened first (as tflearn does)."""
    name = u.check_common("fully_connected", restore=restore, reuse=reuse, scope=scope, name=name)
    if len(incoming.shape) > 2:
        incoming = keras.layers.Flatten(name=f"{name}_flatten")(incoming)
    keras_activation, after = u.activation_parts(activation, name)
    layer = keras.layers.Dense(n_units, activation=keras_activation, use_bias=bias,
                               kernel_initializer=u.initializer(weights_init),
                               bias_initializer=u.initializer(bias_init),
                               kernel_regularizer=u.regularizer(regularizer, weight_decay),
                               trainable=trainable, name=name)
    x = u.apply(layer, incoming, after)
    x.W, x.b = layer.kernel, layer.bias  # tflearn exposed the variables on the output tensor
    return x


def dropout(incoming, keep_prob, noise_shape=None, name="Dropout"):
    """Keep each unit with probability ``keep_prob`` while training (Keras' ``rate`` is 1 - keep_prob)."""
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"dropout: keep_prob={keep_prob!r} is the fraction of units to KEEP, in (0, 1]")
    return keras.layers.Dropout(1.0 - keep_prob, noise_shape=noise_shape,
                                name=u.unique_name(name))(incoming)


def flatten(incoming, name="Flatten"):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    return keras.layers.Flatten(name=u.unique_name(name))(incoming)

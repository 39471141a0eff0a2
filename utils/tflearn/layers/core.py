"""tflearn.layers.core on Keras 3: input_data, fully_connected, dropout, flatten, reshape, activation, highway.

Same argument names, defaults and meanings as tflearn 0.5.0 (tflearn/layers/core.py). Where
tflearn and Keras differ, tflearn wins: ``input_data`` adds the batch dimension when the shape
lacks it, ``dropout`` takes the fraction to KEEP, ``fully_connected`` flattens its input itself and
initialises its weights from a truncated normal with stddev 0.02 (``weights_init=None``: Glorot
uniform, TF1's default), ``reshape`` takes the new shape with its batch dimension.
"""
import keras
import tensorflow as tf

from utils.tflearn import utils as u
from utils.tflearn.data_augmentation import Augment, DataAugmentation
from utils.tflearn.data_preprocessing import DataPreprocessing, Preprocess


def input_data(shape=None, placeholder=None, dtype="float32", data_preprocessing=None,
               data_augmentation=None, name="InputData"):
    """The network's input, e.g. ``shape=[None, 28, 28, 1]``.

    As in tflearn, a shape of 2 or more dimensions whose first is not None gets the batch
    dimension prepended: ``[28, 28, 1]`` is ``[None, 28, 28, 1]``. A 1-element shape such as
    ``[784]`` is refused: tflearn made it a placeholder without a batch dimension.
    ``data_preprocessing`` / ``data_augmentation``: an ImagePreprocessing / ImageAugmentation
    object; the tensor returned is then the input after them (augmentation first, as in tflearn).
    """
    if placeholder is not None:
        raise u.unsupported("input_data", "placeholder", "Keras 3 has no placeholders: give shape=.")
    if shape is None:
        raise ValueError("input_data: shape=None; give the input's shape, e.g. [None, 227, 227, 3]")
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        raise TypeError(f"input_data: shape={shape!r}; give a list such as [None, 28, 28, 1]")
    shape = list(shape)
    if len(shape) > 1 and shape[0] is not None:  # tflearn: "Ensure the first element of shape is None"
        shape = [None] + shape
    if len(shape) < 2 or shape[0] is not None:
        raise ValueError(f"input_data: shape={shape!r}; give at least one dimension besides the batch, "
                         "e.g. [None, 784] (tflearn made [784] an input without a batch dimension)")
    if any(d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 1) for d in shape[1:]):
        raise ValueError(f"input_data: shape={shape!r}; the dimensions after the batch must be positive "
                         "ints (or None for any size)")
    if data_preprocessing is not None and not isinstance(data_preprocessing, DataPreprocessing):
        raise TypeError(f"input_data: data_preprocessing={data_preprocessing!r}; give an "
                        "ImagePreprocessing / DataPreprocessing object or None")
    if data_augmentation is not None and not isinstance(data_augmentation, DataAugmentation):
        raise TypeError(f"input_data: data_augmentation={data_augmentation!r}; give an "
                        "ImageAugmentation object or None")
    dtype = getattr(dtype, "name", dtype)  # accepts tf.float32 as well as 'float32'
    name = u.name_for("input_data", name)
    steps = [kind for kind, _ in (data_preprocessing.steps if data_preprocessing else [])]
    fed_shape = list(shape[1:])
    if "crop_center" in steps:  # the data fed is larger than the network's input: any height, width
        if len(shape) != 4:
            raise ValueError(f"input_data: add_crop_center needs images, shape [None, h, w, c]; got {shape!r}")
        crop = dict(data_preprocessing.steps)["crop_center"]["shape"]
        if tuple(shape[1:3]) != tuple(crop):
            raise ValueError(f"input_data: shape={shape!r} but add_crop_center(shape={list(crop)}); "
                             "the input's height and width must be the crop's")
        fed_shape[0:2] = [None, None]
    x = keras.Input(shape=tuple(fed_shape), dtype=dtype, name=name)
    u.graph_state()["inputs"].append(x)  # DNN feeds a list of arrays in input creation order
    out = x
    if data_augmentation is not None and data_augmentation.steps:
        if len(shape) != 4:
            raise ValueError("input_data: image augmentation needs images, shape [None, h, w, c]; "
                             f"got {shape!r}")
        for kind, options in data_augmentation.steps:
            if kind == "random_crop" and tuple(options["crop_shape"]) != tuple(shape[1:3]):
                raise ValueError(f"input_data: add_random_crop(crop_shape={list(options['crop_shape'])}) "
                                 f"but shape={shape!r}: validation and predict see uncropped data, so the "
                                 "crop must be the input's height and width (use padding= to move it)")
            if (kind == "random_90degrees_rotation" and shape[1] != shape[2]
                    and set(options["rotations"]) - {0, 2}):
                raise ValueError("input_data: add_random_90degrees_rotation with quarter turns needs square "
                                 f"images; shape={shape!r}")
        out = Augment(data_augmentation, name=f"{name}_augmentation")(out)
    if data_preprocessing is not None and data_preprocessing.steps:
        prep = Preprocess(data_preprocessing, name=f"{name}_preprocessing")
        out = prep(out)
        x.tflearn_preprocessing = prep  # DNN.fit computes the featurewise statistics
    return out


def fully_connected(incoming, n_units, activation="linear", bias=True, weights_init="truncated_normal",
                    bias_init="zeros", regularizer=None, weight_decay=0.001, trainable=True,
                    restore=True, reuse=False, scope=None, name="FullyConnected"):
    """A dense layer; inputs with more than 2 dimensions are flattened first (as tflearn does)."""
    name = u.check_common("fully_connected", restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor("fully_connected", incoming)
    n_units = u.check_int("fully_connected", "n_units", n_units)
    if len(incoming.shape) > 2:
        incoming = keras.layers.Flatten(name=f"{name}_flatten")(incoming)
    keras_activation, after = u.activation_parts(activation, name, ndim=2)
    layer = keras.layers.Dense(n_units, activation=keras_activation, use_bias=bias, trainable=trainable,
                               name=name, **u.weight_arguments(weights_init, bias_init, regularizer,
                                                               weight_decay))
    return u.apply_weighted(layer, incoming, after)


def dropout(incoming, keep_prob, noise_shape=None, name="Dropout"):
    """Keep each unit with probability ``keep_prob`` while training (Keras' ``rate`` is 1 - keep_prob)."""
    u.check_tensor("dropout", incoming)
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float)) or not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"dropout: keep_prob={keep_prob!r} is the fraction of units to KEEP, in (0, 1]")
    return keras.layers.Dropout(1.0 - keep_prob, noise_shape=noise_shape,
                                name=u.name_for("dropout", name))(incoming)


def flatten(incoming, name="Flatten"):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""
    u.check_tensor("flatten", incoming)
    if len(incoming.shape) < 2:
        raise ValueError(f"flatten: incoming has shape {tuple(incoming.shape)}; it must be at least 2-D")
    return keras.layers.Flatten(name=u.name_for("flatten", name))(incoming)


def reshape(incoming, new_shape, name="Reshape"):
    """``tf.reshape(incoming, new_shape)``: ``new_shape`` includes the batch dimension, given as
    -1 (or None), e.g. ``reshape(net, [-1, 28, 28, 1])``; one other dimension may be -1.
    ``[-1]`` makes one value per example (the input must hold one per example)."""
    u.check_tensor("reshape", incoming)
    if isinstance(new_shape, (str, bytes)) or not hasattr(new_shape, "__len__") or len(new_shape) < 1:
        raise ValueError(f"reshape: new_shape={new_shape!r}; give the shape with the batch dimension "
                         "first as -1, e.g. [-1, 28, 28, 1]")
    new_shape = list(new_shape)
    if new_shape[0] not in (-1, None):
        raise ValueError(f"reshape: new_shape={new_shape!r}; the first (batch) dimension must be -1 or None: "
                         "a Keras layer keeps the batch size")
    rest = new_shape[1:]
    if (any(isinstance(d, bool) or not isinstance(d, int) or (d < 1 and d != -1) for d in rest)
            or rest.count(-1) > 1):
        raise ValueError(f"reshape: new_shape={new_shape!r}; after the batch give positive ints and at "
                         "most one -1")
    if not rest and any(d != 1 for d in incoming.shape[1:]):
        raise ValueError(f"reshape: new_shape={new_shape!r} keeps only the batch dimension, but the input "
                         f"has shape {tuple(incoming.shape)}; give e.g. [-1, n] to keep n values per example")
    return keras.layers.Reshape(tuple(rest), name=u.name_for("reshape", name))(incoming)


def activation(incoming, activation="linear", name="activation"):
    """Apply an activation (a tflearn name, e.g. 'relu', 'prelu', or a function) to ``incoming``."""
    u.check_tensor("activation", incoming)
    name = u.name_for("activation", name)
    if activation == "prelu":
        return u.prelu_layer(name, len(incoming.shape))(incoming)
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.1, name=name)(incoming)
    if isinstance(activation, str) and activation not in u.KERAS_ACTIVATIONS:
        raise ValueError(f"activation: activation={activation!r} is not supported; use one of "
                         f"{u.ACTIVATION_NAMES} or a function")
    if not (activation is None or isinstance(activation, str) or callable(activation)):
        raise TypeError(f"activation: activation={activation!r}; give a name such as 'relu' or a function")
    fn = u.activation_function(activation, "activation")
    return keras.layers.Activation(fn, name=name)(incoming)


@keras.saving.register_keras_serializable(package="course.tflearn")
class Highway(keras.layers.Layer):
    """tflearn's fully connected highway layer (core.py ``highway``), for inputs of n_units features:

    ``H = activation(x W + b)``, ``T = sigmoid(x W_T + b_T)`` (b_T starts at -1, W_T as W, not
    regularised), optionally dropped out with keep probability ``transform_dropout``,
    output ``H * T + x * (1 - T)``.
    """

    def __init__(self, n_units, activation="linear", transform_dropout=None, weights_init="truncated_normal",
                 bias_init="zeros", kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.n_units, self.activation_name = n_units, activation
        self.transform_dropout = transform_dropout
        # separate initializer objects for W and W_T: two draws, as tflearn's two variables
        self.inits = {"W": u.initializer(weights_init), "W_T": u.initializer(weights_init),
                      "b": u.initializer(bias_init, "bias_init")}
        self.kernel_regularizer = kernel_regularizer
        self.activation_fn = u.activation_function(activation, "highway")
        self.gate_dropout = (keras.layers.Dropout(1.0 - transform_dropout, name="transform_dropout")
                             if transform_dropout else None)

    def build(self, input_shape):
        n_inputs = input_shape[-1]
        self.W = self.add_weight(name="W", shape=(n_inputs, self.n_units), initializer=self.inits["W"],
                                 regularizer=self.kernel_regularizer)
        self.b = self.add_weight(name="b", shape=(self.n_units,), initializer=self.inits["b"])
        self.W_T = self.add_weight(name="W_T", shape=(n_inputs, self.n_units), initializer=self.inits["W_T"])
        self.b_T = self.add_weight(name="b_T", shape=(self.n_units,),
                                   initializer=keras.initializers.Constant(-1.0))

    def call(self, x, training=None):
        h = self.activation_fn(tf.matmul(x, self.W) + self.b)
        t = tf.sigmoid(tf.matmul(x, self.W_T) + self.b_T)
        if self.gate_dropout is not None:
            t = self.gate_dropout(t, training=training)
        return h * t + x * (1.0 - t)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.n_units)


def highway(incoming, n_units, activation="linear", transform_dropout=None, weights_init="truncated_normal",
            bias_init="zeros", regularizer=None, weight_decay=0.001, trainable=True, restore=True,
            reuse=False, scope=None, name="FullyConnectedHighway"):
    """A fully connected highway layer (Srivastava et al. 2015; see :class:`Highway`).

    The carry ``x * (1 - T)`` needs as many inputs as units: the (flattened) input must have
    ``n_units`` features. ``transform_dropout``: keep probability on the transform gate.
    """
    name = u.check_common("highway", restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor("highway", incoming)
    n_units = u.check_int("highway", "n_units", n_units)
    if transform_dropout is not None and not (
            isinstance(transform_dropout, (int, float)) and 0.0 < transform_dropout <= 1.0):
        raise ValueError(f"highway: transform_dropout={transform_dropout!r} is a keep probability in "
                         "(0, 1], or None")
    if len(incoming.shape) > 2:
        incoming = keras.layers.Flatten(name=f"{name}_flatten")(incoming)
    if incoming.shape[-1] != n_units:
        raise ValueError(f"highway: the input has {incoming.shape[-1]} features but n_units={n_units}; the "
                         "carry x * (1 - T) needs them equal (put a fully_connected layer of n_units before)")
    layer = Highway(n_units, activation=activation, transform_dropout=transform_dropout,
                    weights_init=weights_init, bias_init=bias_init,
                    kernel_regularizer=u.regularizer(regularizer, weight_decay), trainable=trainable, name=name)
    x = layer(incoming)
    # tflearn's attribute names on the output tensor
    x.W, x.W_t, x.b, x.b_t = layer.W, layer.W_T, layer.b, layer.b_T
    return x

"""What the tflearn-compatible layers share: unique names, argument formats, activations, initialisers.

tflearn (2016-2020) built TF1 graphs; this package rebuilds its API on Keras 3 layers. Three of its
habits need a little bookkeeping here:

* Names. tflearn opened a TF variable scope per layer, so a repeated name got a suffix
  (``inception_4a_1_1``, then ``inception_4a_1_1_1``) and the default names counted up
  (``Conv2D``, ``Conv2D_1``, ...). :func:`unique_name` does the same, per TF default graph:
  ``tf.compat.v1.reset_default_graph()`` starts the names afresh, as it did in tflearn.
* Inputs and training settings. tflearn kept them in graph collections (INPUTS, TRAIN_OPS) that
  ``DNN`` read back; :func:`graph_state` keeps the same lists per default graph.
* Arguments in tflearn's formats: kernel sizes as ``3``, ``[3, 3]`` or ``[1, 3, 3, 1]``.
"""
import weakref

import keras
import tensorflow as tf

_GRAPH_STATE = weakref.WeakKeyDictionary()


def graph_state():
    """The bookkeeping of the current TF default graph: used names, inputs, training settings."""
    graph = tf.compat.v1.get_default_graph()
    if graph not in _GRAPH_STATE:
        _GRAPH_STATE[graph] = {"names": set(), "inputs": [], "train_ops": []}
    return _GRAPH_STATE[graph]


def unique_name(name):
    """``name`` the first time, then ``name_1``, ``name_2``, ... (TF's variable-scope rule)."""
    used = graph_state()["names"]
    candidate, i = name, 0
    while candidate in used:
        i += 1
        candidate = f"{name}_{i}"
    used.add(candidate)
    return candidate


def unsupported(function, argument, instead):
    """The error for a tflearn argument this package does not implement."""
    return NotImplementedError(f"{function}: argument {argument} is not supported by utils.tflearn; "
                               f"{instead}")


def check_common(function, *, restore=True, reuse=False, scope=None, name=None):
    """Reject tflearn's graph-only options and return the layer name to use (scope wins, as in tflearn)."""
    if not restore:
        raise unsupported(function, "restore=False", "to keep some weights out of a restore, load "
                          "the weights with DNN.load and then set those layers' weights yourself.")
    if reuse:
        raise unsupported(function, "reuse=True", "to share weights, call the same Keras layer "
                          "object on both tensors (functional API).")
    return unique_name(scope or name)


def kernel_2d(value, what="filter_size"):
    """tflearn's 2-D size formats -> ``(height, width)``: ``3``, ``[3, 3]`` or ``[1, 3, 3, 1]``."""
    if isinstance(value, int):
        return (value, value)
    value = [int(v) for v in value]
    if len(value) == 2:
        return tuple(value)
    if len(value) == 4 and value[0] == 1 and value[3] == 1:
        return (value[1], value[2])
    raise ValueError(f"{what}={value!r}: give an int, [height, width] or [1, height, width, 1]")


def padding_name(padding):
    padding = str(padding).lower()
    if padding not in ("same", "valid"):
        raise ValueError(f"padding={padding!r}: tflearn padding is 'same' (the default) or 'valid'")
    return padding


# tflearn activation names that Keras knows under the same name and meaning.
KERAS_ACTIVATIONS = {"linear": None, "relu": "relu", "relu6": "relu6", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softmax": "softmax", "softplus": "softplus",
                     "softsign": "softsign", "elu": "elu", "selu": "selu"}


def activation_parts(activation, name):
    """Split a tflearn activation into (the Keras ``activation=`` argument, a layer to apply after).

    Most names map directly. ``leaky_relu`` keeps tflearn's slope 0.1 (Keras' default is 0.2) and
    ``prelu`` has weights, so both become a separate layer named ``{name}_{activation}``.
    """
    if activation is None or callable(activation):
        return activation, None
    if activation in KERAS_ACTIVATIONS:
        return KERAS_ACTIVATIONS[activation], None
    if activation == "leaky_relu":
        return None, keras.layers.LeakyReLU(negative_slope=0.1, name=f"{name}_leaky_relu")
    if activation == "prelu":
        return None, keras.layers.PReLU(name=f"{name}_prelu")
    raise ValueError(f"activation={activation!r} is not supported; use one of "
                     f"{sorted(KERAS_ACTIVATIONS) + ['leaky_relu', 'prelu']} or a Keras activation function")


def initializer(init):
    """tflearn's initialiser names (with tflearn's default parameters) -> a Keras initializer."""
    if init is None or not isinstance(init, str):
        return init if init is not None else "zeros"
    table = {
        "zeros": keras.initializers.Zeros(),
        # tf.uniform_unit_scaling_initializer: U(-sqrt(3/fan_in), +sqrt(3/fan_in))
        "uniform_scaling": keras.initializers.VarianceScaling(1.0, "fan_in", "uniform"),
        "truncated_normal": keras.initializers.TruncatedNormal(stddev=0.02),
        "normal": keras.initializers.RandomNormal(stddev=0.02),
        "uniform": keras.initializers.RandomUniform(0.0, 1.0),
        "xavier": keras.initializers.GlorotUniform(),
        "variance_scaling": keras.initializers.HeNormal(),
    }
    if init not in table:
        raise ValueError(f"weights_init={init!r} is not supported; use one of {sorted(table)} "
                         "or a keras.initializers object")
    return table[init]


def regularizer(kind, weight_decay):
    """tflearn's 'L2' is ``weight_decay * sum(w**2) / 2`` (tf.nn.l2_loss); Keras' L2 has no 1/2."""
    if kind is None:
        return None
    if kind == "L2":
        return keras.regularizers.L2(weight_decay / 2)
    if kind == "L1":
        return keras.regularizers.L1(weight_decay)
    raise ValueError(f"regularizer={kind!r}: use 'L2', 'L1' or None")


def apply(layer, incoming, after=None):
    """Call ``layer`` (and the optional activation layer ``after``); return the output tensor."""
    x = layer(incoming)
    return after(x) if after is not None else x

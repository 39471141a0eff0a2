"""What the tflearn-compatible layers share: unique names, argument checks, activations, initialisers.

tflearn (2016-2020) built TF1 graphs; this package rebuilds its API on Keras 3 layers. Three of its
habits need a little bookkeeping here:

* Names. tflearn opened a TF variable scope per layer, so a repeated name got a suffix
  (``inception_4a_1_1``, then ``inception_4a_1_1_1``) and the default names counted up
  (``Conv2D``, ``Conv2D_1``, ...). :func:`unique_name` does the same, per TF default graph:
  ``tf.compat.v1.reset_default_graph()`` starts the names afresh, as it did in tflearn.
* Inputs. tflearn kept them in the graph collection INPUTS, which ``DNN`` read back to know the
  order in which a list of arrays feeds them; :func:`graph_state` keeps the same list per graph.
* Arguments in tflearn's formats: kernel sizes as ``3``, ``[3, 3]`` or ``[1, 3, 3, 1]``.
"""
import numbers
import weakref

import keras
import tensorflow as tf

_GRAPH_STATE = weakref.WeakKeyDictionary()


def graph_state():
    """The bookkeeping of the current TF default graph: used names and inputs (creation order)."""
    graph = tf.compat.v1.get_default_graph()
    if graph not in _GRAPH_STATE:
        _GRAPH_STATE[graph] = {"names": set(), "inputs": []}
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
    return unique_name(layer_name(function, scope or name))


def name_for(function, name):
    """The unique Keras layer name for a tflearn ``name=`` argument."""
    return unique_name(layer_name(function, name))


def layer_name(function, name):
    """A tflearn name as a Keras layer name: Keras refuses '/', tflearn's scope separator, so
    ``'block1/conv'`` becomes ``'block1_conv'``."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"{function}: name={name!r}; give a non-empty str")
    return name.replace("/", "_")


# ------------------------------------------------------------------------------ argument checks
def check_tensor(function, incoming, ndims=None, argument="incoming"):
    """``incoming`` must be a Keras tensor (the output of input_data or of another layer), of a
    rank in ``ndims`` if given."""
    if not isinstance(incoming, keras.KerasTensor):
        raise TypeError(f"{function}: {argument}={type(incoming).__name__} object; give the tensor "
                        "returned by input_data or by another utils.tflearn layer")
    if ndims is not None and len(incoming.shape) not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{function}: {argument} has shape {tuple(incoming.shape)} ({len(incoming.shape)}-D); "
                         f"it must be {wanted} (batch first)")
    return incoming


def check_int(function, argument, value, minimum=1):
    """An int >= ``minimum`` (bools refused), else a TypeError/ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{function}: {argument}={value!r}; give an int >= {minimum}")
    if value < minimum:
        raise ValueError(f"{function}: {argument}={value!r}; give an int >= {minimum}")
    return int(value)


def check_number(function, argument, value, low=None, high=None, low_open=False, high_open=False):
    """A real number within [low, high] (ends open if asked), else a TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{function}: {argument}={value!r}; give a number")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open else '['}{lo}, {hi}{')' if high_open else ']'}"
        raise ValueError(f"{function}: {argument}={value!r}; give a number in {interval}")
    return float(value)


def check_bool(function, argument, value):
    if not isinstance(value, bool):
        raise TypeError(f"{function}: {argument}={value!r}; give True or False")
    return value


def kernel_2d(value, what="filter_size"):
    """tflearn's 2-D size formats -> ``(height, width)``: ``3``, ``[3, 3]`` or ``[1, 3, 3, 1]``;
    every size is a whole number >= 1."""
    hint = f"{what}={value!r}: give an int >= 1, [height, width] or [1, height, width, 1]"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        size = (int(value), int(value))
    else:
        try:
            given = [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValueError(hint) from None
        if len(given) == 2:
            size = tuple(given)
        elif len(given) == 4 and given[0] == 1 and given[3] == 1:
            size = (given[1], given[2])
        else:
            raise ValueError(hint)
    if min(size) < 1:
        raise ValueError(hint)
    return size


def padding_name(padding):
    padding = str(padding).lower()
    if padding not in ("same", "valid"):
        raise ValueError(f"padding={padding!r}: tflearn padding is 'same' (the default) or 'valid'")
    return padding


# ------------------------------------------------------------------------------ activations
# tflearn activation names that Keras knows under the same name and meaning.
KERAS_ACTIVATIONS = {"linear": None, "relu": "relu", "relu6": "relu6", "tanh": "tanh",
                     "sigmoid": "sigmoid", "softmax": "softmax", "softplus": "softplus",
                     "softsign": "softsign", "elu": "elu", "selu": "selu"}
ACTIVATION_NAMES = sorted(KERAS_ACTIVATIONS) + ["leaky_relu", "prelu"]


def prelu_layer(name, ndim):
    """tflearn's prelu (tflearn/activations.py ``prelu``): one slope per channel (the last axis),
    ``alphas`` of shape ``x.shape[-1:]`` initialised to zeros; Keras' PReLU shares nothing by
    default, so the other non-batch axes are shared here."""
    return keras.layers.PReLU(alpha_initializer="zeros", shared_axes=list(range(1, ndim - 1)) or None,
                              name=name)


def activation_parts(activation, name, ndim):
    """Split a tflearn activation into (the Keras ``activation=`` argument, a layer to apply after).

    Most names map directly. ``leaky_relu`` keeps tflearn's slope 0.1 (Keras' default is 0.2) and
    ``prelu`` has weights (one per channel: ``ndim`` is the rank of the tensor it applies to), so
    both become a separate layer named ``{name}_{activation}``.
    """
    if activation is None or callable(activation):
        return activation, None
    if activation in KERAS_ACTIVATIONS:
        return KERAS_ACTIVATIONS[activation], None
    if activation == "leaky_relu":
        return None, keras.layers.LeakyReLU(negative_slope=0.1, name=f"{name}_leaky_relu")
    if activation == "prelu":
        return None, prelu_layer(f"{name}_prelu", ndim)
    raise ValueError(f"activation={activation!r} is not supported; use one of {ACTIVATION_NAMES} "
                     "or a Keras activation function")


def activation_function(activation, function):
    """A weightless tflearn activation as a function of a tensor (for layers that apply it inside)."""
    if activation is None:
        return lambda x: x
    if callable(activation):
        return activation
    if activation in KERAS_ACTIVATIONS:
        return keras.activations.get(KERAS_ACTIVATIONS[activation] or "linear")
    if activation == "leaky_relu":
        return lambda x: keras.activations.leaky_relu(x, negative_slope=0.1)
    raise ValueError(f"{function}: activation={activation!r} is not supported here; use one of "
                     f"{sorted(KERAS_ACTIVATIONS) + ['leaky_relu']} or a Keras activation function")


# ------------------------------------------------------------------------------ weights
def initializer(init, argument="weights_init"):
    """tflearn's initialiser names (with tflearn's default parameters) -> a new Keras initializer.

    ``None`` is what TF1's ``tf.get_variable`` did with no initializer, which is what tflearn's
    layers passed on for ``weights_init=None`` or ``bias_init=None``: Glorot (Xavier) uniform.
    """
    from utils.tflearn import initializations

    if init is None:
        return keras.initializers.GlorotUniform()
    if not isinstance(init, str):
        if isinstance(init, keras.initializers.Initializer) or callable(init):
            return init
        raise TypeError(f"{argument}={init!r}; give a tflearn initializer name, None or a "
                        "keras.initializers object")
    if init not in initializations.NAMES:
        raise ValueError(f"{argument}={init!r} is not supported; use one of {sorted(initializations.NAMES)}, "
                         "None or a keras.initializers object")
    return getattr(initializations, init)()


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


def weight_arguments(weights_init, bias_init, kind, weight_decay):
    """The Keras keyword arguments of a tflearn layer's ``weights_init``, ``bias_init``,
    ``regularizer`` (here ``kind``) and ``weight_decay`` (conv_2d and fully_connected share them)."""
    return dict(kernel_initializer=initializer(weights_init),
                bias_initializer=initializer(bias_init, "bias_init"),
                kernel_regularizer=regularizer(kind, weight_decay))


def apply_weighted(layer, incoming, after=None):
    """:func:`apply`, then the layer's variables on the output tensor as ``.W`` and ``.b``, as
    tflearn exposed them."""
    x = apply(layer, incoming, after)
    x.W, x.b = layer.kernel, layer.bias
    return x


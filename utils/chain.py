"""caffe-tensorflow's chained ``Network.feed(...).conv(...)`` style, building a Keras model.

caffe-tensorflow (github.com/ethereon/caffe-tensorflow, 2016) converted Caffe models to TF1 code in
which a network is a subclass of ``Network`` whose ``setup`` chains layer methods::

    class NiN(Network):
        def setup(self):
            (self.feed('data')
                 .conv(11, 11, 96, 4, 4, padding='VALID', name='conv1')
                 .conv(1, 1, 96, 1, 1, name='cccp1')
                 ...)

``feed`` names the input(s) of the next layer (a layer name or several, for ``concat``); each
layer method adds one layer, stores its output under ``name`` and feeds it to the next call.
This module keeps the same method names, argument order and defaults (padding 'SAME', a ReLU
after every ``conv`` and ``fc`` unless ``relu=False``) but builds Keras layers, so
``Network.model()`` is an ordinary ``keras.Model`` you can train, save and count.
"""
import functools

import keras

from utils.checks import whole_number
from utils.layers import LocalResponseNormalization

DEFAULT_PADDING = "SAME"


def layer(op):
    """Turn ``op(self, input, ..., name)`` into a chainable method, as caffe-tensorflow did."""

    @functools.wraps(op)
    def chained(self, *args, **kwargs):
        name = kwargs.setdefault("name", self.get_unique_name(op.__name__))
        if not self.terminals:
            raise RuntimeError(f"layer {name!r}: nothing to feed it; call feed('some_layer') first")
        if name in self.layers:
            raise ValueError(f"layer name {name!r} is used twice; give each layer its own name=")
        layer_input = self.terminals[0] if len(self.terminals) == 1 else list(self.terminals)
        output = op(self, layer_input, *args, **kwargs)
        self.layers[name] = output
        self.feed(output)
        return self

    return chained


def whole_numbers(**sizes):
    """Check that every kernel size, stride and count is a whole number >= 1."""
    for name, value in sizes.items():
        whole_number(name, value)


def padding_name(padding):
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"padding={padding!r}: caffe-tensorflow padding is 'SAME' or 'VALID'")
    return padding.lower()


class Network:
    """Base class: subclass it and write ``setup`` as a chain of layer calls.

    inputs: a dict ``{name: keras.Input(...)}`` or ``{name: shape}`` (shape without the batch
    axis, e.g. ``{'data': (224, 224, 3)}``). ``trainable=False`` freezes every layer.
    After construction, ``self.layers[name]`` is the output tensor of each named layer and
    :meth:`model` wraps the network, from its inputs to the last layer, in a ``keras.Model``.
    """

    def __init__(self, inputs, trainable=True):
        self.inputs = {name: value if isinstance(value, keras.KerasTensor)
                       else keras.Input(shape=tuple(value), name=name)
                       for name, value in inputs.items()}
        self.terminals = []
        self.layers = dict(self.inputs)
        self.trainable = trainable
        self.setup()

    def setup(self):
        raise NotImplementedError("Network is a base class: subclass it and define setup()")

    def load(self, data_path, session=None, ignore_missing=False):
        raise NotImplementedError("Network.load read caffe-tensorflow's pickled .npy files, which this "
                                  "course never unpickles; set weights with "
                                  "model().get_layer(name).set_weights([kernel, bias]) instead.")

    def feed(self, *args):
        """Set the input(s) of the next layer: layer names or tensors."""
        if not args:
            raise ValueError("feed() needs at least one layer name or tensor")
        self.terminals = []
        for fed in args:
            if isinstance(fed, str):
                if fed not in self.layers:
                    raise ValueError(f"feed({fed!r}): no layer of that name; known: {sorted(self.layers)}")
                fed = self.layers[fed]
            self.terminals.append(fed)
        return self

    def get_output(self):
        """The output of the last layer added (or fed)."""
        return self.terminals[-1]

    def get_unique_name(self, prefix):
        """``prefix_1``, ``prefix_2``, ... for layers given no name (caffe-tensorflow's rule)."""
        return f"{prefix}_{sum(name.startswith(prefix) for name in self.layers) + 1}"

    def model(self, name=None):
        """A ``keras.Model`` from the inputs to :meth:`get_output`."""
        inputs = list(self.inputs.values())
        return keras.Model(inputs if len(inputs) > 1 else inputs[0], self.get_output(),
                           name=name or type(self).__name__.lower())

    # ---------------------------------------------------------------------------------- layers
    @layer
    def conv(self, input, k_h, k_w, c_o, s_h, s_w, name, relu=True, padding=DEFAULT_PADDING,
             group=1, biased=True):
        """``c_o`` filters of size ``k_h x k_w``, stride ``(s_h, s_w)``; ReLU unless relu=False;
        ``group=2`` splits the channels into two towers (AlexNet's two GPUs)."""
        whole_numbers(k_h=k_h, k_w=k_w, c_o=c_o, s_h=s_h, s_w=s_w, group=group)
        return keras.layers.Conv2D(c_o, (k_h, k_w), strides=(s_h, s_w), padding=padding_name(padding),
                                   groups=group, use_bias=biased, activation="relu" if relu else None,
                                   trainable=self.trainable, name=name)(input)

    @layer
    def relu(self, input, name):
        return keras.layers.ReLU(name=name)(input)

    @layer
    def max_pool(self, input, k_h, k_w, s_h, s_w, name, padding=DEFAULT_PADDING):
        whole_numbers(k_h=k_h, k_w=k_w, s_h=s_h, s_w=s_w)
        return keras.layers.MaxPooling2D((k_h, k_w), strides=(s_h, s_w), padding=padding_name(padding),
                                         name=name)(input)

    @layer
    def avg_pool(self, input, k_h, k_w, s_h, s_w, name, padding=DEFAULT_PADDING):
        whole_numbers(k_h=k_h, k_w=k_w, s_h=s_h, s_w=s_w)
        return keras.layers.AveragePooling2D((k_h, k_w), strides=(s_h, s_w),
                                             padding=padding_name(padding), name=name)(input)

    @layer
    def lrn(self, input, radius, alpha, beta, name, bias=1.0):
        """``tf.nn.local_response_normalization``; note Caffe's alpha is divided by its local_size
        when converted (Caffe's 1e-4 over 5 channels becomes alpha=2e-05, radius=2)."""
        return LocalResponseNormalization(depth_radius=radius, alpha=alpha, beta=beta, bias=bias,
                                          name=name)(input)

    @layer
    def concat(self, inputs, axis, name):
        return keras.layers.Concatenate(axis=axis, name=name)(inputs)

    @layer
    def add(self, inputs, name):
        return keras.layers.Add(name=name)(inputs)

    @layer
    def fc(self, input, num_out, name, relu=True):
        """A fully connected layer; a 4-D input is flattened first."""
        whole_number("num_out", num_out, example=4096)
        if len(input.shape) > 2:
            input = keras.layers.Flatten(name=f"{name}_flatten")(input)
        return keras.layers.Dense(num_out, activation="relu" if relu else None,
                                  trainable=self.trainable, name=name)(input)

    @layer
    def softmax(self, input, name):
        """Softmax over classes; a (batch, 1, 1, classes) input is squeezed to (batch, classes)."""
        if len(input.shape) > 2:
            if tuple(input.shape[1:3]) != (1, 1):
                raise ValueError(f"softmax {name!r}: expects (batch, classes) or (batch, 1, 1, classes), "
                                 f"got {tuple(input.shape)}; pool or fc to one value per class first")
            input = keras.layers.Flatten(name=f"{name}_squeeze")(input)
        return keras.layers.Softmax(name=name)(input)

    @layer
    def batch_normalization(self, input, name, scale_offset=True, relu=False):
        x = keras.layers.BatchNormalization(center=scale_offset, scale=scale_offset, epsilon=1e-5,
                                            trainable=self.trainable, name=name)(input)
        return keras.layers.ReLU(name=f"{name}_relu")(x) if relu else x

    @layer
    def dropout(self, input, keep_prob, name):
        """Keep each unit with probability ``keep_prob`` while training."""
        if not (isinstance(keep_prob, (int, float)) and 0 < keep_prob <= 1):
            raise ValueError(f"dropout {name!r}: keep_prob={keep_prob!r} must be in (0, 1], "
                             f"e.g. keep_prob=0.5 (the fraction of units kept)")
        return keras.layers.Dropout(1.0 - keep_prob, name=name)(input)

"""Layers and blocks that several of the course's models use.

* :class:`LocalResponseNormalization` -- AlexNet's LRN (2012) as a real, saveable Keras layer.
* :func:`bn_relu`, :func:`conv_bn_relu` -- BatchNormalization -> ReLU and Conv2D -> BN -> ReLU, the
  blocks of every post-2015 network here (one ``BN_EPSILON``; momentum is a parameter, not a copy);
* :func:`scaled` -- the one width rule of the builders' ``width`` option;
* :func:`classifier` and the argument checks every builder shares (:func:`check_input_shape`,
  :func:`check_num_classes`, :func:`check_classifier_activation`, :func:`check_width`).
* Grouped convolution (AlexNet's two GPU towers, ResNeXt's cardinality) needs no layer of its own:
  ``keras.layers.Conv2D(filters, kernel_size, groups=2)`` runs on the CPU in TF 2.21 (forward,
  backward and under XLA; ``tests/test_layers.py`` pins it), so the models use it directly.

**The builders' one signature**: ``builder(input_shape=..., num_classes=..., *,
classifier_activation="softmax", name=..., <family options>)``; the generic builders
``vgg(config, ...)``, ``resnet(blocks, ...)`` and ``densenet(blocks, ...)`` take the architecture
first, then the same. Every input layer is named ``input``. The last layer is always named
``predictions``: a ``Dense(num_classes, activation=classifier_activation)`` (keras.applications'
rule), or in NiN, which has no fully connected layer, an ``Activation(classifier_activation)`` on
the pooled class maps. ``classifier_activation=None`` makes the model output the logits.

LocalResponseNormalization is registered with ``keras.saving.register_keras_serializable(package=
"course")`` so that a model using it saves to ``.keras`` and loads back (a ``Lambda`` layer would not).
"""
import numbers

import keras
import tensorflow as tf

from utils.checks import whole_number, whole_numbers

# BN epsilon of keras.applications' ResNets and DenseNets (and of the reference Torch/Caffe models),
# used by every network here, so that weights copied from keras.applications give the same outputs.
BN_EPSILON = 1.001e-5
# BN momentum of the course's short runs (Keras' default 0.99 suits long ones): with a few hundred
# steps, 0.99 leaves the moving statistics used at test time near their initial values.
SHORT_RUN_MOMENTUM = 0.9


@keras.saving.register_keras_serializable(package="course")
class LocalResponseNormalization(keras.layers.Layer):
    """Local response normalisation across channels (Krizhevsky et al., 2012, section 3.3).

    Each activation is divided by a function of the squared activations of its neighbouring
    channels at the same pixel::

        sqr_sum[..., c] = sum(x[..., c - depth_radius : c + depth_radius + 1] ** 2)
        y[..., c]       = x[..., c] / (bias + alpha * sqr_sum[..., c]) ** beta

    This is exactly ``tf.nn.local_response_normalization`` (which this layer calls), with the same
    argument names. The paper's constants are n=5 (depth_radius=2), k=2 (bias), alpha=1e-4,
    beta=0.75; Caffe divides alpha by n, the paper and TF do not. The default bias=1.0 is the one
    of TensorFlow's old TF1 AlexNet benchmark script, which the course reproduces.

    Input: a 4-D channels-last tensor ``(batch, height, width, channels)``; output: same shape.
    """

    def __init__(self, depth_radius=2, bias=1.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if int(depth_radius) != depth_radius or depth_radius < 0:
            raise ValueError(f"depth_radius must be a non-negative integer (half the window of "
                             f"channels), got {depth_radius!r}; the paper's n=5 is depth_radius=2.")
        self.depth_radius = int(depth_radius)
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"LocalResponseNormalization expects 4-D channels-last input "
                             f"(batch, height, width, channels), got shape {tuple(input_shape)}; "
                             f"put it after a Conv2D or reshape the input first.")
        super().build(input_shape)

    def call(self, inputs):
        return tf.nn.local_response_normalization(
            inputs, depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha,
                      beta=self.beta)
        return config


def bn_relu(x, *, name, relu=True, momentum=0.99, epsilon=BN_EPSILON):
    """BatchNormalization over the channels, then ReLU (``relu=False``: BN only).

    Layers ``{name}_bn`` and ``{name}_relu`` (keras.applications' names). momentum: Keras' 0.99 suits
    long runs; the course's short runs use 0.9, so that the moving statistics used at test time catch
    up within a few dozen steps instead of staying near their initial values.
    """
    x = keras.layers.BatchNormalization(epsilon=epsilon, momentum=momentum, name=f"{name}_bn")(x)
    return keras.layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def conv_bn_relu(x, filters, kernel_size, strides=1, *, name, padding="same", use_bias=False,
                 relu=True, momentum=0.99, epsilon=BN_EPSILON):
    """Conv2D -> BatchNormalization -> ReLU, applied to the tensor ``x``; returns the output tensor.

    No bias by default: the batch normalisation right after the convolution subtracts the mean
    anyway and adds its own learned offset (beta); ``use_bias=True`` only reproduces models that
    kept it (MiniGoogLeNet). Layers ``{name}_conv``, ``{name}_bn``, ``{name}_relu``, so models built
    twice have the same layer names and weights can be matched by name.
    """
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias,
                            name=f"{name}_conv")(x)
    return bn_relu(x, name=name, relu=relu, momentum=momentum, epsilon=epsilon)


def scaled(filters, width, multiple=1):
    """The width rule of every builder: ``filters * width`` rounded to the nearest multiple of
    ``multiple`` (AlexNet's two towers need channels divisible by 2), and at least ``multiple``, so
    that a narrow model never loses a layer."""
    width = check_width(width)
    return max(multiple, int(round(filters * width / multiple)) * multiple)


# ------------------------------------------------------------------------ shared argument checks

def check_width(width):
    """``width`` as a float if it is a number > 0, else a ValueError saying what to pass."""
    if isinstance(width, bool) or not isinstance(width, numbers.Real) or not width > 0:
        raise ValueError(f"width={width!r}: must be a number > 0 that scales every layer's channels, "
                         f"e.g. width=0.25 for a quarter-width model or width=1.0 for the paper's")
    return float(width)


def check_input_shape(input_shape, min_size=1, *, model="this model", why="", fix=""):
    """``input_shape`` as a tuple ``(height, width, channels)`` of whole numbers >= 1 with both sides
    >= ``min_size``; otherwise a ValueError naming the model, why it needs that size and the fix."""
    shape = whole_numbers(input_shape, 3)
    if shape is None:
        raise ValueError(f"input_shape={input_shape!r}: must be (height, width, channels), three whole "
                         f"numbers >= 1, channels last, e.g. input_shape=(32, 32, 1)")
    height, width, _ = shape
    if min(height, width) < min_size:
        raise ValueError(f"input_shape={shape}: {model} needs inputs of at least {min_size}x{min_size} "
                         f"pixels{' (' + why + ')' if why else ''}, got {height}x{width}"
                         f"{': ' + fix if fix else ''}")
    return shape


def check_num_classes(num_classes):
    """``num_classes`` as an int >= 1, else a ValueError."""
    return whole_number("num_classes", num_classes, minimum=1, example=10)


def check_classifier_activation(classifier_activation):
    """``"softmax"`` (probabilities), ``None`` (logits) or another Keras activation name."""
    if classifier_activation is None:
        return None
    try:
        keras.activations.get(classifier_activation)
    except (ValueError, TypeError):
        raise ValueError(f"classifier_activation={classifier_activation!r}: use 'softmax' for "
                         f"probabilities or None for logits (as keras.applications does)") from None
    return classifier_activation


def check_builder_args(input_shape, num_classes, classifier_activation, min_size=1, **why):
    """The checks every builder runs first: input shape (and its minimum side), classes, activation."""
    shape = check_input_shape(input_shape, min_size, **why)
    return shape, check_num_classes(num_classes), check_classifier_activation(classifier_activation)


def classifier(x, num_classes, classifier_activation="softmax", name="predictions"):
    """The fully connected classifier all Dense-ending builders share: ``Dense(num_classes)`` named
    ``predictions`` with ``activation=classifier_activation`` (None: the model outputs logits)."""
    return keras.layers.Dense(num_classes, activation=classifier_activation, name=name)(x)


def fully_connected_head(x, units, dropout, numbers):
    """AlexNet's and VGG's head before the classifier: flatten, then one ReLU ``Dense(units)`` per
    number in ``numbers`` (named ``fc<n>``), each followed by ``Dropout(dropout)`` (``dropout<n>``)
    unless ``dropout`` is 0."""
    x = keras.layers.Flatten(name="flatten")(x)
    for i in numbers:
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    return x

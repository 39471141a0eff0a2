"""Layers and blocks that several of the course's models use.

* :class:`LocalResponseNormalization` -- AlexNet's LRN (2012) as a real, saveable Keras layer.
* :func:`conv_bn_relu` -- the Conv2D -> BatchNormalization -> ReLU block of the post-2015 networks.
* Grouped convolution (AlexNet's two GPU towers, ResNeXt's cardinality) needs no layer of its own:
  ``keras.layers.Conv2D(filters, kernel_size, groups=2)`` runs on the CPU in TF 2.21 (forward,
  backward and under XLA; ``tests/test_layers.py`` pins it), so the models use it directly.

Everything here is registered with ``keras.saving.register_keras_serializable(package="course")``
so that a model using it saves to ``.keras`` and loads back (a ``Lambda`` layer would not).
"""
import keras
import tensorflow as tf


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
    of the TF AlexNet benchmark (seed 003) that the course reproduces.

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


def conv_bn_relu(x, filters, kernel_size, strides=1, *, name, padding="same"):
    """Conv2D (no bias) -> BatchNormalization -> ReLU, applied to the tensor ``x``.

    The convolution has no bias because the batch normalisation right after it subtracts the
    mean anyway and adds its own learned offset (beta). Layers are named ``{name}_conv``,
    ``{name}_bn`` and ``{name}_relu``, so models built twice have the same layer names and
    weights can be matched by name. Returns the output tensor.
    """
    x = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False,
                            name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)

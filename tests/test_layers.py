"""Unit tests for utils/layers.py: LRN, conv_bn_relu and grouped convolution on the CPU."""
import os
import tempfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.layers import LocalResponseNormalization, conv_bn_relu


def _images(shape=(2, 5, 5, 7), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("kwargs", [{}, dict(depth_radius=5, bias=2.0, alpha=1e-3, beta=0.5)])
def test_lrn_layer_matches_tf_nn_lrn(kwargs):
    x = _images()
    expected = tf.nn.local_response_normalization(x, **{**dict(depth_radius=2, bias=1.0,
                                                                alpha=1e-4, beta=0.75), **kwargs})
    np.testing.assert_allclose(LocalResponseNormalization(**kwargs)(x), expected, rtol=1e-6)


def test_lrn_matches_the_papers_formula_in_numpy():
    x = _images() * 10  # large values so the normalisation matters
    r, k, alpha, beta = 2, 2.0, 1e-2, 0.75
    padded = np.pad(x ** 2, [(0, 0), (0, 0), (0, 0), (r, r)])
    sqr_sum = sum(padded[..., i:i + x.shape[-1]] for i in range(2 * r + 1))
    expected = x / (k + alpha * sqr_sum) ** beta
    got = LocalResponseNormalization(depth_radius=r, bias=k, alpha=alpha, beta=beta)(x)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_lrn_get_config_round_trips():
    layer = LocalResponseNormalization(depth_radius=3, bias=2.0, alpha=1e-3, beta=0.5, name="lrn")
    clone = LocalResponseNormalization.from_config(layer.get_config())
    assert (clone.depth_radius, clone.bias, clone.alpha, clone.beta, clone.name) == (3, 2.0, 1e-3, 0.5, "lrn")


def test_model_with_lrn_saves_to_keras_file_and_loads_with_equal_outputs():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(6, 3, activation="relu", name="conv")(inputs)
    x = LocalResponseNormalization(bias=2.0, name="lrn")(x)
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))
    x = _images((2, 8, 8, 3))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lrn.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
    assert isinstance(loaded.get_layer("lrn"), LocalResponseNormalization)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_lrn_rejects_non_4d_input_and_bad_radius():
    with pytest.raises(ValueError, match="4-D"):
        LocalResponseNormalization()(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="depth_radius"):
        LocalResponseNormalization(depth_radius=1.5)


def test_conv_bn_relu_names_shapes_and_params():
    inputs = keras.Input((16, 16, 3))
    outputs = conv_bn_relu(inputs, 8, 3, strides=2, name="stem")
    model = keras.Model(inputs, outputs)
    assert [l.name for l in model.layers[1:]] == ["stem_conv", "stem_bn", "stem_relu"]
    assert tuple(outputs.shape) == (None, 8, 8, 8)
    assert model.get_layer("stem_conv").bias is None
    # 3*3*3*8 kernel (no bias) + 4*8 batch-norm values (gamma, beta, moving mean and variance)
    assert model.count_params() == 3 * 3 * 3 * 8 + 4 * 8


def test_conv_bn_relu_computes_relu_of_batch_norm_of_the_convolution_at_inference():
    inputs = keras.Input((9, 9, 3))
    model = keras.Model(inputs, conv_bn_relu(inputs, 4, 3, strides=2, name="b"))
    rng = np.random.default_rng(1)
    gamma, beta, mean = rng.normal(size=(3, 4)).astype("float32")
    variance = rng.uniform(0.5, 2.0, 4).astype("float32")
    model.get_layer("b_bn").set_weights([gamma, beta, mean, variance])
    x = _images((2, 9, 9, 3))
    conv = tf.nn.conv2d(x, model.get_layer("b_conv").kernel, 2, "SAME").numpy()
    eps = model.get_layer("b_bn").epsilon
    expected = np.maximum(gamma * (conv - mean) / np.sqrt(variance + eps) + beta, 0)
    assert (expected == 0).any() and (expected > 0).any()  # the ReLU cuts some values, not all
    np.testing.assert_allclose(model(x, training=False), expected, rtol=1e-5, atol=1e-5)


def test_grouped_conv2d_runs_on_cpu_and_equals_split_and_concat():
    x = tf.constant(_images((2, 9, 9, 4)))
    grouped = keras.layers.Conv2D(6, 3, groups=2, use_bias=False)
    y = grouped(x)
    kernel = grouped.kernel.numpy()  # (3, 3, 4 / groups, 6)
    assert kernel.shape == (3, 3, 2, 6)
    halves = [tf.nn.conv2d(x[..., 2 * g:2 * g + 2], kernel[..., 3 * g:3 * g + 3], 1, "VALID")
              for g in range(2)]
    np.testing.assert_allclose(y, tf.concat(halves, axis=-1), rtol=1e-5, atol=1e-6)

    @tf.function(jit_compile=True)
    def grad(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(grouped(x) ** 2)
        return tape.gradient(loss, grouped.kernel)

    assert grad(x).shape == kernel.shape

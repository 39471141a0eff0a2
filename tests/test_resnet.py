"""Tests of utils.models.resnet: reference parameter counts, block behaviour, Highway, errors."""
import keras
import numpy as np
import pytest

from utils.models import resnet as R

# Measured with keras.applications.ResNet50 / ResNet50V2 / 101V2 / 152V2 (weights=None, 1000 classes).
KERAS_APPLICATIONS_COUNTS = {
    "resnet50": 25_636_712,
    "resnet_v2_50": 25_613_800,
    "resnet_v2_101": 44_675_560,
    "resnet_v2_152": 60_380_648,
}


@pytest.mark.parametrize("name", sorted(KERAS_APPLICATIONS_COUNTS))
def test_imagenet_builders_match_keras_applications_param_counts(name):
    model = getattr(R, name)()
    assert model.count_params() == KERAS_APPLICATIONS_COUNTS[name]
    assert model.output_shape == (None, 1000)


def test_resnet50_v1_and_v2_downsample_to_7x7_before_pooling():
    for builder, last in ((R.resnet50, "block4_unit3_out"), (R.resnet_v2_50, "postnorm_relu")):
        model = builder(input_shape=(224, 224, 3), num_classes=10)
        assert model.get_layer(last).output.shape == (None, 7, 7, 2048)


@pytest.mark.parametrize("size,stride", [(7, 2), (8, 2), (224, 2), (9, 3), (10, 1)])
def test_conv2d_same_output_is_ceil_of_input_over_stride(size, stride):
    x = keras.Input((size, size, 2))
    y = R.conv2d_same(x, 4, 3, stride, name="c")
    assert y.shape == (None, -(-size // stride), -(-size // stride), 4)


def test_subsample_keeps_every_nth_pixel_and_is_identity_at_factor_1():
    x = np.arange(2 * 6 * 6 * 1, dtype="float32").reshape(2, 6, 6, 1)
    inputs = keras.Input((6, 6, 1))
    assert R.subsample(inputs, 1, name="s") is inputs
    out = keras.Model(inputs, R.subsample(inputs, 2, name="s"))(x)
    np.testing.assert_array_equal(np.asarray(out), x[:, ::2, ::2])


def zero_last_conv(model, name):
    kernel, bias = model.get_layer(name).get_weights()
    model.get_layer(name).set_weights([np.zeros_like(kernel), np.zeros_like(bias)])


def test_bottleneck_v2_with_zero_residual_is_exact_identity():
    # Pre-activation: nothing after the addition, so a unit whose residual is zero passes x unchanged,
    # negative values included.
    inputs = keras.Input((5, 5, 8))
    model = keras.Model(inputs, R.bottleneck_v2(inputs, 8, 2, 1, name="u"))
    zero_last_conv(model, "u_conv3")
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 8)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x, training=False)), x, atol=1e-6)


def test_bottleneck_v1_with_zero_residual_is_relu_of_input():
    # v1 applies ReLU after the addition: the shortcut is not a clean identity.
    inputs = keras.Input((5, 5, 8))
    model = keras.Model(inputs, R.bottleneck_v1(inputs, 8, 2, 1, name="u"))
    zero_last_conv(model, "u_conv3")
    model.get_layer("u_conv3_bn").set_weights([np.zeros(8), np.zeros(8), np.zeros(8), np.ones(8)])
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 8)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x, training=False)), np.maximum(x, 0), atol=1e-6)


def test_units_project_the_shortcut_only_when_depth_changes():
    inputs = keras.Input((8, 8, 16))
    same = keras.Model(inputs, R.basic_block(inputs, 16, 2, name="a"))
    wider = keras.Model(inputs, R.basic_block(inputs, 32, 2, name="b"))
    assert isinstance(same.get_layer("a_shortcut"), keras.layers.MaxPooling2D)
    assert isinstance(wider.get_layer("b_shortcut"), keras.layers.Conv2D)
    assert same.output_shape == (None, 4, 4, 16) and wider.output_shape == (None, 4, 4, 32)


def test_highway_with_closed_gate_carries_input_and_open_gate_transforms():
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    closed = R.Highway(gate_bias=-50.0)
    np.testing.assert_allclose(np.asarray(closed(x)), x, atol=1e-6)
    opened = R.Highway(gate_bias=50.0)
    out = np.asarray(opened(x))
    h = np.maximum(x @ np.asarray(opened.h_kernel) + np.asarray(opened.h_bias), 0)
    np.testing.assert_allclose(out, h, atol=1e-5)


def test_highway_model_saves_and_loads(tmp_path):
    inputs = keras.Input((6,))
    model = keras.Model(inputs, R.Highway(gate_bias=-1.0, name="hw")(inputs))
    path = tmp_path / "highway.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.ones((2, 6), "float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert loaded.get_layer("hw").gate_bias == -1.0


def test_small_resnet_builds_for_fashion_mnist():
    model = R.small_resnet(depths=(8, 16), units=1)
    assert model.output_shape == (None, 10)
    assert model.get_layer("block2_unit1_out").output.shape == (None, 14, 14, 16)


def test_resnet_rejects_bad_blocks_with_a_clear_message():
    with pytest.raises(ValueError, match="at least one Block"):
        R.resnet([])
    with pytest.raises(ValueError, match="Block\\(scope, unit_fn, args\\)"):
        R.resnet([("block1", R.basic_block, [(16, 1)])])
    with pytest.raises(ValueError, match="input_shape"):
        R.resnet([R.Block("block1", R.basic_block, [(16, 1)])], input_shape=(28, 28))

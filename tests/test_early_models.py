"""Unit tests for the LeNet, AlexNet and VGG builders in utils/models: shapes, counts, errors."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.layers import LocalResponseNormalization
from utils.models.alexnet import alexnet, alexnet_tf1
from utils.models.lenet import lenet
from utils.models.vgg import vgg, vgg16_tf1


def _images(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# ---- LeNet-5 ------------------------------------------------------------------------------------
def test_lenet5_has_61706_parameters_and_classic_shapes():
    model = lenet((32, 32, 1), 10)
    assert model.count_params() == 156 + 2416 + 48120 + 10164 + 850 == 61706
    shapes = {l.name: tuple(l.output.shape[1:]) for l in model.layers}
    assert shapes["c1"] == (28, 28, 6) and shapes["s2"] == (14, 14, 6)
    assert shapes["c3"] == (10, 10, 16) and shapes["s4"] == (5, 5, 16)
    assert shapes["c5"] == (1, 1, 120) and shapes["predictions"] == (10,)


def test_lenet_width_scales_channels():
    model = lenet((32, 32, 1), 10, width=2.0)
    assert model.get_layer("c1").filters == 12 and model.get_layer("f6").units == 168


def test_lenet_rejects_28x28_input_and_unknown_pooling():
    with pytest.raises(ValueError, match="pad"):
        lenet((28, 28, 1), 10)
    with pytest.raises(ValueError, match="pooling"):
        lenet((32, 32, 1), 10, pooling="median")


# ---- AlexNet ------------------------------------------------------------------------------------
def test_alexnet_imagenet_parameter_counts_single_tower_and_two_groups():
    assert alexnet().count_params() == 62_378_344
    assert alexnet(groups=2).count_params() == 60_965_224


def test_alexnet_shapes_at_224_and_small_input():
    model = alexnet((224, 224, 3), 1000, width=0.125)
    assert tuple(model.get_layer("pool5").output.shape[1:]) == (6, 6, 32)
    small = alexnet((64, 64, 1), 10, width=0.25)
    assert tuple(small.get_layer("pool5").output.shape[1:]) == (1, 1, 64)
    assert isinstance(small.get_layer("lrn1"), LocalResponseNormalization)
    assert small.predict(_images((2, 64, 64, 1)), verbose=0).shape == (2, 10)


def test_alexnet_rejects_too_small_input_and_bad_groups():
    with pytest.raises(ValueError, match="at least 57x57"):
        alexnet((56, 56, 3), 10)
    alexnet((57, 57, 3), 10, width=0.125)  # the smallest that fits
    with pytest.raises(ValueError, match="groups"):
        alexnet(groups=3)


@pytest.mark.parametrize("groups", [1, 2])
def test_alexnet_tf1_graph_and_keras_agree_with_the_same_weights(groups):
    x = _images((3, 64, 64, 3))
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(0)
        images = tf.compat.v1.placeholder(tf.float32, [None, 64, 64, 3])
        logits, parameters = alexnet_tf1(images, 10, width=0.25, groups=groups)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            weights, expected = sess.run(parameters), sess.run(logits, {images: x})
    model = alexnet((64, 64, 3), 10, width=0.25, groups=groups, classifier_activation=None)
    assert sorted(w.path for w in model.weights) == sorted(weights)
    for w in model.weights:
        w.assign(weights[w.path])
    got = model(x)  # the logits: classifier_activation=None
    assert np.abs(expected).max() > 0.1  # outputs are not vanishingly small
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


# ---- VGG ----------------------------------------------------------------------------------------
def test_vgg16_matches_keras_applications_parameter_count():
    assert vgg("vgg16").count_params() == 138_357_544


def test_vgg_layer_names_and_kernel_shapes_match_keras_applications():
    ours = vgg("vgg16", (32, 32, 3), 10)
    ref = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    ref_shapes = {l.name: l.kernel.shape for l in ref.layers if l.weights}
    assert ref_shapes == {n: ours.get_layer(n).kernel.shape for n in ref_shapes}


@pytest.mark.parametrize("config, convs", [("vgg11", 8), ("vgg13", 10), ("vgg16", 13), ("vgg19", 16)])
def test_vgg_configurations_have_their_depth(config, convs):
    model = vgg(config, (32, 32, 1), 10, width=0.125)
    n_conv = sum(isinstance(l, keras.layers.Conv2D) for l in model.layers)
    assert n_conv == convs and n_conv + 3 == int(config[3:])


def test_vgg_batch_norm_uses_conv_bn_relu_blocks():
    model = vgg("vgg11", (32, 32, 1), 10, width=0.125, batch_norm=True)
    assert model.get_layer("block1_conv1_conv").bias is None
    assert isinstance(model.get_layer("block1_conv1_bn"), keras.layers.BatchNormalization)


def test_vgg_rejects_unknown_config_and_too_small_input():
    with pytest.raises(ValueError, match="config='vgg15': unknown VGG configuration"):
        vgg("vgg15")
    with pytest.raises(ValueError, match="at least 32x32"):
        vgg("vgg16", (28, 28, 1), 10)


def test_vgg16_tf1_variables_shapes_and_reuse():
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(0)
        images = tf.compat.v1.placeholder(tf.float32, [None, 32, 32, 3])
        logits = vgg16_tf1(images, 10, width=0.125)
        names = [v.name for v in tf.compat.v1.global_variables()]
        assert len(names) == 2 * 16 and names[0] == "vgg16/conv1_1/weight:0"
        assert logits.shape.as_list() == [None, 10]
        with pytest.raises(ValueError, match="already exists"):
            vgg16_tf1(images, 10, width=0.125)
        vgg16_tf1(images, 10, width=0.125, reuse=True)
        assert len(tf.compat.v1.global_variables()) == 32

"""utils.models.densenet and utils.models.senet: structure, parameter counts, SE arithmetic."""
import keras
import numpy as np
import pytest

from utils.layers import conv_bn_relu
from utils.models import densenet, resnet, senet


# DenseNet-121 against keras.applications.DenseNet121, weight for weight and output for output:
# tests/test_references.py.


@pytest.mark.parametrize("depth, params", [(169, 14_307_880), (201, 20_242_984)])
def test_densenet169_and_201_have_the_keras_applications_parameter_counts(depth, params):
    # the counts of keras.applications.DenseNet169/201(weights=None); input size does not change them
    model = getattr(densenet, f"densenet{depth}")(input_shape=(32, 32, 3))
    assert model.count_params() == params


def test_dense_block_adds_growth_rate_channels_per_layer():
    x = keras.Input((8, 8, 16))
    y = densenet.dense_block(x, num_layers=3, growth_rate=12, name="b")
    assert y.shape[-1] == densenet.dense_block_channels(16, 3, 12) == 16 + 3 * 12
    assert y.shape[1:3] == (8, 8)


def test_transition_layer_compresses_channels_and_halves_resolution():
    y = densenet.transition_layer(keras.Input((8, 8, 50)), compression=0.5, name="t")
    assert tuple(y.shape[1:]) == (4, 4, 25)
    with pytest.raises(ValueError, match="compression"):
        densenet.transition_layer(keras.Input((8, 8, 50)), compression=1.5, name="t2")


def test_small_densenet_bc_grows_and_compresses_channels_as_the_paper_says():
    # stem 2k = 24 channels at stride 2; each block adds 3 x 12; each transition halves (floor)
    model = densenet.small_densenet_bc()
    shape = {name: tuple(model.get_layer(name).output.shape[1:]) for name in (
        "stem_conv", "dense1_block3_concat", "transition1_pool", "dense2_block3_concat",
        "transition2_pool", "dense3_block3_concat", "avg_pool", "predictions")}
    assert shape == {"stem_conv": (14, 14, 24), "dense1_block3_concat": (14, 14, 60),
                     "transition1_pool": (7, 7, 30), "dense2_block3_concat": (7, 7, 66),
                     "transition2_pool": (3, 3, 33), "dense3_block3_concat": (3, 3, 69),
                     "avg_pool": (69,), "predictions": (10,)}


@pytest.mark.parametrize("channels, ratio", [(256, 16), (64, 4), (12, 3)])
def test_se_parameters_counts_the_weights_of_a_built_se_block(channels, ratio):
    x_in = keras.Input((4, 4, channels))
    block = keras.Model(x_in, senet.squeeze_excite(x_in, ratio=ratio, name="se"))
    assert senet.se_parameters(channels, ratio) == block.count_params()
    assert senet.se_parameters(256, 16) == 8464


def test_se_resnet50_is_resnet50_plus_the_se_layers():
    plain_model, se_model = senet.se_resnet50(ratio=None), senet.se_resnet50()
    # ratio=None is resnet50 itself: the same layers, names and weights
    reference = resnet.resnet50()
    assert [l.name for l in plain_model.layers] == [l.name for l in reference.layers]
    assert plain_model.name == "resnet50" and se_model.name == "se_resnet50"
    plain, se = senet.trainable_parameters(plain_model), senet.trainable_parameters(se_model)
    blocks = [(256, 3), (512, 4), (1024, 6), (2048, 3)]
    extra = sum(n * senet.se_parameters(c, 16) for c, n in blocks)
    assert extra == 2_530_992
    # keras.applications' ResNet-50: 25,636,712 = 25,583,592 learned + 53,120 BN moving statistics;
    # torchvision's 25,557,032 is the same net without the 26,560 (redundant) conv biases
    assert plain_model.count_params() == 25_636_712 and plain == 25_583_592
    assert se == plain + extra == 28_114_584 and se_model.count_params() == 28_167_704
    # every SE block sits on a unit's residual branch, before the addition
    assert len([l for l in se_model.layers if l.name.endswith("_se_excite")]) == 16
    add = se_model.get_layer("block1_unit1_add")
    assert se_model.get_layer("block1_unit1_se_scale").output.name == add._inbound_nodes[0].input_tensors[1].name


def test_squeeze_excite_scales_each_channel_by_sigmoid_of_two_fc_layers():
    x_in = keras.Input((3, 3, 8))
    model = keras.Model(x_in, senet.squeeze_excite(x_in, ratio=4, name="se"))
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 8)).astype("float32")
    w1, b1 = model.get_layer("se_reduce").get_weights()
    w2, b2 = model.get_layer("se_excite").get_weights()
    z = x.mean(axis=(1, 2))
    s = 1 / (1 + np.exp(-(np.maximum(z @ w1 + b1, 0) @ w2 + b2)))
    np.testing.assert_allclose(model(x), x * s[:, None, None, :], rtol=1e-5, atol=1e-6)


def test_se_wrap_puts_se_on_the_residual_branch_before_the_addition():
    x_in = keras.Input((4, 4, 8))
    def branch(x):  # a basic residual branch: 3x3 conv-BN-ReLU, 3x3 conv-BN
        return conv_bn_relu(conv_bn_relu(x, 8, 3, name="b_1"), 8, 3, name="b_2", relu=False)

    block = senet.se_wrap(branch, ratio=2, shortcut="identity", name="b_se")
    model = keras.Model(x_in, block(x_in))
    add = model.get_layer("b_se_add")
    inputs = [t.name for t in add._inbound_nodes[0].input_tensors]
    assert model.get_layer("b_se_scale").output.name in inputs


def test_se_wrap_without_shortcut_recalibrates_a_whole_module():
    x_in = keras.Input((4, 4, 3))
    module = senet.se_wrap(lambda x: keras.layers.Conv2D(8, 1, name="m")(x), ratio=2, name="inc_se")
    model = keras.Model(x_in, module(x_in))
    assert tuple(model.output.shape[1:]) == (4, 4, 8) and model.layers[-1].name == "inc_se_scale"


def test_bad_reduction_ratio_is_rejected():
    for ratio in (16, 3, 0, None):  # > channels, does not divide 8, < 1, missing
        with pytest.raises(ValueError, match=f"ratio={ratio!r}: the SE reduction ratio"):
            senet.squeeze_excite(keras.Input((4, 4, 8)), ratio=ratio)


def test_small_se_resnet_and_plain_twin_differ_only_by_the_se_layers():
    se = senet.small_se_resnet(ratio=4)
    plain = senet.small_se_resnet(ratio=None)
    assert (se.name, plain.name) == ("small_se_resnet", "small_se_resnet_plain")  # not small_resnet
    assert [l.name for l in plain.layers] == [l.name for l in resnet.small_resnet(
        depths=(16, 32, 64), units=1, first_stride=2).layers]  # the same units as resnet's
    extra = sum(senet.se_parameters(c, 4) for c in (16, 32, 64))
    assert se.count_params() - plain.count_params() == extra

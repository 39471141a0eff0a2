"""utils.flops: every rule checked against hand arithmetic (a multiply-add = 2 FLOPs)."""
import utils

utils.setup()

import keras  # noqa: E402
import pytest  # noqa: E402
from keras import layers  # noqa: E402

from utils import flops  # noqa: E402


def by_name(model):
    return {name: f for name, _, f in flops.flops_by_layer(model)}


def test_conv_dense_pool_bn_rules_match_hand_arithmetic_on_a_small_model():
    inputs = keras.Input((8, 8, 4))
    x = layers.Conv2D(6, 3, padding="same", activation="relu", name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)                       # 4x4x6
    x = layers.Conv2D(6, 1, use_bias=False, name="pw")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="fc")(x)
    f = by_name(keras.Model(inputs, outputs))
    # conv: 8*8*6 outputs, each 3*3*4 = 36 multiply-adds, + bias + ReLU
    assert f["conv"] == 2 * 36 * (8 * 8 * 6) + 8 * 8 * 6 + 8 * 8 * 6
    assert f["bn"] == 2 * 8 * 8 * 6
    assert f["pool"] == 4 * (4 * 4 * 6)
    assert f["pw"] == 2 * 6 * (4 * 4 * 6)                            # no bias, no activation
    assert f["gap"] == 4 * 4 * 6
    assert f["fc"] == 2 * 6 * 10 + 10 + 10
    assert flops.count_flops(keras.Model(inputs, outputs)) == sum(f.values())


def test_grouped_conv_costs_one_group_th_of_the_dense_conv():
    inputs = keras.Input((5, 5, 8))
    full = layers.Conv2D(8, 3, use_bias=False, name="full")(inputs)
    grouped = layers.Conv2D(8, 3, groups=4, use_bias=False, name="grouped")(inputs)
    f = by_name(keras.Model(inputs, [full, grouped]))
    assert f["full"] == 2 * 3 * 3 * 8 * (3 * 3 * 8)
    assert f["grouped"] * 4 == f["full"]


def test_depthwise_and_separable_convs_count_their_two_parts():
    inputs = keras.Input((6, 6, 3))
    dw = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="dw")(inputs)
    sep = layers.SeparableConv2D(5, 3, padding="same", use_bias=False, name="sep")(inputs)
    f = by_name(keras.Model(inputs, [dw, sep]))
    assert f["dw"] == 2 * 9 * (6 * 6 * 3)
    assert f["sep"] == 2 * 9 * (6 * 6 * 3) + 2 * 3 * (6 * 6 * 5)


def test_add_multiply_cost_per_element_and_concatenate_is_free():
    a, b, c = keras.Input((4, 4, 2)), keras.Input((4, 4, 2)), keras.Input((4, 4, 2))
    add = layers.Add(name="add")([a, b, c])
    mul = layers.Multiply(name="mul")([a, b])
    cat = layers.Concatenate(name="cat")([a, b])
    relu = layers.ReLU(name="relu")(cat)
    f = by_name(keras.Model([a, b, c], [add, mul, relu]))
    assert f["add"] == 2 * 32 and f["mul"] == 32 and f["cat"] == 0 and f["relu"] == 64


def test_sequential_and_nested_models_are_counted():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="d1")], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, layers.Dense(2, name="d2")])
    assert flops.count_flops(outer) == (2 * 3 * 4 + 4) + (2 * 4 * 2 + 2)


def test_unknown_layer_type_raises_naming_the_fix_and_custom_rules_apply():
    class Doubler(layers.Layer):
        def call(self, x):
            return 2 * x

    inputs = keras.Input((3, 3, 2))
    model = keras.Model(inputs, Doubler(name="twice")(inputs))
    with pytest.raises(ValueError, match="custom=.*Doubler"):
        flops.count_flops(model)
    assert flops.count_flops(model, custom={"Doubler": lambda layer, ins, out: 18}) == 18


def test_unknown_spatial_size_raises():
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match="fixed input_shape"):
        flops.count_flops(model)


def test_format_flops_uses_three_significant_digits():
    assert flops.format_flops(7_751_000_000) == "7.75 GFLOPs"
    assert flops.format_flops(31_234_000) == "31.2 MFLOPs"
    assert flops.format_flops(12) == "12 FLOPs"


def test_local_response_normalization_has_a_built_in_rule():
    from utils.layers import LocalResponseNormalization

    inputs = keras.Input((4, 4, 6))
    model = keras.Model(inputs, LocalResponseNormalization(depth_radius=2, name="lrn")(inputs))
    assert flops.count_flops(model) == (2 * 5 + 4) * 4 * 4 * 6

"""utils.flops: every rule checked against hand arithmetic (a multiply-add = 2 FLOPs), and whole
models cross-checked against two independent counts: a hand count of the multiply-adds of LeNet-5
and AlexNet from their layer sizes, and TensorFlow's own profiler on a frozen graph of each model.
"""
import math
import re

import keras
import pytest
from keras import layers

from utils import flops
from utils.models import googlenet, nin, resnet
from utils.models.alexnet import alexnet
from utils.models.lenet import lenet
from utils.models.vgg import vgg


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



# ------------------------------------------------------------------ whole models, counted by hand
# A hand count of the multiply-adds (MACs) from the layer sizes, written out here rather than read
# from the model: output height x width x channels x (inputs one output sees). utils.flops counts
# 2 FLOPs per MAC, plus 1 per output for a bias and 1 for a fused ReLU or softmax.

def test_lenet5_flops_equal_a_hand_count_of_its_multiply_adds():
    macs = {  # 32x32 input: c1 28x28x6, s2 14x14x6, c3 10x10x16, s4 5x5x16, c5 1x1x120
        "c1": (28 * 28 * 6, 5 * 5 * 1), "c3": (10 * 10 * 16, 5 * 5 * 6), "c5": (120, 5 * 5 * 16),
        "f6": (84, 120), "predictions": (10, 84)}
    assert sum(n * k for n, k in macs.values()) == 416_520
    f = by_name(lenet((32, 32, 1), 10))
    for name, (outputs, per_output) in macs.items():
        assert f[name] == 2 * outputs * per_output + outputs + outputs, name  # bias + ReLU/softmax
    assert (f["s2"], f["s4"]) == (2 * 2 * 14 * 14 * 6, 2 * 2 * 5 * 5 * 16)
    assert flops.count_flops(lenet((32, 32, 1), 10)) == 2 * 416_520 + 2 * 6518 + 6304 == 852_380


def test_alexnet_two_towers_flops_equal_a_hand_count():
    # 224x224, conv1 11x11/4 "same" -> 56; 3x3/2 valid pools -> 27, 13, 6. groups=2 halves the
    # inputs of conv2, conv4 and conv5 (each tower sees its own half of the channels).
    macs = {
        "conv1": (56 * 56 * 96, 11 * 11 * 3), "conv2": (27 * 27 * 256, 5 * 5 * 96 // 2),
        "conv3": (13 * 13 * 384, 3 * 3 * 256), "conv4": (13 * 13 * 384, 3 * 3 * 384 // 2),
        "conv5": (13 * 13 * 256, 3 * 3 * 384 // 2), "fc6": (4096, 6 * 6 * 256),
        "fc7": (4096, 4096), "predictions": (1000, 4096)}
    total_macs = sum(n * k for n, k in macs.values())
    assert total_macs == 728_274_944  # the ~0.72 G multiply-adds quoted for the 2012 two-tower net
    model = alexnet(groups=2)
    f = by_name(model)
    for name, (outputs, per_output) in macs.items():
        relu = outputs  # a ReLU, or for predictions (the paper's fc8) the softmax
        assert f[name] == 2 * outputs * per_output + outputs + relu, name
    lrn = 2 * (2 * 2 + 1) + 4  # depth_radius 2: 5 squares summed (2 each), then 4 more per output
    assert (f["lrn1"], f["lrn2"]) == (lrn * 56 * 56 * 96, lrn * 27 * 27 * 256)
    assert (f["pool1"], f["pool2"], f["pool5"]) == (9 * 27 * 27 * 96, 9 * 13 * 13 * 256, 9 * 6 * 6 * 256)
    assert f["flatten"] == f["dropout6"] == 0


# --------------------------------------------------------- whole models, counted by TensorFlow
# TensorFlow's profiler counts the FLOPs of a graph from its own per-op statistics
# (tensorflow/python/profiler/internal/flops_registry.py and nn_ops.py), independently of this
# course: Conv2D and MatMul 2 per multiply-add (as utils.flops), BiasAdd 1 per output, MaxPool and
# AvgPool k*k per output, Mean 1 per input, AddV2/Mul/Sub 1 per output element. Where the two
# conventions differ, `in_tf_convention` converts ours, rule by rule:
# * ReLU: TensorFlow registers no FLOPs for Relu (0); utils.flops counts 1 per element;
# * softmax: TensorFlow 5 per element; utils.flops 1;
# * LRN: TensorFlow registers no FLOPs for LRN (0); utils.flops (2 (2r+1) + 4) per element;
# * BatchNormalization: both 2 per element, and TensorFlow adds 6 per channel for folding the
#   statistics into a scale and shift on every call (variance + eps, rsqrt counted 2, x gamma,
#   mean x scale, beta - ...), which utils.flops leaves out (a deployed model folds them once).

def tf_profiler_flops_by_layer(model):
    """FLOPs of one image per Keras layer, as tf.compat.v1.profiler counts a frozen graph."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec((1, *model.input.shape[1:]), tf.float32)
    concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(concrete)  # weights become constants
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    with tf.Graph().as_default() as graph:
        tf.graph_util.import_graph_def(frozen.graph.as_graph_def(), name="")
        root = tf.compat.v1.profiler.profile(graph, cmd="scope", options=options)
    names = [layer.name for layer in model.layers]
    per_layer = dict.fromkeys(names, 0)

    def walk(node):
        if node.float_ops:
            scope = node.name.split("/")[1]  # "<model>_1/<layer>_1/<op>": the layer's name scope
            owner = [n for n in names if scope == n or re.fullmatch(re.escape(n) + r"_\d+", scope)]
            assert len(owner) == 1, f"op {node.name} belongs to {owner}"
            per_layer[owner[0]] += node.float_ops
        for child in node.children:
            walk(child)

    walk(root)
    assert sum(per_layer.values()) == root.total_float_ops
    return per_layer


def in_tf_convention(model):
    """utils.flops' count per layer, converted to the TF profiler's convention (rules above)."""
    out = {}
    for layer, (name, kind, f) in zip(model.layers, flops.flops_by_layer(model)):
        elements = math.prod(layer.output.shape[1:])
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        if kind == "Softmax" or activation == "softmax":
            f += (5 - 1) * elements
        elif kind == "ReLU" or activation == "relu":
            f -= elements
        elif kind == "LocalResponseNormalization":
            f = 0
        elif kind == "BatchNormalization":
            f += 6 * layer.output.shape[-1]
        out[name] = f
    return out


SMALL_GOOGLENET = {block: tuple(max(1, w // 8) for w in widths)
                   for block, widths in googlenet.INCEPTION_V1.items()}
PROFILED = {
    "lenet5": lambda: lenet((32, 32, 1), 10),
    # one tower: Keras runs a grouped convolution as a nested jit-compiled function, whose ops the
    # profiler does not enter (it would count 0); the hand count above covers groups=2
    "alexnet": lambda: alexnet((64, 64, 3), 10, width=0.25),
    "vgg16": lambda: vgg("vgg16", (32, 32, 3), 10, width=0.25),
    "googlenet": lambda: googlenet.googlenet((64, 64, 3), 10, widths=SMALL_GOOGLENET),
    "nin_small": lambda: nin.nin_small(),
    "small_resnet": lambda: resnet.small_resnet(depths=(8, 16), units=1),
}


@pytest.mark.parametrize("name", PROFILED)
def test_flops_per_layer_agree_with_tensorflows_profiler(name):
    model = PROFILED[name]()
    tf_count = tf_profiler_flops_by_layer(model)
    assert all(tf_count[layer.name] > 0 for layer in model.layers if layer.weights)  # all were seen
    assert tf_count == in_tf_convention(model)

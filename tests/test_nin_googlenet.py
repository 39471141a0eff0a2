"""utils.models.nin and utils.models.googlenet: parameter counts, equal chain/functional networks."""
import keras
import numpy as np

from utils import flops
from utils.models import googlenet, nin


def test_nin_imagenet_chain_and_functional_agree_in_parameters_and_outputs():
    chain = nin.NiNChain({"data": (224, 224, 3)}).model()
    functional = nin.nin_imagenet()
    assert chain.count_params() == functional.count_params() == 7_595_176
    functional.set_weights(chain.get_weights())
    x = np.random.default_rng(0).random((1, 224, 224, 3), dtype=np.float32)
    np.testing.assert_allclose(functional(x).numpy(), chain(x).numpy(), atol=1e-6)


def test_mlpconv_1x1_layers_are_dense_layers_at_every_pixel():
    inputs = keras.Input((5, 5, 3))
    model = keras.Model(inputs, nin.mlpconv(inputs, 4, 3, name="b", micro_filters=(6, 2)))
    assert [layer.name for layer in model.layers[1:]] == ["b_conv", "b_cccp1", "b_cccp2"]
    x = np.random.default_rng(1).random((2, 5, 5, 4), dtype=np.float32)
    cccp = model.get_layer("b_cccp1")
    kernel, bias = cccp.get_weights()
    np.testing.assert_allclose(cccp(x).numpy(), np.maximum(x @ kernel[0, 0] + bias, 0), atol=1e-5)


def test_nin_small_ends_in_global_average_pooling_of_class_maps():
    model = nin.nin_small()
    assert model.get_layer("block3_cccp2").output.shape == (None, 7, 7, 10)
    assert model.output_shape == (None, 10)


def test_googlenet_has_6998552_parameters_in_both_styles():
    functional = googlenet.googlenet()
    chain = googlenet.GoogLeNetChain({"data": (224, 224, 3)}).model()
    assert functional.count_params() == chain.count_params() == 6_998_552
    assert [w.shape for w in functional.get_weights()] == [w.shape for w in chain.get_weights()]
    assert functional.get_layer("inception_5b_output").output.shape == (None, 7, 7, 1024)
    # utils.flops: 1.60 G multiply-adds (FLOPs / 2; the paper: about 1.5 billion)
    assert flops.count_flops(functional) == 3_195_844_912


def test_reduced_inception_module_saves_parameters_and_compute():
    inputs = keras.Input((28, 28, 192))
    naive = keras.Model(inputs, googlenet.naive_inception_module(inputs, 64, 128, 32, name="n"))
    reduced = keras.Model(inputs, googlenet.inception_module(inputs, *googlenet.INCEPTION_V1["3a"], name="r"))
    assert naive.output_shape == (None, 28, 28, 64 + 128 + 32 + 192)
    assert reduced.output_shape == (None, 28, 28, 256)
    assert (naive.count_params(), reduced.count_params()) == (387_296, 163_696)
    # the convolutions: 2 FLOPs per multiply-add (387,072 and 163,328 per pixel), + bias + ReLU per output
    conv = {name: sum(f for _, kind, f in flops.flops_by_layer(m) if kind == "Conv2D")
            for name, m in (("naive", naive), ("reduced", reduced))}
    outputs = {"naive": 784 * (64 + 128 + 32), "reduced": 784 * (64 + 96 + 128 + 16 + 32 + 32)}
    assert conv == {"naive": 2 * 387_072 * 784 + 2 * outputs["naive"],
                    "reduced": 2 * 163_328 * 784 + 2 * outputs["reduced"]}
    assert (flops.count_flops(naive), flops.count_flops(reduced)) == (608_634_880, 258_030_080)


def test_mini_googlenet_shapes_and_width():
    half = googlenet.mini_googlenet((32, 32, 1), width=0.5)
    assert half.get_layer("inception_3b_output").output.shape == (None, 7, 7, 88 + 80)
    assert half.output_shape == (None, 10)
    quarter = googlenet.mini_googlenet((32, 32, 1), width=0.25)
    assert quarter.count_params() < half.count_params() / 3

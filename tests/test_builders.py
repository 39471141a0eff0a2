"""Every model builder of utils/models, at a small input it accepts: two builds give the same layer
names (so weights and checkpoints match by name), a ``.keras`` save/load round trip gives the
same outputs, and ``classifier_activation=None`` gives the logits (the softmax's inputs). Then the
one signature (input_shape, num_classes, classifier_activation, name) and the argument checks:
every bad argument raises a ValueError that names it.

The ImageNet-size ResNets, DenseNets and SE-ResNet-50 (25-60 M parameters) are left out to keep
the run short: their layer names are looked up one by one in tests/test_references.py, and their
units and stems are built here through the generic ``resnet()``/``densenet()`` builders and the
small variants.
"""
import keras
import numpy as np
import pytest

from utils import layers as L
from utils.models import alexnet as alexnet_module
from utils.models import densenet, googlenet, lenet as lenet_module, nin, resnet, senet, vgg as vgg_module
from utils.models.alexnet import alexnet
from utils.models.lenet import lenet
from utils.models.vgg import vgg

R = resnet
TINY_INCEPTION = {block: tuple(max(1, w // 8) for w in widths)
                  for block, widths in googlenet.INCEPTION_V1.items()}

BUILDERS = {
    "lenet": lambda: lenet((32, 32, 1), 10),
    "lenet_tanh_avg": lambda: lenet((32, 32, 1), 10, activation="tanh", pooling="avg"),
    "alexnet": lambda: alexnet((64, 64, 3), 10, width=0.125),
    "alexnet_two_towers": lambda: alexnet((64, 64, 3), 10, width=0.125, groups=2),
    **{config: (lambda c=config: vgg(c, (32, 32, 3), 10, width=0.125))
       for config in ("vgg11", "vgg13", "vgg16", "vgg19")},
    "vgg11_bn": lambda: vgg("vgg11", (32, 32, 3), 10, width=0.125, batch_norm=True),
    "nin_small": lambda: nin.nin_small(dropout=0.2),
    "nin_imagenet": lambda: nin.nin_imagenet((96, 96, 3), 10),
    "nin_chain": lambda: nin.NiNChain({"data": (224, 224, 3)}).model(),
    "googlenet": lambda: googlenet.googlenet((64, 64, 3), 10, widths=TINY_INCEPTION),
    "googlenet_chain": lambda: googlenet.GoogLeNetChain({"data": (224, 224, 3)}).model(),
    "mini_googlenet": lambda: googlenet.mini_googlenet((32, 32, 1), width=0.25),
    "small_resnet": lambda: R.small_resnet(depths=(8, 16), units=2),
    "resnet_v1_bottleneck": lambda: R.resnet(
        [R.Block("block1", R.bottleneck_v1, [(32, 8, 1), (32, 8, 1)]),
         R.Block("block2", R.bottleneck_v1, [(64, 16, 2)])],
        (64, 64, 3), 5, preact=False, root_depth=16, name="tiny_resnet_v1"),
    "resnet_v2_bottleneck": lambda: R.resnet(
        [R.Block("block1", R.bottleneck_v2, [(32, 8, 1), (32, 8, 2)]),
         R.Block("block2", R.bottleneck_v2, [(64, 16, 1)])],
        (64, 64, 3), 5, preact=True, root_depth=16, name="tiny_resnet_v2"),
    "resnet_v2_small_root": lambda: R.resnet(
        [R.Block("block1", R.bottleneck_v2, [(16, 4, 2)])], (28, 28, 1), 10, preact=True,
        imagenet_root=False, root_depth=8),
    "densenet": lambda: densenet.densenet((2, 2), (64, 64, 3), 5, growth_rate=8, name="tiny_densenet"),
    "small_densenet_bc": lambda: densenet.small_densenet_bc(),
    "small_se_resnet": lambda: senet.small_se_resnet(),
    "small_se_resnet_plain": lambda: senet.small_se_resnet(ratio=None),
    "se_resnet_tiny": lambda: R.resnet(  # se_resnet50's unit: resnet's bottleneck_v1 + an SE block
        [R.resnet_v1_block("block1", 8, 2, 1, senet.se_unit(R.bottleneck_v1, 4))], (32, 32, 3), 5,
        root_depth=16, name="se_resnet_tiny"),
    "resnet_v2_block": lambda: R.resnet(
        [R.resnet_v2_block("block1", 4, 2, 2), R.resnet_v2_block("block2", 8, 1, 1)], (32, 32, 3), 5,
        preact=True, root_depth=8, name="tiny_v2_blocks"),
}

# The named builders with the one signature (the ImageNet-size ones at their smallest sizes would
# still be 25-60 M parameters: they are built once in tests/test_resnet.py / test_references.py).
SIGNATURE = {
    "lenet": lenet_module.lenet, "alexnet": alexnet_module.alexnet, "vgg11": vgg_module.vgg11,
    "vgg13": vgg_module.vgg13, "vgg16": vgg_module.vgg16, "vgg19": vgg_module.vgg19,
    "nin_imagenet": nin.nin_imagenet, "nin_small": nin.nin_small, "googlenet": googlenet.googlenet,
    "mini_googlenet": googlenet.mini_googlenet, "resnet50": resnet.resnet50,
    "resnet_v2_50": resnet.resnet_v2_50, "resnet_v2_101": resnet.resnet_v2_101,
    "resnet_v2_152": resnet.resnet_v2_152, "resnet_v2_200": resnet.resnet_v2_200,
    "small_resnet": resnet.small_resnet, "densenet121": densenet.densenet121,
    "densenet169": densenet.densenet169, "densenet201": densenet.densenet201,
    "small_densenet_bc": densenet.small_densenet_bc, "se_resnet50": senet.se_resnet50,
    "small_se_resnet": senet.small_se_resnet,
}
GENERIC = {"vgg": vgg_module.vgg, "resnet": resnet.resnet, "densenet": densenet.densenet}


def randomize_statistics(model, seed=0):
    """Random biases and BN parameters/statistics, so a round trip that lost any would show."""
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        if w.name == "kernel":
            values.append(np.asarray(w))
        elif w.name in ("gamma", "moving_variance"):
            values.append(rng.uniform(0.5, 1.5, w.shape).astype("float32"))
        else:  # bias, beta, moving_mean
            values.append(rng.normal(0.0, 0.1, w.shape).astype("float32"))
    model.set_weights(values)


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_names_layers_deterministically_and_round_trips_through_a_keras_file(name, tmp_path):
    model = BUILDERS[name]()
    again = BUILDERS[name]()  # Keras numbers unnamed layers per process: conv2d, then conv2d_1
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert [w.path for w in again.weights] == [w.path for w in model.weights]

    randomize_statistics(model)
    x = np.random.default_rng(1).normal(size=(2, *model.input.shape[1:])).astype("float32")
    expected = np.asarray(model(x, training=False))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert np.ptp(expected, axis=-1).max() > 0.01 * np.abs(expected).max()  # not a constant output
    np.testing.assert_allclose(np.asarray(loaded(x, training=False)), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", [n for n in BUILDERS if not n.endswith("_chain")])  # chains: caffe-tensorflow's names
def test_classifier_activation_none_gives_the_logits_the_softmax_is_applied_to(name):
    model = BUILDERS[name]()
    assert model.layers[-1].name == "predictions"  # the one rule: the classifier is "predictions"
    # the same architecture with logits out (what classifier_activation=None builds), same weights
    config = model.get_config()
    for layer in config["layers"]:
        if layer["config"]["name"] == "predictions":
            layer["config"]["activation"] = "linear"
    logits_model = keras.Model.from_config(config)
    logits_model.set_weights(model.get_weights())
    x = np.random.default_rng(2).normal(size=(2, *model.input.shape[1:])).astype("float32")
    logits = np.asarray(logits_model(x, training=False), np.float64)
    probabilities = np.asarray(model(x, training=False), np.float64)
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probabilities, softmax / softmax.sum(axis=1, keepdims=True),
                               rtol=1e-5, atol=1e-6)


SMALL_CALLS = {  # a small input each named builder accepts, for the signature tests
    "lenet": dict(input_shape=(32, 32, 1)), "alexnet": dict(input_shape=(64, 64, 3), width=0.125),
    "vgg11": dict(input_shape=(32, 32, 3), width=0.125), "nin_small": dict(input_shape=(28, 28, 1)),
    "mini_googlenet": dict(input_shape=(32, 32, 1), width=0.25),
    "small_resnet": dict(depths=(8, 16), units=1), "small_densenet_bc": dict(blocks=(2, 2)),
    "small_se_resnet": dict(depths=(8, 16)),
}


@pytest.mark.parametrize("name", SMALL_CALLS)
def test_named_builders_take_the_one_signature(name):
    build = SIGNATURE[name]
    logits = build(num_classes=3, classifier_activation=None, name=f"my_{name}", **SMALL_CALLS[name])
    assert logits.name == f"my_{name}" and logits.output_shape == (None, 3)
    assert logits.input.name == "input" or logits.layers[0].name == "input"
    assert logits.get_layer("predictions").get_config()["activation"] == "linear"


def test_every_named_builder_has_the_one_signature():
    import inspect
    for name, build in SIGNATURE.items():
        parameters = inspect.signature(build).parameters
        assert list(parameters)[:2] == ["input_shape", "num_classes"], name
        for keyword in ("classifier_activation", "name"):
            assert parameters[keyword].kind is inspect.Parameter.KEYWORD_ONLY, (name, keyword)
        assert parameters["classifier_activation"].default == "softmax", name
    for name, build in GENERIC.items():  # the architecture first, then the same signature
        assert list(inspect.signature(build).parameters)[1:3] == ["input_shape", "num_classes"], name


BAD_ARGUMENTS = [  # (builder, kwargs, the argument the message must name)
    *[(name, dict(input_shape=shape), "input_shape=")
      for name in SIGNATURE for shape in ((32, 0, 1), (-1, 32, 3), (32, 32))],
    *[(name, dict(num_classes=n), "num_classes=") for name in SIGNATURE for n in (0, -3, 2.5)],
    *[(name, dict(classifier_activation="sofmax"), "classifier_activation=") for name in SIGNATURE],
    ("lenet", dict(input_shape=(28, 28, 1)), "at least 32x32"),
    ("lenet", dict(pooling="median"), "pooling="),
    ("lenet", dict(width=0), "width=0"),
    ("alexnet", dict(input_shape=(56, 56, 3)), "at least 57x57"),
    ("alexnet", dict(groups=3), "groups=3"),
    ("alexnet", dict(width=-1.0), "width=-1.0"),
    ("alexnet", dict(dropout=1.0), "dropout=1.0"),
    ("vgg16", dict(input_shape=(31, 31, 3)), "at least 32x32"),
    ("vgg16", dict(width=0.0), "width=0.0"),
    ("nin_imagenet", dict(input_shape=(58, 58, 3)), "at least 59x59"),
    ("nin_small", dict(widths=(16, 32)), "widths="),
    ("nin_small", dict(widths=(16, 0, 48)), "filters=0"),
    ("googlenet", dict(widths={"3a": (64, 96, 128, 16, 32, 32)}), "widths has modules"),
    ("mini_googlenet", dict(input_shape=(28, 28, 1)), "at least 31x31"),
    ("mini_googlenet", dict(width=0), "width=0"),
    ("small_resnet", dict(depths=()), "depths=()"),
    ("small_resnet", dict(units=0), "units=0"),
    ("small_resnet", dict(first_stride=3), "first_stride=3"),
    ("small_resnet", dict(depths=(16, 0)), "depth=0"),
    ("densenet121", dict(input_shape=(28, 28, 3)), "at least 29x29"),
    ("small_densenet_bc", dict(growth_rate=0), "growth_rate=0"),
    ("small_densenet_bc", dict(compression=0.0), "compression=0.0"),
    ("small_densenet_bc", dict(compression=1.5), "compression=1.5"),
    ("small_densenet_bc", dict(blocks=(3, 0)), "blocks=(3, 0)"),
    ("small_densenet_bc", dict(input_shape=(6, 6, 1)), "at least 7x7"),
    ("small_se_resnet", dict(ratio=0), "ratio=0"),
    ("small_se_resnet", dict(ratio=3), "ratio=3"),    # does not divide 16
    ("small_se_resnet", dict(ratio=32), "ratio=32"),  # more than 16 channels
]


@pytest.mark.parametrize("name, kwargs, named", BAD_ARGUMENTS,
                         ids=[f"{n}-{list(k)[0]}={list(k.values())[0]!r}" for n, k, _ in BAD_ARGUMENTS])
def test_bad_builder_arguments_raise_a_value_error_naming_them(name, kwargs, named):
    with pytest.raises(ValueError) as error:
        SIGNATURE[name](**kwargs)
    assert named in str(error.value)


def test_generic_builders_and_blocks_check_their_arguments():
    with pytest.raises(ValueError, match="config='vgg15': unknown VGG configuration"):
        vgg("vgg15")
    with pytest.raises(ValueError, match="blocks=\(\)"):
        densenet.densenet(())
    with pytest.raises(ValueError, match="root_depth=0"):
        R.resnet([R.Block("block1", R.basic_block, [(16, 1)])], (28, 28, 1), root_depth=0)
    with pytest.raises(ValueError, match="stride=0"):
        R.resnet([R.Block("block1", R.basic_block, [(16, 0)])], (28, 28, 1))
    with pytest.raises(ValueError, match="num_units=0"):
        R.resnet_v2_block("block1", 64, 0, 2)
    x = keras.Input((8, 8, 16))
    with pytest.raises(ValueError, match="f3_reduce=0"):
        googlenet.inception_module(x, 8, 0, 8, 4, 4, 4, name="bad")
    with pytest.raises(ValueError, match="padding='full'"):
        nin.mlpconv(x, 8, 3, padding="full", name="bad")
    with pytest.raises(ValueError, match="growth_rate=-4"):
        densenet.dense_layer(x, -4, name="bad")
    with pytest.raises(ValueError, match="shortcut='projection'"):
        senet.se_wrap(lambda t: t, shortcut="projection")
    with pytest.raises(ValueError, match="width=0"):
        L.scaled(64, 0)
    assert [L.scaled(f, 0.125) for f in (6, 16, 96)] == [1, 2, 12]  # round, at least 1
    assert [L.scaled(f, 0.25, multiple=2) for f in (96, 6, 2)] == [24, 2, 2]  # divisible by 2

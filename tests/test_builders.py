"""Every model builder of utils/models, at a small input it accepts: two builds give the same layer
names (so weights and checkpoints match by name), and a ``.keras`` save/load round trip gives the
same outputs.

The ImageNet-size ResNets, DenseNets and SE-ResNet-50 (25-60 M parameters) are left out to keep
the run short: their layer names are looked up one by one in tests/test_references.py, and their
units and stems are built here through the generic ``resnet()``/``densenet()`` builders and the
small variants.
"""
import keras
import numpy as np
import pytest

from utils.models import densenet, googlenet, nin, resnet, senet
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
    "small_resnet_without_se": lambda: senet.small_se_resnet(ratio=None),
}


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

"""tflearn's image examples, run through utils.tflearn.

Each script below is one of tflearn's own examples (github.com/tflearn/tflearn, master, directory
examples/images/; the tflearn 0.5.0 sdist on PyPI ships no examples), condensed only by dropping
its docstring, comments and blank lines: every statement is tflearn's. The scripts keep their
``import tflearn`` lines and run with ``tflearn`` bound to ``utils.tflearn`` (sys.modules, see
:func:`tflearn_bound`), which is what changing the import does; their dataset loaders
(``tflearn.datasets.mnist`` ...) are bound to small stand-in data of the right shapes. The only
edits, listed per test and checked to occur exactly once, shrink the run: the image size where
the script allows, the depth knob ``n``, and ``n_epoch``.

GoogLeNet (examples/images/googlenet.py) runs from chapter 09's notebook cell, which is that script
with its imports changed (``import utils.tflearn as tflearn``) and its size, epoch and data lines
parametrised, as the chapter runs it.
"""
import json
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import utils.tflearn

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:Even though the `tf.config.experimental_run_functions_eagerly`")
LINE = re.compile(r"Training step (\d+) \| (\w+) \| epoch 001 \| loss \d+\.\d{3} ±10%")


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new graph (tflearn's names start again; conftest.py seeds every test); and Keras' training
    step run eagerly: tracing these networks' tf.function takes ten times longer than the one step
    they take (the graph path is covered by tests/test_tflearn.py and chapter 09's own run)."""
    tf.compat.v1.reset_default_graph()
    tf.config.run_functions_eagerly(True)
    yield
    tf.config.run_functions_eagerly(False)


def images(n, size, channels, n_classes, seed=0):
    """Stand-in images in [0, 1]: class k lights the k-th of n_classes horizontal bands, on noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % n_classes
    x = 0.3 * rng.random((n, size, size, channels))
    rows = np.linspace(0, n_classes, size, endpoint=False).astype(int)
    x[rows[None, :] == labels[:, None]] += 0.7
    return x, labels


def one_hot_rows(labels, n_classes):
    return np.eye(n_classes, dtype=np.float32)[labels]


def fake_datasets():
    """tflearn.datasets.{mnist, cifar10, oxflower17} with tflearn's return formats
    (tflearn/datasets/*.py load_data), on small stand-in data."""
    def mnist_load_data(data_dir="mnist/", one_hot=False):
        (x, y), (tx, ty) = images(24, 28, 1, 10), images(12, 28, 1, 10, seed=1)
        enc = (lambda labels: np.eye(10, dtype=np.float32)[labels]) if one_hot else (lambda labels: labels)
        return (x.reshape(-1, 784).astype(np.float32), enc(y), tx.reshape(-1, 784).astype(np.float32), enc(ty))

    def cifar10_load_data(dirname="cifar-10-batches-py", one_hot=False):
        (x, y), (tx, ty) = images(20, 32, 3, 10), images(10, 32, 3, 10, seed=1)  # float64 in [0, 1], int labels
        if one_hot:
            y, ty = np.eye(10)[y], np.eye(10)[ty]
        return (x, y), (tx, ty)

    def oxflower17_load_data(dirname="17flowers", resize_pics=(224, 224), shuffle=True, one_hot=False):
        x, y = images(20, SIZE["oxflower17"], 3, 17)
        return x.astype(np.float32), (one_hot_rows(y, 17) if one_hot else y)

    modules = {}
    for name, load in (("mnist", mnist_load_data), ("cifar10", cifar10_load_data),
                       ("oxflower17", oxflower17_load_data)):
        modules[name] = types.ModuleType(f"tflearn.datasets.{name}")
        modules[name].load_data = load
    return modules


SIZE = {"oxflower17": 32}  # the stand-in flowers' size, set by each flower test


@pytest.fixture
def tflearn_bound(monkeypatch, tmp_path):
    """``import tflearn`` (and its submodules) gives utils.tflearn; tflearn.datasets the stand-ins.
    The scripts run in a temporary directory (their checkpoints go there)."""
    monkeypatch.chdir(tmp_path)
    for name, module in list(sys.modules.items()):
        if name == "utils.tflearn" or name.startswith("utils.tflearn."):
            monkeypatch.setitem(sys.modules, name[len("utils."):], module)
    datasets = types.ModuleType("tflearn.datasets")
    for name, module in fake_datasets().items():
        setattr(datasets, name, module)
        monkeypatch.setitem(sys.modules, f"tflearn.datasets.{name}", module)
    monkeypatch.setitem(sys.modules, "tflearn.datasets", datasets)
    monkeypatch.setattr(utils.tflearn, "datasets", datasets, raising=False)
    return tmp_path


def run_example(script, edits, capsys):
    """exec a tflearn script after the listed (old, new) edits; return its namespace and its output lines."""
    for old, new in edits:
        assert script.count(old) == 1, f"edit {old!r} must match exactly once"
        script = script.replace(old, new)
    namespace = {"__name__": "__main__"}
    exec(compile(script, "<tflearn example>", "exec"), namespace)  # noqa: S102 - the test's own script text
    return namespace, capsys.readouterr().out.strip().splitlines()


def trained(namespace, lines, optimizer, steps):
    """The script built a DNN, which trained ``steps`` steps and printed tflearn's epoch line."""
    model = namespace["model"]
    assert isinstance(model, utils.tflearn.DNN)
    match = LINE.match(lines[-1])
    assert match, lines[-1]
    assert (int(match[1]), match[2]) == (steps, optimizer)
    return model


# ---------------------------------------- examples/images/alexnet.py
ALEXNET = """
from __future__ import division, print_function, absolute_import
import tflearn
from tflearn.layers.core import input_data, dropout, fully_connected
from tflearn.layers.conv import conv_2d, max_pool_2d
from tflearn.layers.normalization import local_response_normalization
from tflearn.layers.estimator import regression
import tflearn.datasets.oxflower17 as oxflower17
X, Y = oxflower17.load_data(one_hot=True)
network = input_data(shape=[None, 224, 224, 3])
network = conv_2d(network, 96, 11, strides=4, activation='relu')
network = max_pool_2d(network, 3, strides=2)
network = local_response_normalization(network)
network = conv_2d(network, 256, 5, activation='relu')
network = max_pool_2d(network, 3, strides=2)
network = local_response_normalization(network)
network = conv_2d(network, 384, 3, activation='relu')
network = conv_2d(network, 384, 3, activation='relu')
network = conv_2d(network, 256, 3, activation='relu')
network = max_pool_2d(network, 3, strides=2)
network = local_response_normalization(network)
network = fully_connected(network, 4096, activation='tanh')
network = dropout(network, 0.5)
network = fully_connected(network, 4096, activation='tanh')
network = dropout(network, 0.5)
network = fully_connected(network, 17, activation='softmax')
network = regression(network, optimizer='momentum',
                     loss='categorical_crossentropy',
                     learning_rate=0.001)
model = tflearn.DNN(network, checkpoint_path='model_alexnet',
                    max_checkpoints=1, tensorboard_verbose=2)
model.fit(X, Y, n_epoch=1000, validation_set=0.1, shuffle=True,
          show_metric=True, batch_size=64, snapshot_step=200,
          snapshot_epoch=False, run_id='alexnet_oxflowers17')
"""


def test_alexnet_example(tflearn_bound, capsys):
    SIZE["oxflower17"] = 32
    ns, lines = run_example(ALEXNET, [("224, 224", "32, 32"), ("n_epoch=1000", "n_epoch=1")], capsys)
    # 20 stand-in flowers, validation_set=0.1: int(20 * 0.9) = 18 for training, drawn at random
    assert lines[0] == "Run id: alexnet_oxflowers17 | training samples: 18 | validation samples: 2"
    model = trained(ns, lines, "Momentum", steps=1)
    assert "val_acc" in lines[-1] and len(model.validation_index) == 2
    assert model.model.output_shape == (None, 17)


# ---------------------------------------- examples/images/vgg_network.py
VGG = """
from __future__ import division, print_function, absolute_import
import tflearn
from tflearn.layers.core import input_data, dropout, fully_connected
from tflearn.layers.conv import conv_2d, max_pool_2d
from tflearn.layers.estimator import regression
import tflearn.datasets.oxflower17 as oxflower17
X, Y = oxflower17.load_data(one_hot=True)
network = input_data(shape=[None, 224, 224, 3])
network = conv_2d(network, 64, 3, activation='relu')
network = conv_2d(network, 64, 3, activation='relu')
network = max_pool_2d(network, 2, strides=2)
network = conv_2d(network, 128, 3, activation='relu')
network = conv_2d(network, 128, 3, activation='relu')
network = max_pool_2d(network, 2, strides=2)
network = conv_2d(network, 256, 3, activation='relu')
network = conv_2d(network, 256, 3, activation='relu')
network = conv_2d(network, 256, 3, activation='relu')
network = max_pool_2d(network, 2, strides=2)
network = conv_2d(network, 512, 3, activation='relu')
network = conv_2d(network, 512, 3, activation='relu')
network = conv_2d(network, 512, 3, activation='relu')
network = max_pool_2d(network, 2, strides=2)
network = conv_2d(network, 512, 3, activation='relu')
network = conv_2d(network, 512, 3, activation='relu')
network = conv_2d(network, 512, 3, activation='relu')
network = max_pool_2d(network, 2, strides=2)
network = fully_connected(network, 4096, activation='relu')
network = dropout(network, 0.5)
network = fully_connected(network, 4096, activation='relu')
network = dropout(network, 0.5)
network = fully_connected(network, 17, activation='softmax')
network = regression(network, optimizer='rmsprop',
                     loss='categorical_crossentropy',
                     learning_rate=0.001)
model = tflearn.DNN(network, checkpoint_path='model_vgg',
                    max_checkpoints=1, tensorboard_verbose=0)
model.fit(X, Y, n_epoch=500, shuffle=True,
          show_metric=True, batch_size=32, snapshot_step=500,
          snapshot_epoch=False, run_id='vgg_oxflowers17')
"""


def test_vgg_network_example(tflearn_bound, capsys):
    SIZE["oxflower17"] = 16
    ns, lines = run_example(VGG, [("224, 224", "16, 16"), ("n_epoch=500", "n_epoch=1")], capsys)
    model = trained(ns, lines, "RMSProp", steps=1)  # tflearn's class name, not Keras' "RMSprop"
    assert "val_" not in lines[-1]  # no validation_set
    assert sum("conv" in layer.name.lower() for layer in model.model.layers) == 13


# ---------------------------------------- examples/images/googlenet.py
def chapter_cell(notebook, marker):
    cells = json.loads((ROOT / "chapters" / notebook).read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = [s for s in sources if marker in s]
    assert len(found) == 1, f"{notebook}: {len(found)} code cells hold {marker!r}"
    return found[0]


def test_googlenet_example_as_chapter_09_runs_it(tflearn_bound, capsys):
    script = chapter_cell("09_googlenet.ipynb",
                          "model = tflearn.DNN(network, checkpoint_path='model_googlenet'")
    assert "import utils.tflearn as tflearn" in script  # the one change a reader makes

    def load_flowers(folder, one_hot=True, resize_pics=(227, 227)):
        x, y = images(34, resize_pics[0], 3, 17)
        return x.astype(np.float32), one_hot_rows(y, 17)

    namespace = {"__name__": "__main__", "IMAGE_SIZE": 32, "N_EPOCH": 1, "FLOWERS_DIR": None,
                 "load_flowers": load_flowers}
    exec(compile(script, "<chapter 09>", "exec"), namespace)  # noqa: S102
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Run id: googlenet_oxflowers17 | training samples: 30 | validation samples: 4"
    trained(namespace, lines, "Momentum", steps=1)
    # the chapter's checks on the model (its next code cell)
    check = chapter_cell("09_googlenet.ipynb", "assert \"inception_4a_1_1_1\" in names")
    exec(compile(check, "<chapter 09 check>", "exec"), {**namespace, "np": np})  # noqa: S102


# ---------------------------------------- examples/images/residual_network_cifar10.py
RESNET_CIFAR10 = """
from __future__ import division, print_function, absolute_import
import tflearn
n = 5
from tflearn.datasets import cifar10
(X, Y), (testX, testY) = cifar10.load_data()
Y = tflearn.data_utils.to_categorical(Y)
testY = tflearn.data_utils.to_categorical(testY)
img_prep = tflearn.ImagePreprocessing()
img_prep.add_featurewise_zero_center(per_channel=True)
img_aug = tflearn.ImageAugmentation()
img_aug.add_random_flip_leftright()
img_aug.add_random_crop([32, 32], padding=4)
net = tflearn.input_data(shape=[None, 32, 32, 3],
                         data_preprocessing=img_prep,
                         data_augmentation=img_aug)
net = tflearn.conv_2d(net, 16, 3, regularizer='L2', weight_decay=0.0001)
net = tflearn.residual_block(net, n, 16)
net = tflearn.residual_block(net, 1, 32, downsample=True)
net = tflearn.residual_block(net, n-1, 32)
net = tflearn.residual_block(net, 1, 64, downsample=True)
net = tflearn.residual_block(net, n-1, 64)
net = tflearn.batch_normalization(net)
net = tflearn.activation(net, 'relu')
net = tflearn.global_avg_pool(net)
net = tflearn.fully_connected(net, 10, activation='softmax')
mom = tflearn.Momentum(0.1, lr_decay=0.1, decay_step=32000, staircase=True)
net = tflearn.regression(net, optimizer=mom,
                         loss='categorical_crossentropy')
model = tflearn.DNN(net, checkpoint_path='model_resnet_cifar10',
                    max_checkpoints=10, tensorboard_verbose=0,
                    clip_gradients=0.)
model.fit(X, Y, n_epoch=200, validation_set=(testX, testY),
          snapshot_epoch=False, snapshot_step=500,
          show_metric=True, batch_size=128, shuffle=True,
          run_id='resnet_cifar10')
"""


def test_residual_network_cifar10_example(tflearn_bound, capsys):
    ns, lines = run_example(RESNET_CIFAR10, [("n = 5", "n = 1"), ("n_epoch=200", "n_epoch=1")], capsys)
    assert lines[0] == "Run id: resnet_cifar10 | training samples: 20 | validation samples: 10"
    assert lines[1:3] == ["---------------------------------",
                          "Preprocessing... Calculating mean over all dataset (this may take long)..."]
    model = trained(ns, lines, "Momentum", steps=1)
    assert model.model.optimizer.global_clipnorm is None  # clip_gradients=0.
    assert ns["Y"].shape == (20, 10)  # to_categorical(Y) without nb_classes: one column per label seen
    prep = model.model.get_layer("InputData_preprocessing")
    np.testing.assert_allclose(prep.mean.numpy(), ns["X"].mean(axis=(0, 1, 2)), rtol=1e-5)


# ---------------------------------------- examples/images/residual_network_mnist.py
RESNET_MNIST = """
from __future__ import division, print_function, absolute_import
import tflearn
import tflearn.data_utils as du
import tflearn.datasets.mnist as mnist
X, Y, testX, testY = mnist.load_data(one_hot=True)
X = X.reshape([-1, 28, 28, 1])
testX = testX.reshape([-1, 28, 28, 1])
X, mean = du.featurewise_zero_center(X)
testX = du.featurewise_zero_center(testX, mean)
net = tflearn.input_data(shape=[None, 28, 28, 1])
net = tflearn.conv_2d(net, 64, 3, activation='relu', bias=False)
net = tflearn.residual_bottleneck(net, 3, 16, 64)
net = tflearn.residual_bottleneck(net, 1, 32, 128, downsample=True)
net = tflearn.residual_bottleneck(net, 2, 32, 128)
net = tflearn.residual_bottleneck(net, 1, 64, 256, downsample=True)
net = tflearn.residual_bottleneck(net, 2, 64, 256)
net = tflearn.batch_normalization(net)
net = tflearn.activation(net, 'relu')
net = tflearn.global_avg_pool(net)
net = tflearn.fully_connected(net, 10, activation='softmax')
net = tflearn.regression(net, optimizer='momentum',
                         loss='categorical_crossentropy',
                         learning_rate=0.1)
model = tflearn.DNN(net, checkpoint_path='model_resnet_mnist',
                    max_checkpoints=10, tensorboard_verbose=0)
model.fit(X, Y, n_epoch=100, validation_set=(testX, testY),
          show_metric=True, batch_size=256, run_id='resnet_mnist')
"""


def test_residual_network_mnist_example(tflearn_bound, capsys):
    ns, lines = run_example(RESNET_MNIST, [("n_epoch=100", "n_epoch=1")], capsys)
    model = trained(ns, lines, "Momentum", steps=1)
    assert model.model.output_shape == (None, 10)
    assert (tflearn_bound / "model_resnet_mnist-1.weights.h5").exists()  # snapshot_epoch=True by default


# ---------------------------------------- examples/images/convnet_highway_mnist.py
HIGHWAY_CONV_MNIST = """
from __future__ import division, print_function, absolute_import
import tflearn
from tflearn.layers.core import input_data, dropout, fully_connected
from tflearn.layers.conv import highway_conv_2d, max_pool_2d
from tflearn.layers.normalization import local_response_normalization
from tflearn.layers.estimator import regression
import tflearn.datasets.mnist as mnist
X, Y, testX, testY = mnist.load_data(one_hot=True)
X = X.reshape([-1, 28, 28, 1])
testX = testX.reshape([-1, 28, 28, 1])
network = input_data(shape=[None, 28, 28, 1], name='input')
for i in range(3):
    for j in range(3):
        network = highway_conv_2d(network, 16, 3, activation='elu')
    network = max_pool_2d(network, 2)
    network = local_response_normalization(network)
network = fully_connected(network, 128, activation='tanh')
network = dropout(network, 0.8)
network = fully_connected(network, 256, activation='tanh')
network = dropout(network, 0.8)
network = fully_connected(network, 10, activation='softmax')
network = regression(network, optimizer='adam', learning_rate=0.01,
                     loss='categorical_crossentropy', name='target')
model = tflearn.DNN(network, tensorboard_verbose=0)
model.fit(X, Y, n_epoch=20, validation_set=(testX, testY),
          show_metric=True, run_id='convnet_highway_mnist')
"""


def test_convnet_highway_mnist_example(tflearn_bound, capsys):
    ns, lines = run_example(HIGHWAY_CONV_MNIST, [("n_epoch=20", "n_epoch=1")], capsys)
    model = trained(ns, lines, "Adam", steps=1)
    highways = [layer for layer in model.model.layers if type(layer).__name__ == "HighwayConv2D"]
    assert [layer.name for layer in highways[:2]] == ["HighwayConv2D", "HighwayConv2D_1"] and len(highways) == 9
    assert model.model.input.name == "input"


# ---------------------------------------- examples/images/highway_dnn.py
HIGHWAY_DNN = """
from __future__ import division, print_function, absolute_import
import tflearn
import tflearn.datasets.mnist as mnist
X, Y, testX, testY = mnist.load_data(one_hot=True)
input_layer = tflearn.input_data(shape=[None, 784])
dense1 = tflearn.fully_connected(input_layer, 64, activation='elu',
                                 regularizer='L2', weight_decay=0.001)
highway = dense1
for i in range(10):
    highway = tflearn.highway(highway, 64, activation='elu',
                              regularizer='L2', weight_decay=0.001, transform_dropout=0.8)
softmax = tflearn.fully_connected(highway, 10, activation='softmax')
sgd = tflearn.SGD(learning_rate=0.1, lr_decay=0.96, decay_step=1000)
top_k = tflearn.metrics.Top_k(3)
net = tflearn.regression(softmax, optimizer=sgd, metric=top_k,
                         loss='categorical_crossentropy')
model = tflearn.DNN(net, tensorboard_verbose=0)
model.fit(X, Y, n_epoch=20, validation_set=(testX, testY),
          show_metric=True, run_id="highway_dense_model")
"""


def test_highway_dnn_example(tflearn_bound, capsys):
    ns, lines = run_example(HIGHWAY_DNN, [("n_epoch=20", "n_epoch=1")], capsys)
    model = trained(ns, lines, "SGD", steps=1)
    assert " - top3 " in lines[-1] and " - val_top3 " in lines[-1]
    learning_rate = model.model.optimizer.learning_rate  # 0.1 * 0.96 ** (1 / 1000) after one step
    assert float(learning_rate) == pytest.approx(0.1 * 0.96 ** (1 / 1000), rel=1e-6)


# ---------------------------------------- examples/images/network_in_network.py
NETWORK_IN_NETWORK = """
from __future__ import division, print_function, absolute_import
import tflearn
from tflearn.data_utils import shuffle, to_categorical
from tflearn.layers.core import input_data, dropout, flatten
from tflearn.layers.conv import conv_2d, max_pool_2d, avg_pool_2d
from tflearn.layers.estimator import regression
from tflearn.datasets import cifar10
(X, Y), (X_test, Y_test) = cifar10.load_data()
X, Y = shuffle(X, Y)
Y = to_categorical(Y, 10)
Y_test = to_categorical(Y_test, 10)
network = input_data(shape=[None, 32, 32, 3])
network = conv_2d(network, 192, 5, activation='relu')
network = conv_2d(network, 160, 1, activation='relu')
network = conv_2d(network, 96, 1, activation='relu')
network = max_pool_2d(network, 3, strides=2)
network = dropout(network, 0.5)
network = conv_2d(network, 192, 5, activation='relu')
network = conv_2d(network, 192, 1, activation='relu')
network = conv_2d(network, 192, 1, activation='relu')
network = avg_pool_2d(network, 3, strides=2)
network = dropout(network, 0.5)
network = conv_2d(network, 192, 3, activation='relu')
network = conv_2d(network, 192, 1, activation='relu')
network = conv_2d(network, 10, 1, activation='relu')
network = avg_pool_2d(network, 8)
network = flatten(network)
network = regression(network, optimizer='adam',
                     loss='categorical_crossentropy',
                     learning_rate=0.001)
model = tflearn.DNN(network)
model.fit(X, Y, n_epoch=50, shuffle=True, validation_set=(X_test, Y_test),
          show_metric=True, batch_size=128, run_id='cifar10_net_in_net')
"""


def test_network_in_network_example(tflearn_bound, capsys):
    ns, lines = run_example(NETWORK_IN_NETWORK, [("n_epoch=50", "n_epoch=1")], capsys)
    model = trained(ns, lines, "Adam", steps=1)
    assert model.model.output_shape == (None, 10)
    assert ns["Y"].shape == (20, 10) and ns["Y"].dtype == np.float64  # tflearn's np.zeros rows


# ---------------------------------------- examples/images/convnet_cifar10.py
CONVNET_CIFAR10 = """
from __future__ import division, print_function, absolute_import
import tflearn
from tflearn.data_utils import shuffle, to_categorical
from tflearn.layers.core import input_data, dropout, fully_connected
from tflearn.layers.conv import conv_2d, max_pool_2d
from tflearn.layers.estimator import regression
from tflearn.data_preprocessing import ImagePreprocessing
from tflearn.data_augmentation import ImageAugmentation
from tflearn.datasets import cifar10
(X, Y), (X_test, Y_test) = cifar10.load_data()
X, Y = shuffle(X, Y)
Y = to_categorical(Y, 10)
Y_test = to_categorical(Y_test, 10)
img_prep = ImagePreprocessing()
img_prep.add_featurewise_zero_center()
img_prep.add_featurewise_stdnorm()
img_aug = ImageAugmentation()
img_aug.add_random_flip_leftright()
img_aug.add_random_rotation(max_angle=25.)
network = input_data(shape=[None, 32, 32, 3],
                     data_preprocessing=img_prep,
                     data_augmentation=img_aug)
network = conv_2d(network, 32, 3, activation='relu')
network = max_pool_2d(network, 2)
network = conv_2d(network, 64, 3, activation='relu')
network = conv_2d(network, 64, 3, activation='relu')
network = max_pool_2d(network, 2)
network = fully_connected(network, 512, activation='relu')
network = dropout(network, 0.5)
network = fully_connected(network, 10, activation='softmax')
network = regression(network, optimizer='adam',
                     loss='categorical_crossentropy',
                     learning_rate=0.001)
model = tflearn.DNN(network, tensorboard_verbose=0)
model.fit(X, Y, n_epoch=50, shuffle=True, validation_set=(X_test, Y_test),
          show_metric=True, batch_size=96, run_id='cifar10_cnn')
"""


def test_convnet_cifar10_example(tflearn_bound, capsys):
    ns, lines = run_example(CONVNET_CIFAR10, [("n_epoch=50", "n_epoch=1")], capsys)
    model = trained(ns, lines, "Adam", steps=1)
    prep = model.model.get_layer("InputData_preprocessing")
    # featurewise statistics over everything fed to fit (tflearn: np.mean(X), np.std(X))
    assert float(prep.mean.numpy()) == pytest.approx(float(np.mean(ns["X"])), rel=1e-5)
    assert float(prep.std.numpy()) == pytest.approx(float(np.std(ns["X"])), rel=1e-5)
    assert [line.split(":")[0] for line in lines if line.startswith(("Mean", "STD"))] == ["Mean", "STD"]

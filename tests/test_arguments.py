"""Every public helper rejects a bad argument with an error that names the argument (issue 17).

One parametrised test per module: each case calls a function with one bad argument and expects
the error type and the argument's name in the message. tflearn's checks: tests/test_tflearn.py.
"""
import numpy as np
import pytest

from utils import board, chain, data, graph_tools, plotting, timing, train
from utils.measured import measured

IMAGES = np.zeros((4, 8, 8), np.uint8)


def cases(*items):
    return pytest.mark.parametrize("call, error, name", items, ids=[i[2] + "-" + str(n) for n, i in enumerate(items)])


@cases(
    (lambda: data.prepare_images(IMAGES, image_size=(0, 8)), ValueError, "image_size"),
    (lambda: data.prepare_images(IMAGES, image_size=8), ValueError, "image_size"),
    (lambda: data.prepare_images(IMAGES, pad=-1), ValueError, "pad"),
    (lambda: data.make_dataset(IMAGES, np.zeros(4), batch_size=0), ValueError, "batch_size"),
    (lambda: data.load_fashion_mnist(image_size=(0, 0)), ValueError, "image_size"),
    (lambda: data.load_fashion_mnist(batch_size=1.5, as_dataset=True), ValueError, "batch_size"),
    (lambda: data.load_fashion_mnist(n_train=0), ValueError, "n_train"),
    (lambda: data.load_image_folder(".", image_size=(0, 224)), ValueError, "image_size"),
    (lambda: data.load_image_folder(".", batch_size=0), ValueError, "batch_size"),
    (lambda: data.load_image_folder(".", validation_split=1.5, subset="training"), ValueError, "validation_split"),
    (lambda: data.load_image_folder(".", validation_split=0.2), ValueError, "subset"),
)
def test_data(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_a_corrupt_image_in_an_image_folder_is_named(tmp_path):
    import tensorflow as tf

    (tmp_path / "a").mkdir()
    good = tf.io.encode_png(np.zeros((4, 4, 3), np.uint8)).numpy()
    (tmp_path / "a" / "good.png").write_bytes(good)
    (tmp_path / "a" / "broken.png").write_bytes(good[:20])
    with pytest.raises(data.DataError, match=r"broken\.png: not a readable image"):
        data.load_image_folder(tmp_path, image_size=(4, 4))


def tiny_model():
    import keras

    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])


XY = (np.zeros((4, 2), np.float32), np.zeros(4, np.int32))


@cases(
    (lambda: train.fit(tiny_model(), XY, epochs=0), ValueError, "epochs"),
    (lambda: train.fit(tiny_model(), XY, epochs=-1), ValueError, "epochs"),
    (lambda: train.fit(tiny_model(), XY, epochs=2.0), ValueError, "epochs"),
    (lambda: train.fit(tiny_model(), XY, batch_size=0), ValueError, "batch_size"),
    (lambda: train.fit(tiny_model(), XY, learning_rate=0), ValueError, "learning_rate"),
    (lambda: train.fit(tiny_model(), list(XY)), TypeError, "train"),
    (lambda: train.fit(tiny_model(), XY, test=[1, 2, 3]), TypeError, "test"),
    (lambda: train.compile_model(tiny_model(), learning_rate=-1), ValueError, "learning_rate"),
    (lambda: train.EpochSummary(epochs=0), ValueError, "epochs"),
    (lambda: train.EpochSummary(every=0), ValueError, "every"),
)
def test_train(call, error, name):
    with pytest.raises(error, match=name):
        call()


@cases(
    (lambda: timing.time_tensorflow_run(lambda: 1, num_steps=0), ValueError, "num_steps"),
    (lambda: timing.time_tensorflow_run(lambda: 1, num_steps=2.5), ValueError, "num_steps"),
    (lambda: timing.time_tensorflow_run(lambda: 1, num_burn_in=-1), ValueError, "num_burn_in"),
    (lambda: timing.time_tensorflow_run(42), TypeError, "target"),
    (lambda: timing.time_tensorflow_run(lambda: 1, fetches=[1]), ValueError, "fetches"),
)
def test_timing(call, error, name):
    with pytest.raises(error, match=name):
        call()


@cases(
    (lambda: plotting.image_grid(IMAGES, ncols=0), ValueError, "ncols"),
    (lambda: plotting.image_grid(IMAGES, size=0), ValueError, "size"),
    (lambda: plotting.image_grid(IMAGES[:0]), ValueError, "images"),
    (lambda: plotting.image_grid(IMAGES, labels=[1]), ValueError, "labels"),
    (lambda: plotting.plot_curves([]), TypeError, "histories"),
    (lambda: plotting.plot_curves({"run": {"loss": [1.0]}}, metrics="loss"), ValueError, "metrics"),
    (lambda: plotting.plot_curves({"run": {"loss": [1.0]}}, metrics=("acc",)), ValueError, "metrics"),
    (lambda: plotting.plot_filters(np.zeros((3, 3, 1))), ValueError, "kernel"),
    (lambda: plotting.plot_feature_maps(np.zeros((3, 3))), ValueError, "feature maps"),
    (lambda: plotting.draw_graph("graph"), TypeError, "graph"),
)
def test_plotting(call, error, name):
    with pytest.raises(error, match=name):
        call()


@cases(
    (lambda: board.log_dir("../outside"), ValueError, "chapter"),
    (lambda: board.log_dir("chapter", run=""), ValueError, "run"),
    (lambda: board.runs("/no/such/folder"), FileNotFoundError, "logdir"),
    (lambda: board.scalars("/no/such/folder"), FileNotFoundError, "logdir"),
    (lambda: board.graph_ops("/no/such/folder"), FileNotFoundError, "logdir"),
)
def test_board(call, error, name):
    with pytest.raises(error, match=name):
        call()


def network(build):
    class Net(chain.Network):
        def setup(self):
            build(self.feed("data"))
    return lambda: Net({"data": (8, 8, 3)})


@cases(
    (network(lambda n: n.conv(3, 3, 0, 1, 1, name="c")), ValueError, "c_o"),
    (network(lambda n: n.conv(0, 3, 4, 1, 1, name="c")), ValueError, "k_h"),
    (network(lambda n: n.conv(3, 3, 4, 1, 1, name="c", padding="same")), ValueError, "padding"),
    (network(lambda n: n.max_pool(2, 2, 0, 2, name="p")), ValueError, "s_h"),
    (network(lambda n: n.avg_pool(2, 2.5, 2, 2, name="p")), ValueError, "k_w"),
    (network(lambda n: n.fc(0, name="f")), ValueError, "num_out"),
    (network(lambda n: n.dropout(0, name="d")), ValueError, "keep_prob"),
    (network(lambda n: n.feed("nope")), ValueError, "nope"),
)
def test_chain(call, error, name):
    with pytest.raises(error, match=name):
        call()


@cases(
    (lambda: list(graph_tools.minibatches(IMAGES, np.zeros(4), 0)), ValueError, "batch_size"),
    (lambda: list(graph_tools.minibatches(IMAGES, np.zeros(3), 2)), ValueError, "y has 3"),
    (lambda: graph_tools.num_batches(10, 0), ValueError, "batch_size"),
    (lambda: graph_tools.num_batches(-1, 2), ValueError, "n="),
    (lambda: graph_tools.op_table("graph"), TypeError, "tf.Graph"),
)
def test_graph_tools(call, error, name):
    with pytest.raises(error, match=name):
        call()


@cases(
    (lambda: measured(0.5, 0), ValueError, "band"),
    (lambda: measured(0.5, "5"), ValueError, "band"),
    (lambda: measured(0.5, 0.02, digits=-1), ValueError, "digits"),
    (lambda: measured("high", 0.02), TypeError, "value"),
)
def test_measured(call, error, name):
    with pytest.raises(error, match=name):
        call()

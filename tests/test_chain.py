"""utils.chain: caffe-tensorflow's Network.feed().conv() style builds the Keras layers it names."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.chain import Network

X = np.random.default_rng(0).random((2, 12, 12, 3), dtype=np.float32)


class Tiny(Network):
    def setup(self):
        (self.feed("data")
             .conv(3, 3, 8, 1, 1, name="conv1")
             .max_pool(2, 2, 2, 2, name="pool1")
             .lrn(2, 2e-05, 0.75, name="norm1")
             .conv(1, 1, 4, 1, 1, name="branch_a"))
        (self.feed("norm1")
             .conv(3, 3, 4, 1, 1, relu=False, name="branch_b"))
        (self.feed("branch_a", "branch_b")
             .concat(3, name="joined")
             .avg_pool(6, 6, 1, 1, padding="VALID", name="gap")
             .softmax(name="prob"))


def test_chain_builds_named_keras_layers_in_order_with_caffe_tensorflow_defaults():
    model = Tiny({"data": (12, 12, 3)}).model()
    names = [layer.name for layer in model.layers]
    assert names == ["data", "conv1", "pool1", "norm1", "branch_a", "branch_b", "joined", "gap",
                     "prob_squeeze", "prob"]
    conv1 = model.get_layer("conv1")
    assert conv1.padding == "same" and conv1.activation is keras.activations.relu  # SAME + ReLU by default
    assert model.get_layer("branch_b").activation is keras.activations.linear  # relu=False
    assert model.output_shape == (None, 4 + 4)
    scores = keras.Model(model.input, model.get_layer("gap").output)(X).numpy().reshape(2, 8)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model(X).numpy(), expected, rtol=1e-5, atol=1e-7)


def test_chain_layers_compute_what_caffe_tensorflow_computed():
    net = Tiny({"data": (12, 12, 3)})
    model = net.model()
    partial = keras.Model(model.input, net.layers["norm1"])
    kernel, bias = model.get_layer("conv1").get_weights()
    x = tf.nn.relu(tf.nn.conv2d(X, kernel, 1, "SAME") + bias)
    x = tf.nn.max_pool2d(x, 2, 2, "SAME")
    x = tf.nn.local_response_normalization(x, depth_radius=2, alpha=2e-5, beta=0.75, bias=1.0)
    np.testing.assert_allclose(partial(X).numpy(), x.numpy(), atol=1e-5)


def test_fc_flattens_and_unnamed_layers_get_numbered_names():
    class Head(Network):
        def setup(self):
            self.feed("data").fc(5, name="fc6").fc(3, relu=False).softmax()

    net = Head({"data": (4, 4, 2)})
    # caffe-tensorflow counted the names that START with the prefix, so "fc6" makes this "fc_2"
    assert set(net.layers) == {"data", "fc6", "fc_2", "softmax_1"}
    assert net.model().get_layer("fc6").kernel.shape == (4 * 4 * 2, 5)


def test_bad_feed_names_and_duplicate_names_raise_clear_errors():
    class Unknown(Network):
        def setup(self):
            self.feed("nope")

    with pytest.raises(ValueError, match="no layer of that name"):
        Unknown({"data": (4, 4, 2)})

    class Twice(Network):
        def setup(self):
            self.feed("data").conv(1, 1, 2, 1, 1, name="c").conv(1, 1, 2, 1, 1, name="c")

    with pytest.raises(ValueError, match="used twice"):
        Twice({"data": (4, 4, 2)})

    class Squeeze(Network):
        def setup(self):
            self.feed("data").softmax(name="prob")

    with pytest.raises(ValueError, match="pool or fc"):
        Squeeze({"data": (4, 4, 2)})

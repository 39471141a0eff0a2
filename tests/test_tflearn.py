"""utils.tflearn: each tflearn function against the Keras layer it stands for, and DNN's behaviour."""
import os
import re
import tempfile

import utils

utils.setup()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import utils.tflearn as tflearn  # noqa: E402
from utils.tflearn.layers.conv import avg_pool_2d, conv_2d, global_avg_pool, max_pool_2d  # noqa: E402
from utils.tflearn.layers.core import dropout, flatten, fully_connected, input_data  # noqa: E402
from utils.tflearn.layers.estimator import regression  # noqa: E402
from utils.tflearn.layers.merge_ops import merge  # noqa: E402
from utils.tflearn.layers.normalization import (batch_normalization,  # noqa: E402
                                                local_response_normalization)

RNG = np.random.default_rng(0)
X = RNG.random((2, 9, 9, 4), dtype=np.float32)


@pytest.fixture(autouse=True)
def fresh_graph():
    """Names are unique per TF default graph, as in tflearn; each test starts a new one."""
    tf.compat.v1.reset_default_graph()


def layer_of(tensor):
    return tensor._keras_history.operation


def run(inputs, output, x=X):
    return keras.Model(inputs, output)(x).numpy()


def test_top_level_exposes_the_tflearn_names():
    for name in ("input_data", "dropout", "fully_connected", "flatten", "conv_2d", "max_pool_2d",
                 "avg_pool_2d", "global_avg_pool", "local_response_normalization",
                 "batch_normalization", "merge", "regression", "DNN"):
        assert callable(getattr(tflearn, name)), name
    assert tflearn.layers.conv.conv_2d is conv_2d


def test_conv_2d_equals_keras_conv2d_same_padding_by_default():
    net = input_data(shape=[None, 9, 9, 4])
    out = conv_2d(net, 5, 3, strides=2, activation="relu", name="c")
    conv = layer_of(out)
    assert (conv.padding, conv.strides, conv.kernel_size) == ("same", (2, 2), (3, 3))
    ref = keras.layers.Conv2D(5, 3, strides=2, padding="same", activation="relu")
    ref.build(X.shape)
    ref.set_weights(conv.get_weights())
    np.testing.assert_allclose(run(net, out), ref(X).numpy(), atol=1e-6)
    assert out.W.shape == (3, 3, 4, 5) and out.b.shape == (5,)


def test_conv_2d_kernel_formats_and_uniform_scaling_init():
    net = input_data(shape=[None, 9, 9, 4])
    for size in (3, [3, 3], [1, 3, 3, 1]):
        assert layer_of(conv_2d(net, 2, size)).kernel_size == (3, 3)
    init = layer_of(conv_2d(net, 2, 3)).kernel_initializer
    assert (init.scale, init.mode, init.distribution) == (1.0, "fan_in", "uniform")


@pytest.mark.parametrize("tfl, ref", [(max_pool_2d, keras.layers.MaxPooling2D),
                                      (avg_pool_2d, keras.layers.AveragePooling2D)])
def test_pool_strides_default_to_kernel_size_and_padding_same(tfl, ref):
    net = input_data(shape=[None, 9, 9, 4])
    out = tfl(net, 3)
    assert out.shape == (None, 3, 3, 4)
    np.testing.assert_allclose(run(net, out), ref(3, strides=3, padding="same")(X).numpy(), atol=1e-6)
    assert tfl(net, 3, strides=1).shape == (None, 9, 9, 4)
    assert tfl(net, 3, strides=2, padding="valid").shape == (None, 4, 4, 4)


def test_global_avg_pool_and_flatten():
    net = input_data(shape=[None, 9, 9, 4])
    np.testing.assert_allclose(run(net, global_avg_pool(net)), X.mean(axis=(1, 2)), atol=1e-6)
    assert flatten(net).shape == (None, 9 * 9 * 4)


def test_dropout_keep_prob_is_the_fraction_kept():
    net = input_data(shape=[None, 1000])
    out = dropout(net, 0.8)
    assert layer_of(out).rate == pytest.approx(0.2)
    kept = (layer_of(out)(np.ones((10, 1000), np.float32), training=True).numpy() > 0).mean()
    assert abs(kept - 0.8) < 0.02
    with pytest.raises(ValueError, match="KEEP"):
        dropout(net, 0.0)


def test_fully_connected_flattens_its_input_and_equals_dense():
    net = input_data(shape=[None, 9, 9, 4])
    out = fully_connected(net, 7, activation="softmax", name="fc")
    dense = layer_of(out)
    assert out.shape == (None, 7) and dense.kernel.shape == (9 * 9 * 4, 7)
    assert dense.kernel_initializer.stddev == 0.02  # tflearn's truncated normal
    expected = keras.activations.softmax(X.reshape(2, -1) @ dense.kernel.numpy() + dense.bias.numpy())
    np.testing.assert_allclose(run(net, out), np.asarray(expected), atol=1e-6)


def test_activations_by_name_with_tflearn_meanings():
    net = input_data(shape=[None, 4])
    out = fully_connected(net, 3, activation="leaky_relu", name="fc")
    assert layer_of(out).negative_slope == pytest.approx(0.1)  # tflearn's alpha, not Keras' 0.2
    assert layer_of(fully_connected(net, 3, activation="relu6")).activation is keras.activations.relu6
    with pytest.raises(ValueError, match="activation"):
        fully_connected(net, 3, activation="swishy")


def test_local_response_normalization_equals_tf_nn_lrn_with_tflearn_defaults():
    net = input_data(shape=[None, 9, 9, 4])
    out = local_response_normalization(net)
    expected = tf.nn.local_response_normalization(X, depth_radius=5, bias=1.0, alpha=1e-4, beta=0.75)
    np.testing.assert_allclose(run(net, out), expected.numpy(), atol=1e-6)


def test_batch_normalization_uses_tflearn_decay_and_epsilon():
    net = input_data(shape=[None, 9, 9, 4])
    bn = layer_of(batch_normalization(net, decay=0.95))
    assert (bn.momentum, bn.epsilon) == (0.95, 1e-5)
    np.testing.assert_allclose(bn.gamma.numpy(), 1.0, atol=0.01)  # N(1, 0.002), as tflearn


def test_merge_modes():
    a = input_data(shape=[None, 9, 9, 4])
    b = input_data(shape=[None, 9, 9, 4])
    y = X[::-1].copy()
    got = lambda mode, axis=3: run([a, b], merge([a, b], mode, axis=axis), [X, y])  # noqa: E731
    np.testing.assert_allclose(got("concat"), np.concatenate([X, y], axis=3))
    np.testing.assert_allclose(got("elemwise_sum"), X + y, atol=1e-6)
    np.testing.assert_allclose(got("elemwise_mul"), X * y, atol=1e-6)
    np.testing.assert_allclose(got("max", axis=1), np.concatenate([X, y], 1).max(axis=1))
    np.testing.assert_allclose(got("mean", axis=1), np.concatenate([X, y], 1).mean(axis=1), atol=1e-6)
    with pytest.raises(ValueError, match="unknown mode"):
        merge([a, b], "stack")


def test_repeated_names_get_suffixes_as_tflearn_did():
    net = input_data(shape=[None, 9, 9, 4])
    first = conv_2d(net, 2, 1, name="inception_4a_1_1")
    second = conv_2d(net, 2, 1, name="inception_4a_1_1")
    defaults = [layer_of(conv_2d(net, 2, 1)).name for _ in range(2)]
    assert [layer_of(first).name, layer_of(second).name] == ["inception_4a_1_1", "inception_4a_1_1_1"]
    assert defaults == ["Conv2D", "Conv2D_1"]
    tf.compat.v1.reset_default_graph()  # a new graph: names start again
    assert layer_of(conv_2d(input_data(shape=[None, 9, 9, 4]), 2, 1)).name == "Conv2D"


def test_unsupported_arguments_raise_errors_naming_them_and_the_alternative():
    net = input_data(shape=[None, 9, 9, 4])
    with pytest.raises(NotImplementedError, match="reuse=True.*same Keras layer"):
        conv_2d(net, 2, 3, reuse=True)
    with pytest.raises(NotImplementedError, match="placeholder"):
        input_data(placeholder=object())
    with pytest.raises(NotImplementedError, match="optimizer='proximal_adagrad'.*momentum"):
        regression(net, optimizer="proximal_adagrad")
    with pytest.raises(NotImplementedError, match="loss='hinge_loss'"):
        regression(net, loss="hinge_loss")
    out = regression(fully_connected(net, 2, activation="softmax"))
    with pytest.raises(NotImplementedError, match="tensorboard_dir.*TensorBoard"):
        tflearn.DNN(out, tensorboard_dir="/tmp/tflearn_logs/")
    with pytest.raises(NotImplementedError, match="session"):
        tflearn.DNN(out, session=object())


def test_regression_momentum_is_sgd_with_momentum_0_9_and_gradients_clipped_at_5():
    net = input_data(shape=[None, 4])
    out = regression(fully_connected(net, 3, activation="softmax"), optimizer="momentum",
                     learning_rate=0.01)
    dnn = tflearn.DNN(out)
    opt = dnn.model.optimizer
    assert isinstance(opt, keras.optimizers.SGD)
    assert (float(opt.learning_rate), opt.momentum, opt.global_clipnorm) == (pytest.approx(0.01), 0.9, 5.0)


def small_classifier(n_classes=3):
    net = input_data(shape=[None, 6, 6, 1])
    net = conv_2d(net, 4, 3, activation="relu")
    net = fully_connected(net, n_classes, activation="softmax")
    return regression(net, optimizer="adam", learning_rate=0.01)


def toy_data(n=60, n_classes=3):
    y = np.arange(n) % n_classes
    x = np.zeros((n, 6, 6, 1), np.float32)
    for i, label in enumerate(y):
        x[i, label * 2:label * 2 + 2] = 1.0  # the class is which band of rows is lit
    return x, np.eye(n_classes, dtype=np.float32)[y]


def test_dnn_fit_writes_checkpoints_to_checkpoint_path_keeping_max_checkpoints(capsys):
    x, y = toy_data()
    with tempfile.TemporaryDirectory() as tmp:
        model = tflearn.DNN(small_classifier(), checkpoint_path=os.path.join(tmp, "ckpt", "model"),
                            max_checkpoints=2)
        model.fit(x, y, n_epoch=3, validation_set=0.2, show_metric=True, batch_size=16,
                  snapshot_step=2, snapshot_epoch=True, run_id="toy")
        files = sorted(os.listdir(os.path.join(tmp, "ckpt")))
        # 48 examples / 16 = 3 steps per epoch; snapshots at steps 2, 3, 4, 6, 8, 9: the last 2 stay
        assert files == ["model-8.weights.h5", "model-9.weights.h5"]
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Run id: toy | training samples: 48 | validation samples: 12"
    assert len(lines) == 4  # the run line + one line per epoch, no progress bars
    assert re.fullmatch(r"Training step 9 \| Adam \| epoch 003 \| loss \d\.\d{3} ±10% - acc \d\.\d{3} ±0\.03 \| "
                        r"val_loss \d\.\d{3} ±10% - val_acc \d\.\d{3} ±0\.03 -- iter 48/48", lines[-1])


def test_dnn_learns_predicts_evaluates_saves_and_loads():
    x, y = toy_data()
    model = tflearn.DNN(small_classifier())
    model.fit(x, y, n_epoch=15, batch_size=12, validation_set=(x, y))
    assert model.evaluate(x, y)[0] >= 0.9
    probabilities = model.predict(x[:3])
    assert probabilities.shape == (3, 3)
    np.testing.assert_array_equal(model.predict_label(x[:3])[:, 0], probabilities.argmax(1))
    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(os.path.join(tmp, "model.tfl"))
        tf.compat.v1.reset_default_graph()
        other = tflearn.DNN(small_classifier())
        other.load(os.path.join(tmp, "model.tfl"))
        assert path.endswith("model.tfl.weights.h5")
    np.testing.assert_allclose(other.predict(x[:3]), probabilities, atol=1e-6)


def test_dnn_needs_a_regression_layer():
    with pytest.raises(ValueError, match="regression"):
        tflearn.DNN(fully_connected(input_data(shape=[None, 4]), 2))

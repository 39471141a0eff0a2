"""utils.tflearn: each tflearn function against the Keras layer it stands for, and DNN's behaviour.

Where a test states what tflearn does, the comment names the tflearn 0.5.0 source it was read
from (the sdist on PyPI: tflearn-0.5.0.tar.gz, tflearn/...). tflearn's example scripts run
through utils.tflearn in tests/test_tflearn_examples.py.
"""
import os
import re
import tempfile

import keras
import numpy as np
import pytest
import tensorflow as tf

import utils
import utils.tflearn as tflearn
from utils.tflearn.layers.conv import avg_pool_2d, conv_2d, global_avg_pool, max_pool_2d
from utils.tflearn.layers.core import dropout, flatten, fully_connected, input_data
from utils.tflearn.layers.estimator import regression
from utils.tflearn.layers.merge_ops import merge
from utils.tflearn.layers.normalization import (batch_normalization,
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
    # tf.uniform_unit_scaling_initializer (tflearn/initializations.py uniform_scaling): the scale is
    # sqrt(3 / prod(shape[:-1])), so a 1-D variable draws from U(+-sqrt(3)), not U(+-sqrt(3 / n))
    values = tflearn.initializations.uniform_scaling(shape=[4000])
    assert 1.6 < float(np.max(np.abs(values))) <= np.sqrt(3) + 1e-6
    kernel = tflearn.initializations.uniform_scaling(shape=[3, 3, 4, 500])
    assert float(np.max(np.abs(kernel))) <= np.sqrt(3 / 36) + 1e-6


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
    with pytest.raises(NotImplementedError, match="best_checkpoint_path.*ModelCheckpoint"):
        tflearn.DNN(out, best_checkpoint_path="/tmp/best")
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


# ------------------------------------------------------------------------------ tflearn's behaviour
# Each test below states what tflearn 0.5.0 does, citing the file it was read from.

def test_validation_fraction_is_drawn_at_random_like_tflearn():
    # tflearn/helpers/trainer.py, TrainOp.initialize_fit: split_at = int(n * (1 - val_feed_dict));
    # index_array = np.arange(n); np.random.shuffle(index_array) (NumPy's global generator);
    # validation = index_array[split_at:], training = index_array[:split_at] (in that order)
    x, y = toy_data(n=60)  # ordered: labels 0, 1, 2, 0, 1, 2, ...
    np.random.seed(3)
    expected = np.arange(60)
    np.random.shuffle(expected)
    model = tflearn.DNN(small_classifier())
    np.random.seed(3)
    model.fit(x, y, n_epoch=1, validation_set=0.25, batch_size=16)
    np.testing.assert_array_equal(model.validation_index, expected[int(60 * (1 - 0.25)):])
    assert len(model.validation_index) == 15 and sorted(model.validation_index) != list(range(45, 60))
    # the same seed, the same split: repeated runs hold out the same examples
    np.random.seed(3)
    model.fit(x, y, n_epoch=1, validation_set=0.25, batch_size=16)
    np.testing.assert_array_equal(model.validation_index, expected[45:])
    # int(n * (1 - f)) as tflearn, not round: 408 examples at 0.1 keep 367 (chapter 09's stand-in)
    model.fit(x[:7], y[:7], n_epoch=1, validation_set=0.3, batch_size=16)
    assert len(model.validation_index) == 7 - int(7 * 0.7)
    model.fit(x, y, n_epoch=1, validation_set=(x[:5], y[:5]), batch_size=16)
    assert model.validation_index is None


def test_validation_fraction_of_class_ordered_data_covers_all_classes():
    # chapter 09's stand-in data are ordered by class: the last 10 % would be the last classes only
    y = np.repeat(np.arange(17), 24)
    x = np.zeros((len(y), 6, 6, 1), np.float32)
    net = regression(fully_connected(input_data(shape=[None, 6, 6, 1]), 17, activation="softmax"))
    model = tflearn.DNN(net)
    np.random.seed(0)
    model.fit(x, np.eye(17)[y], n_epoch=1, validation_set=0.1, batch_size=256)
    assert len(model.validation_index) == 408 - 367
    assert len(set(y[model.validation_index])) > 10


def test_custom_loss_is_called_as_loss_y_pred_y_true():
    # tflearn/layers/estimator.py regression: `loss = loss(incoming, placeholder)`, i.e.
    # loss(y_pred, y_true), like tflearn/objectives.py (def categorical_crossentropy(y_pred, y_true))
    calls = []

    def my_loss(y_pred, y_true):
        calls.append((y_pred, y_true))
        return tf.reduce_mean(tf.square(y_pred - 2.0 * y_true))  # not symmetric in its arguments

    net = input_data(shape=[None, 3])
    out = regression(fully_connected(net, 2, bias=False, weights_init="zeros"), loss=my_loss,
                     metric=None, optimizer="sgd")
    model = tflearn.DNN(out)
    x, y = np.ones((4, 3), np.float32), np.ones((4, 2), np.float32)
    # zeros predicted against targets 1: tflearn's order gives mean((0 - 2)**2) = 4 (Keras' order: 1)
    assert model.scores(x, y)["loss"] == pytest.approx(4.0)
    assert model.model.evaluate(x, y, verbose=0) == pytest.approx(4.0)
    assert calls


def test_input_data_prepends_the_batch_dimension():
    # tflearn/layers/core.py input_data: `if len(shape) > 1 and shape[0] is not None:
    # shape = [None] + shape`; a 1-element shape is left as it is (a placeholder without batch)
    assert input_data(shape=[28, 28, 1]).shape == (None, 28, 28, 1)
    assert input_data(shape=[None, 28, 28, 1]).shape == (None, 28, 28, 1)
    assert input_data(shape=(10, 4)).shape == (None, 10, 4)
    with pytest.raises(ValueError, match=r"shape=\[784\].*batch"):
        input_data(shape=[784])
    with pytest.raises(ValueError, match="positive ints"):
        input_data(shape=[None, 0, 3])
    with pytest.raises(TypeError, match="shape"):
        input_data(shape=28)


def test_weights_init_none_is_tf_get_variables_default_glorot_uniform():
    # tflearn/layers/core.py fully_connected and conv.py conv_2d pass W_init=None on to
    # tflearn/variables.py variable -> tf.get_variable(initializer=None): glorot_uniform
    # (also for bias_init=None)
    net = input_data(shape=[None, 9, 9, 4])
    dense = layer_of(fully_connected(net, 50, weights_init=None, bias_init=None))
    assert isinstance(dense.kernel_initializer, keras.initializers.GlorotUniform)
    assert isinstance(dense.bias_initializer, keras.initializers.GlorotUniform)
    limit = np.sqrt(6 / (9 * 9 * 4 + 50))
    kernel = dense.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert np.abs(dense.bias.numpy()).max() > 0  # not zeros
    assert isinstance(layer_of(conv_2d(net, 3, 3, weights_init=None)).kernel_initializer,
                      keras.initializers.GlorotUniform)


def test_prelu_learns_one_slope_per_channel():
    # tflearn/activations.py prelu: w_shape = get_incoming_shape(x)[-1:], alphas start at zeros;
    # x -> relu(x) + alphas * (x - |x|) / 2
    net = input_data(shape=[None, 9, 9, 4])
    out = conv_2d(net, 5, 3, activation="prelu", name="c")
    prelu = layer_of(out)
    assert prelu.alpha.shape == (1, 1, 5)
    assert layer_of(fully_connected(net, 7, activation="prelu")).alpha.shape == (7,)
    act = tflearn.activation(net, "prelu")
    assert layer_of(act).alpha.shape == (1, 1, 4)
    layer_of(act).alpha.assign(np.full((1, 1, 4), 0.25, np.float32))
    signed = X - 0.5
    np.testing.assert_allclose(run(net, act, signed), np.where(signed > 0, signed, 0.25 * signed), atol=1e-6)


@pytest.mark.parametrize("name, printed", [
    ("sgd", "SGD"), ("momentum", "Momentum"), ("nesterov", "Nesterov"), ("adam", "Adam"),
    ("rmsprop", "RMSProp"), ("adagrad", "AdaGrad"), ("adadelta", "AdaDelta"), ("ftrl", "Ftrl"),
    ("proximaladagrad", "ProximalAdaGrad"), ("Momentum", "Momentum")])
def test_optimizer_names_print_as_tflearns_class_names(name, printed):
    # tflearn/layers/estimator.py regression: op_name = type(optimizers.get(optimizer)(lr)).__name__;
    # tflearn/optimizers.py classes SGD, Momentum, Nesterov, Adam, RMSProp, AdaGrad, AdaDelta, Ftrl, ...
    net = input_data(shape=[None, 4])
    dnn = tflearn.DNN(regression(fully_connected(net, 2, activation="softmax"), optimizer=name,
                                 learning_rate=0.01))
    assert dnn.optimizer_name == printed
    assert float(dnn.model.optimizer.learning_rate) == pytest.approx(0.01)


def test_optimizer_defaults_are_tflearns():
    # tflearn/optimizers.py: RMSProp(decay=0.9, epsilon=1e-10), AdaGrad(initial_accumulator_value=0.1),
    # AdaDelta(rho=0.1, epsilon=1e-08), Adam(beta1=0.9, beta2=0.999, epsilon=1e-8), Ftrl(learning_rate=3.0)
    rms = tflearn.RMSProp().build()
    assert (rms.rho, rms.epsilon) == (0.9, 1e-10)
    assert tflearn.AdaGrad().build().initial_accumulator_value == 0.1
    assert (tflearn.AdaDelta().build().rho, tflearn.Adam().build().epsilon) == (0.1, 1e-8)
    assert float(tflearn.Ftrl().build().learning_rate) == 3.0
    assert tflearn.Nesterov().build().nesterov


def test_sgd_and_momentum_objects_decay_the_learning_rate_as_tf_train_exponential_decay():
    # tflearn/optimizers.py SGD / Momentum(learning_rate, lr_decay, decay_step, staircase):
    # tf.train.exponential_decay(lr, step, decay_step, lr_decay, staircase)
    # = lr * lr_decay ** (step / decay_step), the exponent floored if staircase
    def rate_at(optimizer, step):
        optimizer.iterations.assign(step)
        return round(float(optimizer.learning_rate), 6)

    mom = tflearn.Momentum(0.1, lr_decay=0.1, decay_step=3, staircase=True)
    keras_mom = mom.build()
    assert isinstance(keras_mom, keras.optimizers.SGD) and keras_mom.momentum == 0.9
    assert [rate_at(keras_mom, s) for s in (0, 2, 3, 7)] == [0.1, 0.1, 0.01, 0.001]
    smooth = tflearn.SGD(learning_rate=0.1, lr_decay=0.96, decay_step=200).build()
    assert rate_at(smooth, 100) == pytest.approx(0.1 * 0.96 ** 0.5, abs=1e-6)
    assert isinstance(tflearn.SGD(0.1).build().learning_rate, keras.Variable)  # no decay: a constant rate
    # regression ignores its learning_rate for an optimizer object, as tflearn; the object's name prints
    net = input_data(shape=[None, 4])
    dnn = tflearn.DNN(regression(fully_connected(net, 2, activation="softmax"), optimizer=mom,
                                 learning_rate=0.5))
    assert dnn.optimizer_name == "Momentum"
    x, y = np.ones((6, 4), np.float32), np.eye(2)[[0, 1, 0, 1, 0, 1]]
    dnn.fit(x, y, n_epoch=2, batch_size=2)  # 6 steps
    assert float(dnn.model.optimizer.learning_rate) == pytest.approx(0.1 * 0.1 ** 2)
    with pytest.raises(ValueError, match="decay_step=0"):
        tflearn.SGD(0.1, lr_decay=0.9, decay_step=0)
    with pytest.raises(TypeError, match="staircase"):
        tflearn.Momentum(staircase="yes")


def test_metrics_top_k_prints_as_topk(capsys):
    # tflearn/metrics.py Top_k: name "top" + str(k); in_top_k of argmax(targets)
    x, y = toy_data()
    out = regression(fully_connected(input_data(shape=[None, 6, 6, 1]), 3, activation="softmax"),
                     metric=tflearn.metrics.Top_k(2))
    model = tflearn.DNN(out)
    model.fit(x, y, n_epoch=1, batch_size=30, validation_set=(x, y), show_metric=True)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.search(r"\| Adam \| epoch 001 \| loss \d\.\d{3} ±10% - top2 \d\.\d{3} ±0\.03 \| "
                     r"val_loss \d\.\d{3} ±10% - val_top2 \d\.\d{3} ±0\.03", line)
    # metric 'default' is None for a 1-D output (tflearn/layers/estimator.py: no auto accuracy)
    net = regression(tflearn.reshape(fully_connected(input_data(shape=[None, 3]), 1), [-1]), loss="mean_square")
    assert net.tflearn_regression["metric"] is None
    # a [batch, 1] output gets binary accuracy on the logit's sign (tflearn/metrics.py Accuracy.build)
    one = regression(fully_connected(input_data(shape=[None, 3]), 1), loss="mean_square")
    assert isinstance(one.tflearn_regression["metric"], keras.metrics.BinaryAccuracy)


def event_tags(logdir):
    tags = set()
    for root, _, files in os.walk(logdir):
        for f in files:
            for raw in tf.data.TFRecordDataset(os.path.join(root, f)):
                event = tf.compat.v1.Event.FromString(raw.numpy())
                tags |= {v.tag for v in event.summary.value}
    return tags


def test_tensorboard_dir_writes_logs_by_tensorboard_verbose(capsys):
    # tflearn/models/dnn.py DNN(tensorboard_verbose, tensorboard_dir): logs in tensorboard_dir + run_id;
    # tflearn/helpers/trainer.py create_summaries: 1 adds gradients, 2 weights, 3 activations
    x, y = toy_data(n=24)
    with tempfile.TemporaryDirectory() as tmp:
        model = tflearn.DNN(small_classifier(), tensorboard_dir=tmp, tensorboard_verbose=3)
        model.fit(x, y, n_epoch=1, batch_size=12, validation_set=0.25, show_metric=True, run_id="run")
        assert os.listdir(tmp) == ["run"]
        tags = event_tags(os.path.join(tmp, "run"))
        assert {"Loss/Adam", "acc/Adam", "Loss/Adam/Validation", "acc/Adam/Validation"} <= tags
        assert any(t.endswith("/Gradients") for t in tags) and "Conv2D/kernel" in tags
        assert "Conv2D/Activations" in tags and "Conv2D/Sparsity" in tags
        tf.compat.v1.reset_default_graph()
        quiet = tflearn.DNN(small_classifier(), tensorboard_dir=tmp)  # level 0: scalars only
        quiet.fit(x, y, n_epoch=1, batch_size=12, run_id="quiet")
        assert event_tags(os.path.join(tmp, "quiet")) == {"Loss/Adam"}
    assert f"Log directory: {os.path.join(tmp, 'run')}" in capsys.readouterr().out


# ------------------------------------------------------------------------------ layers tflearn's examples use
def test_reshape_takes_the_shape_with_its_batch_dimension():
    # tflearn/layers/core.py reshape: tf.reshape(incoming, new_shape)
    net = input_data(shape=[None, 9, 9, 4])
    out = tflearn.reshape(net, [-1, 81, 4])
    np.testing.assert_array_equal(run(net, out), X.reshape(-1, 81, 4))
    assert tflearn.reshape(net, [None, -1]).shape == (None, 324)
    with pytest.raises(ValueError, match="first .batch. dimension"):
        tflearn.reshape(net, [2, 162, 4])
    with pytest.raises(ValueError, match="at most one -1"):
        tflearn.reshape(net, [-1, -1, -1])


def test_global_max_pool_and_activation_layer():
    # tflearn/layers/conv.py global_max_pool: tf.reduce_max(incoming, [1, 2]); core.py activation
    net = input_data(shape=[None, 9, 9, 4])
    np.testing.assert_allclose(run(net, tflearn.layers.conv.global_max_pool(net)), X.max(axis=(1, 2)))
    np.testing.assert_allclose(run(net, tflearn.activation(net, "relu")), X)
    lrelu = tflearn.activation(net, "leaky_relu")
    np.testing.assert_allclose(run(net, lrelu, X - 0.5), np.where(X > 0.5, X - 0.5, 0.1 * (X - 0.5)), atol=1e-6)
    with pytest.raises(ValueError, match="4-D"):
        tflearn.layers.conv.global_max_pool(flatten(net))


def test_highway_is_h_t_plus_x_one_minus_t():
    # tflearn/layers/core.py highway: H = act(xW + b), T = sigmoid(xW_T + b_T), b_T = -1,
    # out = H * T + x * (1 - T); transform_dropout is a keep probability on T
    net = input_data(shape=[None, 5])
    out = tflearn.highway(net, 5, activation="tanh")
    x = RNG.random((3, 5), dtype=np.float32)
    np.testing.assert_allclose(out.b_t.numpy(), -1.0)
    W, b, WT, bT = (v.numpy() for v in (out.W, out.b, out.W_t, out.b_t))
    assert not np.allclose(W, WT)  # two draws
    h, t = np.tanh(x @ W + b), 1 / (1 + np.exp(-(x @ WT + bT)))
    np.testing.assert_allclose(run(net, out, x), h * t + x * (1 - t), atol=1e-5)
    with pytest.raises(ValueError, match="n_units=6.*equal"):
        tflearn.highway(net, 6)
    with pytest.raises(ValueError, match="transform_dropout"):
        tflearn.highway(net, 5, transform_dropout=1.5)


def test_highway_conv_2d_gates_the_convolution_with_a_per_filter_vector():
    # tflearn/layers/conv.py highway_conv_2d: C = conv2d(x, W); H = act(C + b);
    # T = sigmoid(C * W_T + b_T) with W_T of shape [nb_filter], b_T = -3; out = H * T + C * (1 - T)
    net = input_data(shape=[None, 9, 9, 4])
    out = tflearn.highway_conv_2d(net, 6, 3, activation="elu")
    assert out.shape == (None, 9, 9, 6) and out.W_T.shape == (6,)
    np.testing.assert_allclose(out.b_T.numpy(), -3.0)
    c = tf.nn.conv2d(X, out.W, 1, "SAME").numpy()
    h = np.asarray(keras.activations.elu(c + out.b.numpy()))
    t = 1 / (1 + np.exp(-(c * out.W_T.numpy() + out.b_T.numpy())))
    np.testing.assert_allclose(run(net, out), h * t + c * (1 - t), atol=1e-5)
    assert tflearn.highway_conv_2d(net, 6, 3, strides=2, padding="valid").shape == (None, 4, 4, 6)


def count(model, cls):
    return sum(isinstance(layer, cls) for layer in model.layers)


def test_residual_block_is_tflearns_pre_activation_unit():
    # tflearn/layers/conv.py residual_block: per unit BN, act, conv 3x3 (downsample strides), BN, act,
    # conv 3x3; identity avg-pooled by the strides and zero-padded by (out - in) // 2 channels per side
    net = input_data(shape=[None, 8, 8, 4])
    out = tflearn.residual_block(net, 2, 8, downsample=True)
    assert out.shape == (None, 2, 2, 8)  # downsample applies to every unit, as in tflearn
    model = keras.Model(net, out)
    assert count(model, keras.layers.Add) == 2 and count(model, keras.layers.Conv2D) == 4
    conv = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)][0]
    init = conv.kernel_initializer
    assert (init.scale, init.mode, init.distribution) == (2.0, "fan_in", "truncated_normal")
    assert conv.kernel_regularizer.l2 == pytest.approx(0.0001 / 2)  # 'L2', weight_decay 0.0001
    # the shortcut: a batch of 1 through a block whose convolutions output zeros is the padded identity
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layer.kernel.assign(np.zeros(layer.kernel.shape, np.float32))
    one = tflearn.residual_block(net, 1, 8, downsample=True, name="one")
    block = keras.Model(net, one)
    for layer in block.layers:
        if isinstance(layer, keras.layers.Conv2D):
            layer.kernel.assign(np.zeros(layer.kernel.shape, np.float32))
    x = RNG.random((1, 8, 8, 4), dtype=np.float32)
    pooled = x.reshape(1, 4, 2, 4, 2, 4).mean(axis=(2, 4))
    np.testing.assert_allclose(block(x).numpy(), np.pad(pooled, [(0, 0), (0, 0), (0, 0), (2, 2)]), atol=1e-6)
    with pytest.raises(ValueError, match="even"):
        tflearn.residual_block(net, 1, 7)


def test_residual_bottleneck_keeps_tflearns_indentation_quirk():
    # tflearn/layers/conv.py residual_bottleneck (0.5.0): `resnet = resnet + identity` and the
    # activation after it sit inside `if in_channels != out_channels:`, so only a unit that changes
    # the channel count adds its shortcut
    net = input_data(shape=[None, 8, 8, 16])
    out = tflearn.residual_bottleneck(net, 3, 8, 32)
    model = keras.Model(net, out)
    assert out.shape == (None, 8, 8, 32)
    assert count(model, keras.layers.Add) == 1 and count(model, keras.layers.Conv2D) == 9
    same = keras.Model(net, tflearn.residual_bottleneck(net, 2, 8, 16, downsample=True))
    assert count(same, keras.layers.Add) == 0 and same.output.shape == (None, 2, 2, 16)


# ------------------------------------------------------------------------------ data utils
def test_data_utils_to_categorical_and_shuffle():
    # tflearn/data_utils.py to_categorical(y, nb_classes): float rows of nb_classes; without
    # nb_classes one column per np.unique(y); shuffle: one np.random.permutation for all arrays
    du = tflearn.data_utils
    np.testing.assert_array_equal(du.to_categorical([2, 0, 1], 4), np.eye(4)[[2, 0, 1]])
    np.testing.assert_array_equal(du.to_categorical(np.array([5, 7, 5])), [[1, 0], [0, 1], [1, 0]])
    assert du.to_categorical([[1], [0]], 2).shape == (2, 2)
    with pytest.raises(ValueError, match="nb_classes=3"):
        du.to_categorical([0, 3], 3)
    a, b = np.arange(10), np.arange(10) * 10
    np.random.seed(1)
    p = np.random.permutation(10)
    np.random.seed(1)
    sa, sb = du.shuffle(a, b)
    np.testing.assert_array_equal(sa, a[p])
    np.testing.assert_array_equal(sb, sa * 10)
    with pytest.raises(ValueError, match="lengths"):
        du.shuffle(a, b[:3])


def test_data_utils_featurewise_normalisation_return_conventions():
    # tflearn/data_utils.py featurewise_zero_center(X, mean=None): (X - mean, mean) if computed, else X - mean
    du = tflearn.data_utils
    data = RNG.random((6, 3, 3, 2))
    centred, mean = du.featurewise_zero_center(data)
    np.testing.assert_allclose(mean, data.mean(axis=0))
    np.testing.assert_allclose(du.featurewise_zero_center(data, mean), centred)
    scaled, std = du.featurewise_std_normalization(data)
    np.testing.assert_allclose(scaled, data / data.std(axis=0))
    assert isinstance(du.featurewise_std_normalization(data, std), np.ndarray)


# ------------------------------------------------------------------------------ preprocessing, augmentation
def test_image_preprocessing_computes_tflearns_statistics_and_applies_them_at_test_time(capsys):
    # tflearn/data_preprocessing.py ImagePreprocessing: featurewise mean = np.mean(X) (per_channel:
    # the images' per-channel means averaged); std per_channel = the images' per-channel stds
    # averaged; x -> (x - mean) / (std + 1e-8); computed once, in fit, from the data fed
    prep = tflearn.ImagePreprocessing()
    prep.add_featurewise_zero_center(per_channel=True)
    prep.add_featurewise_stdnorm(per_channel=True)
    net = input_data(shape=[None, 6, 6, 1], data_preprocessing=prep)
    out = regression(fully_connected(net, 3, activation="softmax"))
    model = tflearn.DNN(out)
    x, y = toy_data()
    x = x * 3 + 1
    model.fit(x, y, n_epoch=1, batch_size=30)
    printed = capsys.readouterr().out
    mean, std = np.mean(x, axis=(0, 1, 2)), np.std(x, axis=(1, 2)).mean(axis=0)
    assert f"Mean: [{utils.measured(float(mean[0]), 0.001, digits=4)}]" in printed
    layer = model.model.get_layer("InputData_preprocessing")
    np.testing.assert_allclose(layer.mean.numpy(), mean, rtol=1e-6)
    np.testing.assert_allclose(layer.std.numpy(), std, rtol=1e-6)
    prep_out = keras.Model(model.model.input, layer.output)
    np.testing.assert_allclose(prep_out(x[:4]).numpy(), (x[:4] - mean) / (std + 1e-8), rtol=1e-5)
    # saved and loaded with the weights; a second fit does not recompute
    model.fit(x, y, n_epoch=1, batch_size=30)
    assert "Calculating" not in capsys.readouterr().out
    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(os.path.join(tmp, "m"))
        tf.compat.v1.reset_default_graph()
        prep2 = tflearn.ImagePreprocessing()
        prep2.add_featurewise_zero_center(per_channel=True)
        prep2.add_featurewise_stdnorm(per_channel=True)
        net2 = input_data(shape=[None, 6, 6, 1], data_preprocessing=prep2)
        other = tflearn.DNN(regression(fully_connected(net2, 3, activation="softmax")))
        other.load(path)
    np.testing.assert_allclose(other.predict(x[:4]), model.predict(x[:4]), atol=1e-6)
    # given statistics are used as they are; samplewise and normalisation steps in order
    tf.compat.v1.reset_default_graph()
    given = tflearn.ImagePreprocessing()
    given.add_image_normalization()
    given.add_featurewise_zero_center(mean=0.5)
    given.add_samplewise_stdnorm()
    net3 = input_data(shape=[None, 6, 6, 1], data_preprocessing=given)
    dnn = tflearn.DNN(regression(fully_connected(net3, 3, activation="softmax")))
    dnn.fit(x, y, n_epoch=1, batch_size=60)
    assert "Calculating" not in capsys.readouterr().out
    expected = x / 255 - 0.5
    expected = expected / (expected.std(axis=(1, 2, 3), keepdims=True) + 1e-8)
    got = keras.Model(dnn.model.input, dnn.model.get_layer("InputData_preprocessing").output)(x[:3]).numpy()
    np.testing.assert_allclose(got, expected[:3], rtol=1e-4)


def test_image_augmentation_runs_in_training_only():
    # tflearn/data_augmentation.py ImageAugmentation: applied to training batches only
    # (tflearn/helpers/trainer.py: the test data flow gets daug_dict=None)
    aug = tflearn.ImageAugmentation()
    aug.add_random_flip_leftright()
    aug.add_random_crop([6, 6], padding=2)
    aug.add_random_rotation(max_angle=25.0)
    aug.add_random_90degrees_rotation([0, 2])
    net = input_data(shape=[None, 6, 6, 1], data_augmentation=aug)
    layer = layer_of(net)
    x = RNG.random((64, 6, 6, 1), dtype=np.float32)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    out = layer(x, training=True).numpy()
    assert out.shape == x.shape and not np.allclose(out, x)
    with pytest.raises(ValueError, match="crop must be the input's height and width"):
        bad = tflearn.ImageAugmentation()
        bad.add_random_crop([4, 4])
        input_data(shape=[None, 6, 6, 1], data_augmentation=bad)
    with pytest.raises(NotImplementedError, match="RandomGaussianBlur"):
        tflearn.ImageAugmentation().add_random_blur()


def test_image_augmentation_flips_half_the_images_and_crops_from_the_padding():
    # _random_flip_leftright: np.fliplr if random.getrandbits(1); _random_crop: np.pad with zeros, then
    # a crop at random.randint(0, padded - crop) per axis
    flip = tflearn.ImageAugmentation()
    flip.add_random_flip_leftright()
    layer = layer_of(input_data(shape=[None, 4, 4, 1], data_augmentation=flip))
    x = RNG.random((400, 4, 4, 1), dtype=np.float32)
    out = layer(x, training=True).numpy()
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(flipped | np.all(out == x, axis=(1, 2, 3))) and 0.4 < flipped.mean() < 0.6
    crop = tflearn.ImageAugmentation()
    crop.add_random_crop([4, 4], padding=1)
    layer = layer_of(input_data(shape=[None, 4, 4, 1], data_augmentation=crop))
    out = layer(np.ones((400, 4, 4, 1), np.float32), training=True).numpy()
    zeros_per_image = (out == 0).sum(axis=(1, 2, 3))
    assert set(zeros_per_image) <= {0, 4, 7} and len(set(zeros_per_image)) == 3  # shifts of 0 or 1 per axis


# ------------------------------------------------------------------------------ argument checks
def test_new_functions_check_their_arguments():
    net = input_data(shape=[None, 9, 9, 4])
    with pytest.raises(TypeError, match=r"conv_2d: incoming=ndarray.*input_data"):
        conv_2d(X, 2, 3)
    with pytest.raises(ValueError, match=r"residual_block: nb_blocks=-1"):
        tflearn.residual_block(net, -1, 4)
    assert tflearn.residual_block(net, 0, 4) is net  # tflearn's loop runs no unit (the n - 1 = 0 of n = 1)
    with pytest.raises(TypeError, match=r"highway_conv_2d: nb_filter='8'"):
        tflearn.highway_conv_2d(net, "8", 3)
    with pytest.raises(ValueError, match=r"residual_bottleneck: out_channels=2 < the input's 4"):
        tflearn.residual_bottleneck(net, 1, 2, 2)
    with pytest.raises(ValueError, match=r"Momentum: momentum=1.5"):
        tflearn.Momentum(momentum=1.5)
    with pytest.raises(ValueError, match=r"Top_k: k=0"):
        tflearn.Top_k(0)
    with pytest.raises(TypeError, match="data_preprocessing"):
        input_data(shape=[None, 4], data_preprocessing="zero_center")
    with pytest.raises(ValueError, match="weights_init='he'"):
        fully_connected(net, 2, weights_init="he")
    with pytest.raises(ValueError, match=r"initializations.variance_scaling: mode='fan_in'"):
        tflearn.initializations.variance_scaling(mode="fan_in")
    out = regression(fully_connected(net, 2, activation="softmax"))
    with pytest.raises(ValueError, match=r"DNN: tensorboard_verbose=4"):
        tflearn.DNN(out, tensorboard_verbose=4)
    model = tflearn.DNN(out)
    with pytest.raises(ValueError, match=r"DNN.fit: validation_set=1.5"):
        model.fit(X, np.eye(2)[[0, 1]], validation_set=1.5)
    with pytest.raises(TypeError, match=r"DNN.fit: n_epoch=1.0"):
        model.fit(X, np.eye(2)[[0, 1]], n_epoch=1.0)
    with pytest.raises(ValueError, match="different numbers of examples"):
        model.fit(X, np.eye(2)[[0, 1, 1]])


def test_no_dead_train_ops_bookkeeping():
    # tflearn kept TRAIN_OPS for DNN; here DNN reads the settings off the network tensor
    assert set(tflearn.utils.graph_state()) == {"names", "inputs"}


def test_image_preprocessing_crop_center_and_custom_steps_and_augmentation_in_a_fit():
    # tflearn/data_preprocessing.py _crop_center: nh = int((h - crop_h) * 0.5); add_custom_preprocessing(func)
    prep = tflearn.ImagePreprocessing()
    prep.add_crop_center([4, 4])
    prep.add_custom_preprocessing(lambda batch: batch * 2)
    aug = tflearn.ImageAugmentation()
    aug.add_random_flip_updown()
    aug.add_random_rotation(10.0)
    net = input_data(shape=[None, 4, 4, 1], data_preprocessing=prep, data_augmentation=aug)
    model = tflearn.DNN(regression(fully_connected(net, 3, activation="softmax")))
    x, y = toy_data()  # 6x6 images into a 4x4 network
    model.fit(x, y, n_epoch=1, batch_size=20, validation_set=0.2)  # the graph (tf.function) path
    layer = model.model.get_layer("InputData_preprocessing")
    cropped = keras.Model(model.model.input, layer.output).predict(x[:2], verbose=0)
    np.testing.assert_array_equal(cropped, 2 * x[:2, 1:5, 1:5])
    with pytest.raises(ValueError, match="height and width must be the crop's"):
        input_data(shape=[None, 5, 5, 1], data_preprocessing=prep)


def sized_net():
    return input_data(shape=[None, 9, 9, 4])


@pytest.mark.parametrize("call, match", [
    (lambda: conv_2d(sized_net(), 0, 3), r"conv_2d: nb_filter=0"),
    (lambda: conv_2d(sized_net(), 4, 0), r"filter_size=0"),
    (lambda: conv_2d(sized_net(), 4, [3, 0]), r"filter_size=\[3, 0\]"),
    (lambda: conv_2d(sized_net(), 4, 3, strides=0), r"strides=0"),
    (lambda: max_pool_2d(sized_net(), 0), r"kernel_size=0"),
    (lambda: avg_pool_2d(sized_net(), 2, strides=[1, 0, 2, 1]), r"strides=\[1, 0, 2, 1\]"),
    (lambda: fully_connected(sized_net(), 0), r"fully_connected: n_units=0"),
    (lambda: dropout(sized_net(), 0.0), r"keep_prob=0.0"),
    (lambda: tflearn.DNN(small_classifier()).fit(*toy_data(6), n_epoch=0), r"DNN.fit: n_epoch=0"),
    (lambda: tflearn.DNN(small_classifier()).fit(*toy_data(6), n_epoch=1, batch_size=0), r"batch_size=0"),
    (lambda: tflearn.DNN(small_classifier()).fit(*toy_data(6), n_epoch=1, validation_set=1.0),
     r"validation_set=1.0"),
    (lambda: tflearn.DNN(small_classifier()).fit(*toy_data(6), n_epoch=1, validation_set=-0.1),
     r"validation_set=-0.1"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_sizes_counts_and_fractions_out_of_range_are_refused_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()

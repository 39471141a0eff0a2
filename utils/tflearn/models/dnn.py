"""tflearn.DNN on Keras 3: train, evaluate, predict, checkpoint a network built with utils.tflearn.

``DNN(network)`` finds the network's inputs (the ``input_data`` tensors it depends on) and its
training settings (from ``regression``), and wraps them in a compiled ``keras.Model`` (``.model``).

Output: nothing but one rounded line per epoch, in tflearn's words, e.g.::

    Training step 18 | Momentum | epoch 001 | loss 2.834 ±10% - acc 0.061 ±0.03 | val_loss 2.833 ±10% - val_acc 0.059 ±0.03 -- iter 1224/1224

(the metric, ``acc`` or e.g. ``top3``, only with ``show_metric=True``; ``val_`` values from the
epoch's last snapshot). Keras runs with ``verbose=0``, so there are no progress bars and no
timings: the lines are the same every run.

As in tflearn 0.5.0 (tflearn/models/dnn.py, tflearn/helpers/trainer.py):

* ``fit(validation_set=0.1)`` shuffles before it splits: ``TrainOp.initialize_fit`` draws
  ``np.random.shuffle(np.arange(n))`` from NumPy's global generator and keeps the last
  ``n - int(n * (1 - 0.1))`` of the shuffled indices for validation. The same call is made here,
  so a script gets tflearn's split for the same ``np.random.seed``; ``utils.setup()`` seeds that
  generator, so a chapter gets the same split every run.
* Snapshots: at the end of every epoch (``snapshot_epoch=True``) and/or every ``snapshot_step``
  training steps, the model is evaluated on the validation set and, if ``checkpoint_path`` is set,
  its weights are written to ``{checkpoint_path}-{step}.weights.h5``, keeping only the newest
  ``max_checkpoints`` files (None keeps all). Validation also runs once at the end of training if
  no snapshot did.
* ``tensorboard_dir``: TensorBoard logs go to ``{tensorboard_dir}/{run_id}`` (run_id: tflearn's
  random 6 letters and digits if not given), by level ``tensorboard_verbose``: 0 the loss and
  metric per training step and at each validation; 1 also gradient histograms, 2 also weight
  histograms, 3 also activation histograms and sparsity. Unlike tflearn (which computed them
  every step, in the training graph), the histograms are written once per epoch, the gradients
  and activations on the first training batch with the network in inference mode. Unlike
  tflearn, the default is no logs (tflearn wrote to /tmp/tflearn_logs/).
* ImagePreprocessing statistics (``input_data(data_preprocessing=...)``) are computed by the
  first ``fit`` from all the data fed to it, unless given or loaded.
"""
import os
import random
import string

import keras
import numpy as np
import tensorflow as tf

from utils.measured import measured
from utils.tflearn import utils as u
from utils.train import BANDS


def band(key):
    """The band of a printed value: the loss's, or the accuracy's for the metric (acc, top3, ...)."""
    return BANDS["loss"] if key.endswith("loss") else BANDS["accuracy"]


def network_inputs(tensor):
    """The Input tensors ``tensor`` depends on, found by walking the Keras graph backwards."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        history = t._keras_history
        if id(history.operation) in seen:
            continue
        seen.add(id(history.operation))
        if isinstance(history.operation, keras.layers.InputLayer):
            found.append(t)
        else:
            stack.extend(history.operation._inbound_nodes[history.node_index].input_tensors)
    # feed order = creation order of input_data, as tflearn's INPUTS collection had it
    created = [t for t in u.graph_state()["inputs"] if any(t is f for f in found)]
    return created + [t for t in found if not any(t is c for c in created)]


def weights_file(path):
    """Keras writes weights only to names ending in '.weights.h5'; add the suffix if missing."""
    path = os.fspath(path)
    return path if path.endswith(".weights.h5") else path + ".weights.h5"


class Snapshots(keras.callbacks.Callback):
    """tflearn's snapshots (validate + checkpoint) and its one line per epoch."""

    def __init__(self, dnn, n_epoch, n_train, validation, show_metric, snapshot_epoch, snapshot_step,
                 batch_size, board=None):
        super().__init__()
        self.dnn, self.n_epoch, self.n_train = dnn, n_epoch, n_train
        self.validation, self.show_metric = validation, show_metric
        self.snapshot_epoch, self.snapshot_step, self.batch_size = snapshot_epoch, snapshot_step, batch_size
        self.board = board
        self.val_logs = {}

    def validate(self):
        if self.validation is not None:
            scores = self.dnn.scores(*self.validation, self.batch_size)
            self.val_logs = {f"val_{k}": v for k, v in scores.items()}
            if self.board is not None:
                self.board.validation(self.dnn.training_step, self.val_logs)

    def snapshot(self):
        self.validate()
        self.dnn.save_checkpoint()

    def on_train_batch_end(self, batch, logs=None):
        self.dnn.training_step += 1
        if self.board is not None:
            self.board.training(self.dnn.training_step, logs or {})
        if self.snapshot_step and self.dnn.training_step % self.snapshot_step == 0:
            self.snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self.val_logs = {}

    def on_epoch_end(self, epoch, logs=None):
        if self.snapshot_epoch:
            self.snapshot()
        if epoch + 1 == self.n_epoch and not self.val_logs:
            self.validate()
        if self.board is not None:
            self.board.epoch(self.dnn.training_step)
        logs = dict(logs or {})
        metric = self.dnn.metric_name
        shown = ["loss"] + ([metric] if self.show_metric and metric in logs else [])
        # measured values, printed with their band (utils/measured.py); tflearn printed 4 decimals
        train = " - ".join(f"{k} {measured(logs[k], band(k))}" for k in shown)
        val = " - ".join(f"val_{k} {measured(self.val_logs[f'val_{k}'], band(k))}" for k in shown
                         if f"val_{k}" in self.val_logs)
        parts = [f"Training step {self.dnn.training_step}", self.dnn.optimizer_name,
                 f"epoch {self.dnn.epoch + epoch + 1:03d}", train] + ([val] if val else [])
        print(" | ".join(parts) + f" -- iter {self.n_train}/{self.n_train}")


class TensorBoardLogs:
    """tflearn's TensorBoard summaries, written with tf.summary to one run directory (see the module
    docstring for what each ``tensorboard_verbose`` level adds). Tags as tflearn's: ``Loss/{op}``,
    ``{metric}/{op}``, the same with ``/Validation``, ``{variable}``, ``{variable}/Gradients``,
    ``{layer}/Activations`` and ``{layer}/Sparsity``, ``op`` being the optimizer's name."""

    def __init__(self, dnn, logdir, verbose, show_metric, probe):
        self.dnn, self.logdir, self.verbose, self.show_metric = dnn, logdir, verbose, show_metric
        self.probe = probe  # (x, y): the first training batch, for gradients and activations
        self.writer = tf.summary.create_file_writer(logdir)
        self.op = dnn.optimizer_name

    def _scalars(self, step, values, suffix=""):
        metric = self.dnn.metric_name
        with self.writer.as_default():
            if "loss" in values:
                tf.summary.scalar(f"Loss/{self.op}{suffix}", float(values["loss"]), step=step)
            if self.show_metric and metric in values:
                tf.summary.scalar(f"{metric}/{self.op}{suffix}", float(values[metric]), step=step)

    def training(self, step, logs):
        self._scalars(step, logs)

    def validation(self, step, val_logs):
        self._scalars(step, {k[len("val_"):]: v for k, v in val_logs.items()}, "/Validation")

    def epoch(self, step):
        model = self.dnn.model
        with self.writer.as_default():
            if self.verbose >= 2:
                for v in model.trainable_variables:
                    tf.summary.histogram(v.path, v, step=step)
            if self.verbose >= 1:
                x, y = self.probe
                with tf.GradientTape() as tape:
                    prediction = model(x, training=False)
                    loss = self.dnn.settings["loss"](y, prediction)
                    if model.losses:
                        loss = loss + tf.add_n(model.losses)
                grads = tape.gradient(loss, model.trainable_variables)
                for v, g in zip(model.trainable_variables, grads):
                    if g is not None:
                        tf.summary.histogram(f"{v.path}/Gradients", g, step=step)
            if self.verbose >= 3:
                layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
                inputs = model.inputs if len(model.inputs) > 1 else model.inputs[0]
                outputs = keras.Model(inputs, [layer.output for layer in layers])(self.probe[0], training=False)
                for layer, out in zip(layers, outputs if isinstance(outputs, (list, tuple)) else [outputs]):
                    tf.summary.histogram(f"{layer.name}/Activations", out, step=step)
                    tf.summary.scalar(f"{layer.name}/Sparsity", tf.math.zero_fraction(out), step=step)
        self.writer.flush()

    def close(self):
        self.writer.flush()
        self.writer.close()


class DNN:
    """A deep neural network model, trained the tflearn way (see the module docstring).

    network: the output tensor of a network ending in ``regression(...)``.
    clip_gradients: clip the gradients by their global norm, 5.0 by default as in tflearn (0: off).
    tensorboard_verbose (0-3), tensorboard_dir: TensorBoard logs (none if tensorboard_dir is None).
    checkpoint_path, max_checkpoints: where snapshots go and how many to keep (None: all).
    """

    def __init__(self, network, clip_gradients=5.0, tensorboard_verbose=0, tensorboard_dir=None,
                 checkpoint_path=None, best_checkpoint_path=None, max_checkpoints=None, session=None,
                 best_val_accuracy=0.0):
        for argument, value, instead in (
                ("best_checkpoint_path", best_checkpoint_path is not None,
                 "pass callbacks=[keras.callbacks.ModelCheckpoint(path, save_best_only=True, "
                 "monitor='val_acc', mode='max')] to fit."),
                ("session", session is not None, "Keras 3 has no sessions; the model holds its own state."),
                ("best_val_accuracy", best_val_accuracy, "see best_checkpoint_path.")):
            if value:
                raise u.unsupported("DNN", argument, instead)
        if tensorboard_verbose not in (0, 1, 2, 3) or isinstance(tensorboard_verbose, bool):
            raise ValueError(f"DNN: tensorboard_verbose={tensorboard_verbose!r} must be 0, 1, 2 or 3")
        if tensorboard_dir is not None and (not isinstance(tensorboard_dir, (str, os.PathLike))
                                            or not os.fspath(tensorboard_dir)):
            raise ValueError(f"DNN: tensorboard_dir={tensorboard_dir!r}; give a directory (str) or None "
                             "for no TensorBoard logs")
        clip_gradients = u.check_number("DNN", "clip_gradients", clip_gradients, low=0)
        if max_checkpoints is not None:
            max_checkpoints = u.check_int("DNN", "max_checkpoints", max_checkpoints)
        if checkpoint_path is not None and (not isinstance(checkpoint_path, (str, os.PathLike))
                                            or not os.fspath(checkpoint_path)):
            raise ValueError(f"DNN: checkpoint_path={checkpoint_path!r}; give a file path prefix (str) or None")
        settings = getattr(network, "tflearn_regression", None)
        if settings is None:
            raise ValueError("DNN: the network has no training settings; end it with "
                             "regression(network, optimizer=..., loss=..., learning_rate=...)")
        self.net, self.settings = network, settings
        self.inputs = network_inputs(network)
        self.model = keras.Model(self.inputs if len(self.inputs) > 1 else self.inputs[0], network)
        optimizer = settings["optimizer"]
        if clip_gradients:
            optimizer.global_clipnorm = clip_gradients
        self.model.compile(optimizer=optimizer, loss=settings["loss"],
                           metrics=[settings["metric"]] if settings["metric"] is not None else [])
        self.optimizer_name = settings["optimizer_name"]
        self.metric_name = settings["metric"].name if settings["metric"] is not None else None
        self.tensorboard_dir, self.tensorboard_verbose = tensorboard_dir, tensorboard_verbose
        self.checkpoint_path, self.max_checkpoints = checkpoint_path, max_checkpoints
        self.checkpoints = []  # files written, oldest first
        self.training_step, self.epoch = 0, 0
        self.validation_index = None  # the examples the last fit(validation_set=fraction) held out

    # ------------------------------------------------------------------------------ data in
    def _x(self, X):
        """An array, a list of arrays (input creation order) or a dict keyed by input name."""
        if isinstance(X, dict):
            names = [t._keras_history.operation.name for t in self.inputs]
            missing = [n for n in names if n not in X]
            if missing:
                raise ValueError(f"DNN: no data for input(s) {missing}; the dict keys must be {names}")
            X = [X[n] for n in names]
        if isinstance(X, (list, tuple)) and len(self.inputs) > 1:
            if len(X) != len(self.inputs):
                raise ValueError(f"DNN: {len(X)} arrays for {len(self.inputs)} inputs; give one per "
                                 "input_data, in the order they were created")
            return [np.asarray(x) for x in X]
        return np.asarray(X)

    def _y(self, Y):
        if isinstance(Y, dict):
            if len(Y) != 1:
                raise NotImplementedError("DNN: one output only; multi-output Y dicts are not supported")
            Y = next(iter(Y.values()))
        return np.asarray(Y)

    @staticmethod
    def _take(X, index):
        return [x[index] for x in X] if isinstance(X, list) else X[index]

    # ------------------------------------------------------------------------------ training
    def fit(self, X_inputs, Y_targets, n_epoch=10, validation_set=None, show_metric=False,
            batch_size=None, shuffle=None, snapshot_epoch=True, snapshot_step=None, excl_trainops=None,
            validation_batch_size=None, run_id=None, callbacks=()):
        """Train for ``n_epoch`` epochs (see the module docstring for snapshots and output).

        validation_set: a fraction in (0, 1) of the training data, drawn at random as tflearn does
        (see the module docstring; 0.0 or None: no validation), or a tuple ``(X_val, Y_val)``.
        batch_size / shuffle: None uses the ``regression`` settings (64 / True).
        run_id: a name for the run, printed first (and the TensorBoard run's). callbacks: Keras callbacks.
        """
        if excl_trainops is not None:
            raise u.unsupported("DNN.fit", "excl_trainops", "a DNN has one training op; freeze layers "
                                "with layer.trainable = False on DNN(...).model instead.")
        callbacks = list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]
        if any(not isinstance(c, keras.callbacks.Callback) for c in callbacks):
            raise u.unsupported("DNN.fit", "callbacks (tflearn Callback objects)",
                                "pass keras.callbacks.Callback objects.")
        n_epoch = u.check_int("DNN.fit", "n_epoch", n_epoch)
        u.check_bool("DNN.fit", "show_metric", show_metric)
        u.check_bool("DNN.fit", "snapshot_epoch", snapshot_epoch)
        if shuffle is not None:
            u.check_bool("DNN.fit", "shuffle", shuffle)
        if batch_size is not None:
            batch_size = u.check_int("DNN.fit", "batch_size", batch_size)
        if validation_batch_size is not None:
            validation_batch_size = u.check_int("DNN.fit", "validation_batch_size", validation_batch_size)
        if snapshot_step is not None:
            snapshot_step = u.check_int("DNN.fit", "snapshot_step", snapshot_step)
        if run_id is not None and (not isinstance(run_id, str) or not run_id):
            raise ValueError(f"DNN.fit: run_id={run_id!r}; give a non-empty str or None")
        X, Y = self._x(X_inputs), self._y(Y_targets)
        lengths = {len(x) for x in (X if isinstance(X, list) else [X])} | {len(Y)}
        if len(lengths) > 1:
            raise ValueError("DNN.fit: X_inputs and Y_targets have different numbers of examples "
                             f"{sorted(lengths)}")
        fed, n = X, len(Y)
        self.validation_index = None
        validation = None
        if isinstance(validation_set, float):
            if not 0.0 <= validation_set < 1.0:
                raise ValueError(f"DNN.fit: validation_set={validation_set}; give a fraction in (0, 1) of "
                                 "the training data, or a tuple (X_val, Y_val)")
            if validation_set:  # tflearn: `if validation_set:`, so 0.0 means none
                # tflearn/helpers/trainer.py, TrainOp.initialize_fit: shuffle, then split
                split_at = int(n * (1 - validation_set))
                index = np.arange(n)
                np.random.shuffle(index)
                train, held_out = index[:split_at], index[split_at:]
                self.validation_index = held_out
                validation = (self._take(X, held_out), Y[held_out])
                X, Y, n = self._take(X, train), Y[train], split_at
        elif validation_set is not None:
            if not isinstance(validation_set, (tuple, list)) or len(validation_set) != 2:
                raise ValueError(f"DNN.fit: validation_set={type(validation_set).__name__} object; give a "
                                 "float fraction or a tuple (X_val, Y_val)")
            validation = (self._x(validation_set[0]), self._y(validation_set[1]))
        if n < 1:
            raise ValueError("DNN.fit: no training examples left; give more data or a smaller validation_set")
        # tflearn: batch_size given to fit also sets the validation batch size
        validation_batch_size = (validation_batch_size or batch_size or self.settings["validation_batch_size"])
        batch_size = batch_size or self.settings["batch_size"]
        shuffle = self.settings["shuffle"] if shuffle is None else shuffle
        if run_id is not None:
            n_val = 0 if validation is None else len(validation[1])
            print(f"Run id: {run_id} | training samples: {n} | validation samples: {n_val}")
        board = None
        if self.tensorboard_dir is not None:
            run = run_id or "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(6))
            logdir = os.path.join(os.fspath(self.tensorboard_dir), run)
            print(f"Log directory: {logdir}")
            probe = (self._take(X, slice(0, batch_size)), Y[:batch_size])
            board = TensorBoardLogs(self, logdir, self.tensorboard_verbose, show_metric, probe)
        self.initialize_preprocessing(fed)
        snapshots = Snapshots(self, n_epoch, n, validation, show_metric, snapshot_epoch, snapshot_step,
                              validation_batch_size, board)
        try:
            self.model.fit(X, Y, batch_size=batch_size, epochs=n_epoch, shuffle=shuffle, verbose=0,
                           callbacks=[snapshots, *callbacks])
        finally:
            if board is not None:
                board.close()
        self.epoch += n_epoch

    def initialize_preprocessing(self, X):
        """Compute the featurewise statistics of each input's ImagePreprocessing not yet set, from
        all the data fed to fit (tflearn's ``DataPreprocessing.initialize``)."""
        for tensor, data in zip(self.inputs, X if isinstance(X, list) else [X]):
            prep = getattr(tensor, "tflearn_preprocessing", None)
            if prep is not None:
                prep.initialize(data)

    # ------------------------------------------------------------------------------ checkpoints
    def save_checkpoint(self):
        """Write ``{checkpoint_path}-{step}.weights.h5``; delete the oldest beyond max_checkpoints."""
        if self.checkpoint_path is None:
            return None
        path = weights_file(f"{self.checkpoint_path}-{self.training_step}")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.model.save_weights(path)
        if path in self.checkpoints:
            self.checkpoints.remove(path)
        self.checkpoints.append(path)
        while self.max_checkpoints is not None and len(self.checkpoints) > self.max_checkpoints:
            old = self.checkpoints.pop(0)
            if os.path.exists(old):
                os.remove(old)
        return path

    def save(self, model_file):
        """Save the weights to ``model_file`` (+ '.weights.h5' if missing); return the file name."""
        path = weights_file(model_file)
        self.model.save_weights(path)
        return path

    def load(self, model_file, weights_only=False):
        """Load weights saved by :meth:`save` or a checkpoint (weights_only is accepted; the
        architecture always comes from the code that built the network)."""
        if not self.model.optimizer.built:  # so the saved optimizer state has somewhere to go
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(weights_file(model_file))

    # ------------------------------------------------------------------------------ inference
    def predict(self, X):
        """The network's output for ``X`` (e.g. class probabilities), as a NumPy array."""
        return self.model.predict(self._x(X), batch_size=self.settings["validation_batch_size"], verbose=0)

    def predict_label(self, X):
        """Class indices sorted by decreasing probability, per example (tflearn's order)."""
        return np.argsort(self.predict(X), axis=-1)[..., ::-1]

    def scores(self, X, Y, batch_size=128):
        """``{'loss': ..., 'acc': ...}`` on (X, Y), computed apart from the model's own metric
        objects, so that it can run in the middle of fit without disturbing the training averages."""
        prediction = self.model.predict(X, batch_size=batch_size, verbose=0)
        result = {"loss": float(self.settings["loss"](Y, prediction))}
        metric = self.settings["metric"]
        if metric is not None:
            fresh = type(metric).from_config(metric.get_config())
            fresh.update_state(Y, prediction)
            result[metric.name] = float(fresh.result())
        return result

    def evaluate(self, X, Y, batch_size=128):
        """The metric on (X, Y), as a list like tflearn's (``[accuracy]``); the loss if no metric."""
        scores = self.model.evaluate(self._x(X), self._y(Y), batch_size=batch_size, verbose=0,
                                     return_dict=True)
        return [float(v) for k, v in scores.items() if k != "loss"] or [float(scores["loss"])]

    def get_weights(self, weight_tensor):
        """The value of a layer variable, e.g. ``model.get_weights(conv.W)``."""
        return np.asarray(weight_tensor.numpy())

    def set_weights(self, tensor, weights):
        """Assign a layer variable, e.g. ``model.set_weights(conv.b, np.zeros(64))``."""
        tensor.assign(np.asarray(weights, dtype=tensor.dtype))

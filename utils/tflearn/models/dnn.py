"""tflearn.DNN on Keras 3: train, evaluate, predict, checkpoint a network built with utils.tflearn.

``DNN(network)`` finds the network's inputs (the ``input_data`` tensors it depends on) and its
training settings (from ``regression``), and wraps them in a compiled ``keras.Model`` (``.model``).

Output: nothing but one rounded line per epoch, in tflearn's words, e.g.::

    Training step 18 | Momentum | epoch 001 | loss 2.834 ±10% - acc 0.061 ±0.03 | val_loss 2.833 ±10% - val_acc 0.059 ±0.03 -- iter 1224/1224

(``acc`` only with ``show_metric=True``; ``val_`` values from the epoch's last snapshot). Keras runs
with ``verbose=0``, so there are no progress bars and no timings: the lines are the same every run.

Snapshots, as in tflearn: at the end of every epoch (``snapshot_epoch=True``) and/or every
``snapshot_step`` training steps, the model is evaluated on the validation set and, if
``checkpoint_path`` is set, its weights are written to ``{checkpoint_path}-{step}.weights.h5``,
keeping only the newest ``max_checkpoints`` files (None keeps all). Validation also runs once at
the end of training if no snapshot did.
"""
import os

import keras
import numpy as np

from utils.measured import measured
from utils.tflearn import utils as u
from utils.train import band_for


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

    def __init__(self, dnn, n_epoch, steps_per_epoch, n_train, validation, show_metric,
                 snapshot_epoch, snapshot_step, batch_size):
        super().__init__()
        self.dnn, self.n_epoch, self.steps_per_epoch, self.n_train = dnn, n_epoch, steps_per_epoch, n_train
        self.validation, self.show_metric = validation, show_metric
        self.snapshot_epoch, self.snapshot_step, self.batch_size = snapshot_epoch, snapshot_step, batch_size
        self.val_logs = {}

    def validate(self):
        if self.validation is not None:
            self.val_logs = {f"val_{k}": v for k, v in self.dnn.scores(*self.validation, self.batch_size).items()}

    def snapshot(self):
        self.validate()
        self.dnn.save_checkpoint()

    def on_train_batch_end(self, batch, logs=None):
        self.dnn.training_step += 1
        if self.snapshot_step and self.dnn.training_step % self.snapshot_step == 0:
            self.snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self.val_logs = {}

    def on_epoch_end(self, epoch, logs=None):
        if self.snapshot_epoch:
            self.snapshot()
        if epoch + 1 == self.n_epoch and not self.val_logs:
            self.validate()
        logs = dict(logs or {})
        shown = ["loss"] + (["acc"] if self.show_metric and "acc" in logs else [])
        # measured values, printed with their band (utils/measured.py); tflearn printed 4 decimals
        train = " - ".join(f"{k} {measured(logs[k], band_for(k))}" for k in shown)
        val = " - ".join(f"val_{k} {measured(self.val_logs[f'val_{k}'], band_for(k))}" for k in shown
                         if f"val_{k}" in self.val_logs)
        parts = [f"Training step {self.dnn.training_step}", self.dnn.optimizer_name,
                 f"epoch {self.dnn.epoch + epoch + 1:03d}", train] + ([val] if val else [])
        print(" | ".join(parts) + f" -- iter {self.n_train}/{self.n_train}")


class DNN:
    """A deep neural network model, trained the tflearn way (see the module docstring).

    network: the output tensor of a network ending in ``regression(...)``.
    clip_gradients: clip the gradients by their global norm, 5.0 by default as in tflearn (0: off).
    tensorboard_verbose: accepted (0-3) for compatibility; no TensorBoard logs are written.
    checkpoint_path, max_checkpoints: where snapshots go and how many to keep (None: all).
    """

    def __init__(self, network, clip_gradients=5.0, tensorboard_verbose=0, tensorboard_dir=None,
                 checkpoint_path=None, best_checkpoint_path=None, max_checkpoints=None, session=None,
                 best_val_accuracy=0.0):
        for argument, value, instead in (
                ("tensorboard_dir", tensorboard_dir is not None,
                 "no TensorBoard logs are written; pass callbacks=[keras.callbacks.TensorBoard(log_dir)] to fit."),
                ("best_checkpoint_path", best_checkpoint_path is not None,
                 "pass callbacks=[keras.callbacks.ModelCheckpoint(path, save_best_only=True, "
                 "monitor='val_acc', mode='max')] to fit."),
                ("session", session is not None, "Keras 3 has no sessions; the model holds its own state."),
                ("best_val_accuracy", best_val_accuracy, "see best_checkpoint_path.")):
            if value:
                raise u.unsupported("DNN", argument, instead)
        if tensorboard_verbose not in (0, 1, 2, 3):
            raise ValueError(f"DNN: tensorboard_verbose={tensorboard_verbose!r} must be 0, 1, 2 or 3")
        if max_checkpoints is not None and max_checkpoints < 1:
            raise ValueError(f"DNN: max_checkpoints={max_checkpoints!r}; give a positive int or None (keep all)")
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
        self.checkpoint_path, self.max_checkpoints = checkpoint_path, max_checkpoints
        self.checkpoints = []  # files written, oldest first
        self.training_step, self.epoch = 0, 0

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
            return [np.asarray(x) for x in X]
        return np.asarray(X)

    def _y(self, Y):
        if isinstance(Y, dict):
            if len(Y) != 1:
                raise NotImplementedError("DNN: one output only; multi-output Y dicts are not supported")
            Y = next(iter(Y.values()))
        return np.asarray(Y)

    # ------------------------------------------------------------------------------ training
    def fit(self, X_inputs, Y_targets, n_epoch=10, validation_set=None, show_metric=False,
            batch_size=None, shuffle=None, snapshot_epoch=True, snapshot_step=None, excl_trainops=None,
            validation_batch_size=None, run_id=None, callbacks=()):
        """Train for ``n_epoch`` epochs (see the module docstring for snapshots and output).

        validation_set: a fraction in (0, 1) of the training data (the last examples, as Keras'
        validation_split takes them) or a tuple ``(X_val, Y_val)``.
        batch_size / shuffle: None uses the ``regression`` settings (64 / True).
        run_id: a name for the run, printed first. callbacks: Keras callbacks.
        """
        if excl_trainops is not None:
            raise u.unsupported("DNN.fit", "excl_trainops", "a DNN has one training op; freeze layers "
                                "with layer.trainable = False on DNN(...).model instead.")
        bad = [c for c in (callbacks if isinstance(callbacks, (list, tuple)) else [callbacks])
               if not isinstance(c, keras.callbacks.Callback)]
        if bad:
            raise u.unsupported("DNN.fit", "callbacks (tflearn Callback objects)",
                                "pass keras.callbacks.Callback objects.")
        X, Y = self._x(X_inputs), self._y(Y_targets)
        n = len(Y)
        validation = None
        if isinstance(validation_set, float):
            if not 0.0 < validation_set < 1.0:
                raise ValueError(f"DNN.fit: validation_set={validation_set} must be in (0, 1) or a tuple")
            n = n - int(round(n * validation_set))
            cut = lambda a: (a[:n], a[n:])  # noqa: E731
            if isinstance(X, list):
                X, val_x = [list(p) for p in zip(*map(cut, X))]
            else:
                X, val_x = cut(X)
            Y, val_y = cut(Y)
            validation = (val_x, val_y)
        elif validation_set is not None:
            if not isinstance(validation_set, (tuple, list)) or len(validation_set) != 2:
                raise ValueError("DNN.fit: validation_set must be a float fraction or a tuple (X_val, Y_val)")
            validation = (self._x(validation_set[0]), self._y(validation_set[1]))
        batch_size = batch_size or self.settings["batch_size"]
        shuffle = self.settings["shuffle"] if shuffle is None else shuffle
        steps = -(-n // batch_size)
        if run_id is not None:
            n_val = 0 if validation is None else len(validation[1])
            print(f"Run id: {run_id} | training samples: {n} | validation samples: {n_val}")
        snapshots = Snapshots(self, n_epoch, steps, n, validation, show_metric, snapshot_epoch,
                              snapshot_step, validation_batch_size or batch_size)
        self.model.fit(X, Y, batch_size=batch_size, epochs=n_epoch, shuffle=shuffle, verbose=0,
                       callbacks=[snapshots, *callbacks])
        self.epoch += n_epoch

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

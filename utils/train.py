"""The course's one training helper for Keras models, with output that is stable from run to run.

Keras' own progress bars (verbose=1 or 2) print timings and change every run, which strict nbval
cannot compare. Here training runs with ``verbose=0`` and :class:`EpochSummary` prints one line per
epoch with values rounded to 3 decimals, each with its band (a measured value, utils/measured.py).

Scaling out: ``fit(..., strategy=...)`` trains under a ``tf.distribute`` strategy. Keras creates
variables where the strategy says only while its scope is open, so **build the model inside
``strategy.scope()``** and pass it (``fit`` compiles it under the same scope, so the optimizer's
variables are distributed too)::

    strategy = tf.distribute.MirroredStrategy()          # every GPU of this machine
    with strategy.scope():
        model = lenet.lenet((32, 32, 1))
    history = fit(model, (x, y), test, epochs=5, batch_size=256, strategy=strategy)

* ``MirroredStrategy(devices=None)`` keeps one copy of every variable per device (all visible GPUs,
  or the CPU when there is none), splits each batch of ``batch_size`` examples evenly between them
  (``batch_size`` is the global batch: use a multiple of ``strategy.num_replicas_in_sync``), and
  sums the gradients of all copies with an all-reduce before the same update is applied to each.
  One step on N devices therefore equals one step on one device with the whole batch (batch-norm
  statistics excepted: each replica normalises with its own slice; use
  ``keras.layers.BatchNormalization(synchronized=True)`` to share them). ``tests/test_distribute.py``
  shows it on two logical CPU devices.
* ``MultiWorkerMirroredStrategy()`` does the same across machines. Start the same script on every
  machine, each with a ``TF_CONFIG`` environment variable naming all workers and its own index::

      TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                  "task": {"type": "worker", "index": 0}}' python train.py     # index 1 on host2

  Create the strategy at the very start of the program (before other TensorFlow work), build the
  model under its scope as above, and pass ``batch_size`` as the global batch (per-worker batch x
  number of workers). Arrays are fine for a small data set; for a real one pass a ``tf.data``
  dataset, which each worker shards automatically (by file when it reads files, otherwise by
  element; set ``tf.data.Options().experimental_distribute.auto_shard_policy`` to choose).
  Worker 0 is the chief: let only it save checkpoints and write logs.
"""
import keras

from utils.checks import positive_number, whole_number
from utils.measured import measured


# How far a training metric may move between machines (see utils/measured.py). Accuracies move in
# their second or third decimal between CPUs; a loss moves by a few per cent, more when it is small.
BANDS = {"accuracy": 0.03, "loss": "10%"}


def band_for(key, bands=BANDS):
    """The band of a log key: ``val_accuracy`` (or tflearn's ``acc``) gets the accuracy band,
    anything else the loss's."""
    return bands["accuracy"] if key.endswith(("accuracy", "acc")) else bands["loss"]


class EpochSummary(keras.callbacks.Callback):
    """Prints ``epoch 1/5: accuracy 0.812 ±0.03  loss 0.512 ±10%  ...`` once per epoch.

    Every value is a measured one (utils/measured.py): printed with the band within which another
    CPU reproduces it, which the tests enforce.
    """

    def __init__(self, epochs=None, every=1, bands=BANDS):
        super().__init__()
        if epochs is not None:
            whole_number("epochs", epochs, example=5)
        whole_number("every", every, example=1)
        self.epochs = epochs
        self.every = every
        self.bands = bands

    def on_epoch_end(self, epoch, logs=None):
        last = self.epochs is not None and epoch + 1 == self.epochs
        if (epoch + 1) % self.every and not last:
            return
        of = f"/{self.epochs}" if self.epochs else ""
        values = "  ".join(f"{k} {measured(v, band_for(k, self.bands))}"
                           for k, v in sorted((logs or {}).items()) if k != "learning_rate")
        print(f"epoch {epoch + 1}{of}: {values}")


def compile_model(model, optimizer="adam", learning_rate=1e-3, loss="sparse_categorical_crossentropy",
                  metrics=("accuracy",)):
    """Compile for integer-label classification; ``optimizer`` is a name or a Keras optimizer."""
    positive_number("learning_rate", learning_rate, example=1e-3)
    if isinstance(optimizer, str):
        optimizer = keras.optimizers.get({"class_name": optimizer,
                                          "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def is_data(value):
    """An ``(x, y)`` pair of arrays or a ``tf.data`` dataset of ``(x, y)`` batches."""
    return isinstance(value, tuple) and len(value) == 2 or hasattr(value, "element_spec")


def fit(model, train, test=None, epochs=3, batch_size=128, optimizer="adam", learning_rate=1e-3,
        verbose=True, callbacks=(), strategy=None, validation=None):
    """Compile (if needed), train and evaluate a classifier; return its history as a dict.

    train, validation, test: ``(x, y)`` array pairs or ``tf.data`` datasets of batches.

    * With ``validation`` (as :func:`utils.budget.headline_run` passes it), the model is scored on
      it every epoch (Keras' ``val_*`` keys) and ``test`` is evaluated **once**, after training:
      the dict gains ``test_loss``/``test_accuracy``. Train on one, choose on the second, report
      the third.
    * Without it, ``test`` doubles as the per-epoch validation data (the chapters' short demos
      still do this; their ``val_*`` curves are then test curves) and is evaluated at the end.

    Printing is one rounded line per epoch (see :class:`EpochSummary`).
    strategy: a ``tf.distribute`` strategy (see the module docstring); the model must have been
    built inside ``strategy.scope()``. ``batch_size`` is then the global batch over all replicas.
    """
    whole_number("epochs", epochs, example=3)
    whole_number("batch_size", batch_size, example=128)
    positive_number("learning_rate", learning_rate, example=1e-3)
    for name, value, required in (("train", train, True), ("test", test, False),
                                  ("validation", validation, False)):
        if not (is_data(value) or value is None and not required):
            raise TypeError(f"{name}={type(value).__name__}: pass an (x, y) pair of arrays, a tf.data "
                            f"dataset of (x, y) batches" + ("" if required else ", or None"))
    if strategy is not None:
        check_built_in_scope(model, strategy)
        with strategy.scope():
            if not model.compiled:
                compile_model(model, optimizer, learning_rate)
    elif not model.compiled:
        compile_model(model, optimizer, learning_rate)
    x, y = train if isinstance(train, tuple) else (train, None)
    callbacks = list(callbacks) + ([EpochSummary(epochs)] if verbose else [])
    history = model.fit(x, y, batch_size=batch_size if y is not None else None, epochs=epochs,
                        validation_data=validation if validation is not None else test,
                        callbacks=callbacks, verbose=0)
    result = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    if test is not None:
        tx, ty = test if isinstance(test, tuple) else (test, None)
        scores = model.evaluate(tx, ty, batch_size=batch_size if ty is not None else None,
                                verbose=0, return_dict=True)
        result.update({f"test_{k}": float(v) for k, v in scores.items()})
    return result


def check_built_in_scope(model, strategy):
    """Raise ValueError unless ``model``'s variables were created under ``strategy.scope()``."""
    if not isinstance(model, keras.Model):
        raise ValueError(f"fit(model, ..., strategy=...) needs a Keras model built inside "
                         f"strategy.scope(), got {type(model).__name__}: write "
                         f"`with strategy.scope(): model = build()` and pass the model")
    outside = [w.path for w in model.weights
               if not strategy.extended.variable_created_in_scope(getattr(w, "value", w))]
    if outside:
        raise ValueError(f"model {model.name!r} was built outside the strategy's scope (e.g. "
                         f"{outside[0]!r}), so its variables live on one device: build it inside "
                         f"`with strategy.scope(): model = ...` and pass that model to fit")

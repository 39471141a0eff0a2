"""The course's one training helper for Keras models, with output that is stable from run to run.

Keras' own progress bars (verbose=1 or 2) print timings and change every run, which strict nbval
cannot compare. Here training runs with ``verbose=0`` and :class:`EpochSummary` prints one line per
epoch with values rounded to 3 decimals.
"""
import keras


class EpochSummary(keras.callbacks.Callback):
    """Prints ``epoch 1/5: loss 0.512  accuracy 0.812  val_loss ...`` rounded, once per epoch."""

    def __init__(self, epochs=None, every=1):
        super().__init__()
        self.epochs = epochs
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        last = self.epochs is not None and epoch + 1 == self.epochs
        if (epoch + 1) % self.every and not last:
            return
        of = f"/{self.epochs}" if self.epochs else ""
        values = "  ".join(f"{k} {v:.3f}" for k, v in sorted((logs or {}).items())
                           if k != "learning_rate")
        print(f"epoch {epoch + 1}{of}: {values}")


def compile_model(model, optimizer="adam", learning_rate=1e-3, loss="sparse_categorical_crossentropy",
                  metrics=("accuracy",)):
    """Compile for integer-label classification; ``optimizer`` is a name or a Keras optimizer."""
    if isinstance(optimizer, str):
        optimizer = keras.optimizers.get({"class_name": optimizer,
                                          "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def fit(model, train, test=None, epochs=3, batch_size=128, optimizer="adam", learning_rate=1e-3,
        verbose=True, callbacks=()):
    """Compile (if needed), train and evaluate a classifier; return its history as a dict.

    train, test: ``(x, y)`` array pairs or ``tf.data`` datasets of batches. When ``test`` is given it
    is used as the validation data each epoch, and the dict gains ``test_loss``/``test_accuracy``
    from a final evaluation. Printing is one rounded line per epoch (see :class:`EpochSummary`).
    """
    if not model.compiled:
        compile_model(model, optimizer, learning_rate)
    x, y = train if isinstance(train, tuple) else (train, None)
    callbacks = list(callbacks) + ([EpochSummary(epochs)] if verbose else [])
    history = model.fit(x, y, batch_size=batch_size if y is not None else None, epochs=epochs,
                        validation_data=test, callbacks=callbacks, verbose=0)
    result = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    if test is not None:
        tx, ty = test if isinstance(test, tuple) else (test, None)
        scores = model.evaluate(tx, ty, batch_size=batch_size if ty is not None else None,
                                verbose=0, return_dict=True)
        result.update({f"test_{k}": float(v) for k, v in scores.items()})
    return result

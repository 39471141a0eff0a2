"""tflearn.layers.estimator on Keras 3: ``regression``, the layer that says how to train.

In tflearn, ``regression`` added a training op (optimizer, loss, metric, batch size) to the graph
and returned its input unchanged; ``DNN`` then trained with it. Here it records the same settings
on the returned tensor (``DNN`` reads them back) and returns the tensor.

As in tflearn 0.5.0 (tflearn/layers/estimator.py ``regression``):

* ``optimizer``: a name ('momentum', ...), for which ``Class(learning_rate)`` is built with
  tflearn's other defaults, or an object of ``utils.tflearn.optimizers`` (then its own learning
  rate and decay apply and ``learning_rate=`` is ignored, as in tflearn), or a Keras optimizer.
  The training line names it by its class (``type(optimizer).__name__``) unless ``op_name`` is given.
* ``loss``: a name, or a function called as ``loss(y_pred, y_true)``: tflearn's order, the reverse
  of Keras' (a ``keras.losses.Loss`` object keeps Keras' order).
* ``metric``: 'default' (accuracy; none for a 1-D output), None, a name ('accuracy', 'top_k'), a
  ``utils.tflearn.metrics`` object such as ``Top_k(3)``, or a ``keras.metrics`` object.
"""
import keras

from utils.tflearn import metrics as tfl_metrics
from utils.tflearn import optimizers as tfl_optimizers
from utils.tflearn import utils as u


def optimizer_from(optimizer, learning_rate):
    """(a new Keras optimizer, the name tflearn printed) for a tflearn optimizer name or object."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer, type(optimizer).__name__
    if isinstance(optimizer, tfl_optimizers.Optimizer):
        return optimizer.build(), type(optimizer).__name__
    if isinstance(optimizer, str):
        try:
            cls = tfl_optimizers.get(optimizer)
        except ValueError:
            cls = None
        if cls is not None:
            tflearn_optimizer = cls(learning_rate)
            return tflearn_optimizer.build(), type(tflearn_optimizer).__name__
    raise u.unsupported("regression", f"optimizer={optimizer!r}",
                        f"give one of the names {sorted(tfl_optimizers.NAMES)} with learning_rate=, "
                        "a utils.tflearn.optimizers object (e.g. Momentum(0.1, lr_decay=0.1, "
                        "decay_step=1000)) or a keras.optimizers object.")


def tflearn_order(loss):
    """A Keras loss (y_true, y_pred) that calls the tflearn-style ``loss(y_pred, y_true)``."""
    def loss_fn(y_true, y_pred):
        return loss(y_pred, y_true)

    loss_fn.__name__ = getattr(loss, "__name__", "loss")
    return loss_fn


def loss_from_name(loss, sparse):
    """tflearn's loss names -> a Keras loss. tflearn's 'binary_crossentropy' takes logits."""
    if isinstance(loss, keras.losses.Loss):
        return loss
    if callable(loss):
        return tflearn_order(loss)
    if not isinstance(loss, str):
        raise TypeError(f"regression: loss={loss!r}; give a loss name, a function loss(y_pred, y_true) "
                        "or a keras.losses object")
    if loss == "categorical_crossentropy":
        return (keras.losses.SparseCategoricalCrossentropy() if sparse
                else keras.losses.CategoricalCrossentropy())
    if loss == "softmax_categorical_crossentropy":
        return (keras.losses.SparseCategoricalCrossentropy(from_logits=True) if sparse
                else keras.losses.CategoricalCrossentropy(from_logits=True))
    if loss == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(from_logits=True)
    if loss == "mean_square":
        return keras.losses.MeanSquaredError()
    raise u.unsupported("regression", f"loss={loss!r}",
                        "use 'categorical_crossentropy', 'softmax_categorical_crossentropy', "
                        "'binary_crossentropy', 'mean_square' or a keras.losses object.")


def metric_from_name(metric, output_shape, sparse):
    """tflearn's 'default' metric is accuracy (argmax for classes, sign of the logit for one output),
    and none at all for a 1-D output."""
    if metric is None or isinstance(metric, keras.metrics.Metric):
        return metric
    if metric == "default":
        if len(output_shape) == 1:
            return None  # tflearn: "No auto accuracy for linear regression"
        metric = "accuracy"
    if metric in ("acc", "Accuracy"):
        metric = "accuracy"
    if isinstance(metric, str):
        try:
            metric = tfl_metrics.get(metric)()
        except ValueError:
            pass
    if isinstance(metric, tfl_metrics.Metric):
        return metric.keras_metric(output_shape, sparse)
    raise u.unsupported("regression", f"metric={metric!r}",
                        "use 'default' (accuracy), None, 'top_k', a utils.tflearn.metrics object "
                        "such as Top_k(5), or a keras.metrics object.")


def regression(incoming, placeholder="default", optimizer="adam", loss="categorical_crossentropy",
               metric="default", learning_rate=0.001, dtype="float32", batch_size=64,
               shuffle_batches=True, to_one_hot=False, n_classes=None, trainable_vars=None,
               restore=True, op_name=None, validation_monitors=None, validation_batch_size=None,
               name=None):
    """Mark ``incoming`` (the network's output) as trained with these settings; return it.

    to_one_hot=True: the targets are class indices (0..n_classes-1) rather than one-hot rows.
    op_name: the name printed on the training line (default: the optimizer's class name).
    """
    for argument, value, instead in (
            ("placeholder", placeholder != "default", "targets are passed to DNN.fit directly."),
            ("trainable_vars", trainable_vars is not None,
             "freeze layers with layer.trainable = False on DNN(...).model."),
            ("validation_monitors", validation_monitors is not None,
             "pass a keras.metrics object as metric=."),
            ("restore", not restore, "load weights with DNN.load.")):
        if value:
            raise u.unsupported("regression", argument, instead)
    u.check_tensor("regression", incoming)
    if to_one_hot and not n_classes:
        raise ValueError("regression: to_one_hot=True needs n_classes=")
    batch_size = u.check_int("regression", "batch_size", batch_size)
    if validation_batch_size is not None:
        validation_batch_size = u.check_int("regression", "validation_batch_size", validation_batch_size)
    u.check_bool("regression", "shuffle_batches", shuffle_batches)
    if op_name is not None and (not isinstance(op_name, str) or not op_name):
        raise ValueError(f"regression: op_name={op_name!r}; give a non-empty str or None")
    keras_optimizer, optimizer_name = optimizer_from(optimizer, learning_rate)
    settings = dict(optimizer=keras_optimizer,
                    loss=loss_from_name(loss, sparse=to_one_hot),
                    metric=metric_from_name(metric, tuple(incoming.shape), sparse=to_one_hot),
                    batch_size=batch_size, shuffle=shuffle_batches,
                    validation_batch_size=validation_batch_size or batch_size,
                    optimizer_name=op_name or optimizer_name,
                    name=name)
    incoming.tflearn_regression = settings
    return incoming

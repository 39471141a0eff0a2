"""tflearn.layers.estimator on Keras 3: ``regression``, the layer that says how to train.

In tflearn, ``regression`` added a training op (optimizer, loss, metric, batch size) to the graph
and returned its input unchanged; ``DNN`` then trained with it. Here it records the same settings
(on the returned tensor and in the graph's list of training settings) and returns the tensor.
Optimizers and losses are given by tflearn's names, with tflearn's default hyper-parameters.
"""
import keras

from utils.tflearn import utils as u


def optimizer_from_name(optimizer, learning_rate):
    """tflearn's optimizer names with tflearn's defaults -> a new Keras optimizer."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    table = {
        "sgd": lambda: keras.optimizers.SGD(learning_rate),
        "momentum": lambda: keras.optimizers.SGD(learning_rate, momentum=0.9),
        "nesterov": lambda: keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True),
        "adam": lambda: keras.optimizers.Adam(learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate, rho=0.9, epsilon=1e-10),
        "adagrad": lambda: keras.optimizers.Adagrad(learning_rate, initial_accumulator_value=0.1),
        "adadelta": lambda: keras.optimizers.Adadelta(learning_rate, rho=0.1, epsilon=1e-8),
        "ftrl": lambda: keras.optimizers.Ftrl(learning_rate),
    }
    if not isinstance(optimizer, str) or optimizer.lower() not in table:
        raise u.unsupported("regression", f"optimizer={optimizer!r}",
                            f"give one of the names {sorted(table)} with learning_rate=, "
                            "or a keras.optimizers object.")
    return table[optimizer.lower()]()


def loss_from_name(loss, sparse):
    """tflearn's loss names -> a Keras loss. tflearn's 'binary_crossentropy' takes logits."""
    if not isinstance(loss, str):
        return loss  # a Keras loss object or function
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


def metric_from_name(metric, loss, sparse):
    """tflearn's 'default' metric is accuracy (argmax for classes, sign of the logit for binary)."""
    if metric is None or isinstance(metric, keras.metrics.Metric):
        return metric
    if metric in ("default", "accuracy", "acc", "Accuracy"):
        if loss == "binary_crossentropy":
            return keras.metrics.BinaryAccuracy(threshold=0.0, name="acc")
        if sparse:
            return keras.metrics.SparseCategoricalAccuracy(name="acc")
        return keras.metrics.CategoricalAccuracy(name="acc")
    raise u.unsupported("regression", f"metric={metric!r}",
                        "use 'default' (accuracy), None, or a keras.metrics object such as "
                        "keras.metrics.TopKCategoricalAccuracy(k=5).")


def regression(incoming, placeholder="default", optimizer="adam", loss="categorical_crossentropy",
               metric="default", learning_rate=0.001, dtype="float32", batch_size=64,
               shuffle_batches=True, to_one_hot=False, n_classes=None, trainable_vars=None,
               restore=True, op_name=None, validation_monitors=None, validation_batch_size=None,
               name=None):
    """Mark ``incoming`` (the network's output) as trained with these settings; return it.

    to_one_hot=True: the targets are class indices (0..n_classes-1) rather than one-hot rows.
    """
    for argument, value, instead in (
            ("placeholder", placeholder != "default", "targets are passed to DNN.fit directly."),
            ("trainable_vars", trainable_vars is not None,
             "freeze layers with layer.trainable = False on DNN(...).model."),
            ("op_name", op_name is not None, "there is one training op per DNN."),
            ("validation_monitors", validation_monitors is not None,
             "pass a keras.metrics object as metric=."),
            ("restore", not restore, "load weights with DNN.load.")):
        if value:
            raise u.unsupported("regression", argument, instead)
    if to_one_hot and not n_classes:
        raise ValueError("regression: to_one_hot=True needs n_classes=")
    settings = dict(optimizer=optimizer_from_name(optimizer, learning_rate),
                    loss=loss_from_name(loss, sparse=to_one_hot),
                    metric=metric_from_name(metric, loss, sparse=to_one_hot),
                    batch_size=batch_size, shuffle=shuffle_batches,
                    validation_batch_size=validation_batch_size or batch_size,
                    optimizer_name=optimizer.capitalize() if isinstance(optimizer, str)
                    else type(optimizer).__name__,
                    name=name)
    incoming.tflearn_regression = settings
    u.graph_state()["train_ops"].append((incoming, settings))
    return incoming

"""tflearn.metrics on Keras 3: Accuracy and Top_k, given to ``regression(metric=...)``.

As in tflearn 0.5.0 (tflearn/metrics.py): ``Accuracy`` compares argmaxes (one-hot targets) or,
for a network with one output per example (shape [batch] or [batch, 1]), the sign of the
prediction (logit > 0) with binary targets, and is printed as ``acc`` (``binary_acc``);
``Top_k(k)`` counts an example as right when its target class is among the k highest predictions,
printed as ``top{k}``. :meth:`Metric.keras_metric` returns the Keras metric that computes the same.
"""
import keras

from utils.tflearn import utils as u


class Metric:
    """The base class; ``name`` is what the training line prints."""

    def __init__(self, name=None):
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{type(self).__name__}: name={name!r}; give a non-empty str or None")
        self.name = name

    def keras_metric(self, output_shape, sparse=False):
        """A new Keras metric for a network output of ``output_shape`` (``sparse``: class-index targets)."""
        raise NotImplementedError


def is_binary(output_shape):
    """tflearn's test for binary accuracy: predictions of shape [batch] or [batch, 1]."""
    return len(output_shape) == 1 or (len(output_shape) == 2 and output_shape[1] == 1)


class Accuracy(Metric):
    """Mean accuracy: argmax for classes, ``prediction > 0`` for a single (logit) output."""

    def keras_metric(self, output_shape, sparse=False):
        if is_binary(output_shape):
            return keras.metrics.BinaryAccuracy(threshold=0.0, name=self.name or "binary_acc")
        if sparse:
            return keras.metrics.SparseCategoricalAccuracy(name=self.name or "acc")
        return keras.metrics.CategoricalAccuracy(name=self.name or "acc")


class Top_k(Metric):  # noqa: N801 - tflearn's name
    """Top-k accuracy: the target class is among the ``k`` highest predictions."""

    def __init__(self, k=1, name=None):
        super().__init__(name)
        self.k = u.check_int("Top_k", "k", k)
        self.name = name or f"top{self.k}"

    def keras_metric(self, output_shape, sparse=False):
        if is_binary(output_shape):
            raise ValueError(f"Top_k: the network has one output per example (shape {tuple(output_shape)}); "
                             "top-k needs one output per class, or use Accuracy()")
        cls = keras.metrics.SparseTopKCategoricalAccuracy if sparse else keras.metrics.TopKCategoricalAccuracy
        return cls(k=self.k, name=self.name)


accuracy, top_k = Accuracy, Top_k  # tflearn's lower-case aliases (metric='accuracy', 'top_k')
NAMES = {"accuracy": Accuracy, "top_k": Top_k}


def get(identifier):
    """A metric class by tflearn name ('accuracy', 'top_k'; exact name first, then lower case)."""
    if not isinstance(identifier, str):
        raise TypeError(f"metrics.get: identifier={identifier!r}; give 'accuracy' or 'top_k'")
    cls = {"Accuracy": Accuracy, "Top_k": Top_k}.get(identifier) or NAMES.get(identifier.lower())
    if cls is None:
        raise ValueError(f"metrics.get: identifier={identifier!r}; use one of {sorted(NAMES)}")
    return cls

"""tflearn.data_utils on Keras 3 (NumPy): to_categorical, shuffle, featurewise / samplewise normalisation.

Same results as tflearn 0.5.0 (tflearn/data_utils.py), including its return conventions:
``featurewise_zero_center(X)`` returns ``(X - mean, mean)`` but ``featurewise_zero_center(X, mean)``
returns only the centred array; ``shuffle`` draws its permutation from NumPy's global generator
(``np.random.permutation``), which ``utils.setup()`` seeds; the samplewise functions work in place.
"""
import numpy as np

EPSILON = 1e-8  # tflearn's _EPSILON


def _array(function, argument, value):
    try:
        return np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and the like
        raise TypeError(f"{function}: {argument} is not array-like ({type(value).__name__})") from None


def to_categorical(y, nb_classes=None):
    """Class indices -> one-hot rows.

    With ``nb_classes``: rows of length nb_classes (float64, as tflearn's np.zeros). Without (as
    tflearn): one column per distinct value of ``y``, in sorted order (float32), so labels that
    never occur get no column.
    """
    if nb_classes:
        if isinstance(nb_classes, bool) or not isinstance(nb_classes, (int, np.integer)) or nb_classes < 1:
            raise ValueError(f"to_categorical: nb_classes={nb_classes!r}; give a positive int or None")
        labels = _array("to_categorical", "y", y)
        if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
            raise ValueError("to_categorical: y holds non-integer values; give class indices 0..nb_classes-1")
        labels = labels.astype("int32")
        if len(labels.shape) > 2:
            print("Warning: data array ndim > 2")
        if len(labels.shape) > 1:
            labels = labels.reshape(-1)
        if labels.size and (labels.min() < 0 or labels.max() >= nb_classes):
            raise ValueError(f"to_categorical: y has labels in [{labels.min()}, {labels.max()}] but "
                             f"nb_classes={nb_classes}; labels must be 0..nb_classes-1")
        Y = np.zeros((len(labels), nb_classes))
        Y[np.arange(len(labels)), labels] = 1.0
        return Y
    labels = _array("to_categorical", "y", y)
    if labels.ndim != 1:
        raise ValueError(f"to_categorical: y has shape {labels.shape}; without nb_classes give a 1-D "
                         "array of labels (or pass nb_classes=)")
    return (labels[:, None] == np.unique(labels)).astype(np.float32)


def shuffle(*arrs):
    """The arrays, all permuted by the same random permutation (NumPy's global generator)."""
    if not arrs:
        raise ValueError("shuffle: give one or more arrays of the same length")
    arrs = [np.array(a) for a in arrs]
    lengths = [len(a) for a in arrs]
    if len(set(lengths)) > 1:
        raise ValueError(f"shuffle: the arrays have lengths {lengths}; they must be equal")
    p = np.random.permutation(lengths[0])
    return tuple(a[p] for a in arrs)


def _float_array(function, X):
    X = _array(function, "X", X)
    if not np.issubdtype(X.dtype, np.number):
        raise TypeError(f"{function}: X has dtype {X.dtype}; give a numeric array")
    return X


def _featurewise(function, X, given, statistic, apply):
    """``apply(X, stat)`` with ``stat = statistic(X, axis=0)`` unless given: ``(result, stat)`` when
    computed here, ``result`` alone when given (tflearn's two return conventions)."""
    X = _float_array(function, X)
    if given is None:
        stat = statistic(X, axis=0)
        return apply(X, stat), stat
    return apply(X, given)


def featurewise_zero_center(X, mean=None):
    """``X - mean`` with ``mean`` = X's mean over the examples (axis 0) unless given.

    Returns ``(X - mean, mean)`` when the mean is computed here, ``X - mean`` when it is given.
    """
    return _featurewise("featurewise_zero_center", X, mean, np.mean, np.subtract)


def featurewise_std_normalization(X, std=None):
    """``X / std`` with ``std`` = X's standard deviation over the examples (axis 0) unless given.

    Returns ``(X / std, std)`` when std is computed here, ``X / std`` when it is given (no epsilon:
    a constant feature divides by 0, as in tflearn).
    """
    return _featurewise("featurewise_std_normalization", X, std, np.std, np.divide)


def _samplewise(function, X, update):
    """In place: ``X[i] = update(X[i])`` for each example of a float array of 3 or more dimensions."""
    X = _float_array(function, X)
    if X.ndim < 3 or not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"{function}: X has shape {X.shape}, dtype {X.dtype}; give a float array of 3 "
                         "or more dimensions (tflearn works on each X[i] along its axis 1)")
    for i in range(len(X)):
        X[i] = update(X[i])
    return X


def samplewise_zero_center(X):
    """In place: each example minus its mean along its axis 1 (tflearn's ``axis=1`` of ``X[i]``)."""
    return _samplewise("samplewise_zero_center", X, lambda x: x - np.mean(x, axis=1, keepdims=True))


def samplewise_std_normalization(X):
    """In place: each example divided by its standard deviation along its axis 1 (+ 1e-8)."""
    return _samplewise("samplewise_std_normalization", X,
                       lambda x: x / (np.std(x, axis=1, keepdims=True) + EPSILON))

"""tflearn.initializations on Keras 3: the initialisers by tflearn's names, with tflearn's defaults.

Each function takes tflearn's arguments (tflearn 0.5.0, tflearn/initializations.py) and returns a
new Keras initializer, or, given ``shape=``, a tensor of initial values (as tflearn did). Layers
take the same names as strings (``weights_init='xavier'``) or the objects these functions return
(``weights_init=tflearn.initializations.uniform(minval=-0.1, maxval=0.1)``).
"""
import math

import keras

from utils.tflearn import utils as u

NAMES = ("zeros", "uniform", "uniform_scaling", "normal", "truncated_normal", "xavier", "variance_scaling")


@keras.saving.register_keras_serializable(package="course.tflearn")
class UniformUnitScaling(keras.initializers.VarianceScaling):
    """TF1's ``tf.uniform_unit_scaling_initializer``: U(-m, m), m = factor * sqrt(3 / input_size),
    input_size = the product of all dimensions but the last (at least 1).

    For kernels that is Keras' fan_in, so the draw is VarianceScaling(factor**2, 'fan_in',
    'uniform')'s; a 1-D variable (e.g. highway_conv_2d's gate weights) has input_size 1, where Keras
    would divide by its length.
    """

    def __init__(self, factor=1.0, seed=None):
        super().__init__(scale=factor ** 2, mode="fan_in", distribution="uniform", seed=seed)
        self.factor = factor

    def __call__(self, shape, dtype=None):
        if len(shape) >= 2:
            return super().__call__(shape, dtype)
        limit = math.sqrt(3.0) * self.factor
        return keras.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self._init_seed}


def _out(init, shape, dtype):
    """The initializer, or (tflearn's other mode) its values for ``shape``."""
    if shape is None:
        return init
    dims = [shape] if isinstance(shape, int) else list(shape)
    if not dims or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in dims):
        raise ValueError(f"initializations: shape={shape!r}; give a list of positive ints, or None "
                         "for an initializer")
    return init(dims, dtype=getattr(dtype, "name", dtype))


def _seed(function, seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"initializations.{function}: seed={seed!r}; give an int or None")
    return seed


def zeros(shape=None, dtype="float32", seed=None):
    """Zeros."""
    return _out(keras.initializers.Zeros(), shape, dtype)


def uniform(shape=None, minval=0, maxval=None, dtype="float32", seed=None):
    """U(minval, maxval); ``maxval=None`` is 1 (tf.random_uniform_initializer's rule for floats)."""
    minval = u.check_number("initializations.uniform", "minval", minval)
    maxval = 1.0 if maxval is None else u.check_number("initializations.uniform", "maxval", maxval)
    if maxval <= minval:
        raise ValueError(f"initializations.uniform: minval={minval!r} >= maxval={maxval!r}; "
                         "give minval < maxval")
    return _out(keras.initializers.RandomUniform(minval, maxval, seed=_seed("uniform", seed)), shape, dtype)


def uniform_scaling(shape=None, factor=1.0, dtype="float32", seed=None):
    """U(+-factor * sqrt(3 / fan_in)): tflearn's default for conv_2d (see :class:`UniformUnitScaling`)."""
    factor = u.check_number("initializations.uniform_scaling", "factor", factor, low=0, low_open=True)
    return _out(UniformUnitScaling(factor, seed=_seed("uniform_scaling", seed)), shape, dtype)


def normal(shape=None, mean=0.0, stddev=0.02, dtype="float32", seed=None):
    """N(mean, stddev**2)."""
    stddev = u.check_number("initializations.normal", "stddev", stddev, low=0, low_open=True)
    mean = u.check_number("initializations.normal", "mean", mean)
    return _out(keras.initializers.RandomNormal(mean, stddev, seed=_seed("normal", seed)), shape, dtype)


def truncated_normal(shape=None, mean=0.0, stddev=0.02, dtype="float32", seed=None):
    """N(mean, stddev**2) redrawn beyond 2 stddev: tflearn's default for fully_connected."""
    stddev = u.check_number("initializations.truncated_normal", "stddev", stddev, low=0, low_open=True)
    mean = u.check_number("initializations.truncated_normal", "mean", mean)
    return _out(keras.initializers.TruncatedNormal(mean, stddev, seed=_seed("truncated_normal", seed)),
                shape, dtype)


def xavier(uniform=True, seed=None, dtype="float32"):
    """Glorot & Bengio (2010): U(+-sqrt(6 / (fan_in + fan_out))), or a truncated normal."""
    u.check_bool("initializations.xavier", "uniform", uniform)
    seed = _seed("xavier", seed)
    return keras.initializers.GlorotUniform(seed) if uniform else keras.initializers.GlorotNormal(seed)


def variance_scaling(factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype="float32"):
    """variance factor / n, n = fan_in, fan_out or their mean; the default is He et al. (2015)."""
    factor = u.check_number("initializations.variance_scaling", "factor", factor, low=0, low_open=True)
    modes = {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}
    if mode not in modes:
        raise ValueError(f"initializations.variance_scaling: mode={mode!r}; give one of {sorted(modes)}")
    u.check_bool("initializations.variance_scaling", "uniform", uniform)
    return keras.initializers.VarianceScaling(factor, modes[mode], "uniform" if uniform else "truncated_normal",
                                              seed=_seed("variance_scaling", seed))

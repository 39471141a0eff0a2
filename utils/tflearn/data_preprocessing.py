"""tflearn.data_preprocessing on Keras 3: DataPreprocessing, ImagePreprocessing.

As in tflearn 0.5.0 (tflearn/data_preprocessing.py): an object collects steps (``add_...``) and is
given to ``input_data(data_preprocessing=...)``; the steps then apply, in the order they were
added, to every batch the network sees: in training, validation, ``predict`` and ``evaluate``. The
featurewise mean and standard deviation, unless given, are computed once, by the first
``DNN.fit``, over all the data passed to it (validation split included), and are saved and loaded
with the model's weights (tflearn kept them in variables for the same reason).

tflearn's statistics and its quirks are kept:

* ``featurewise`` mean/std: ``np.mean(X)`` / ``np.std(X)`` over everything, or with
  ``per_channel=True`` the per-image, per-channel means (stds) averaged over the images;
  standardising divides by ``std + 1e-8``.
* They are computed from the data as fed, before any other step: with ``add_image_normalization``
  first, the mean is still that of the 0-255 values.
* ``ImagePreprocessing.add_samplewise_zero_center(per_channel=True)`` takes tflearn's per-channel
  mean over ``axis=(0, 1, 2)`` of one image, i.e. over the whole image: the same as per_channel=False.

Here the steps run inside the Keras model, as a layer right after the input (:class:`Preprocess`).
"""
import numpy as np
import keras
import tensorflow as tf

from utils.measured import measured
from utils.tflearn import utils as u

EPSILON = 1e-8  # tflearn's _EPSILON


class DataPreprocessing:
    """Real-time preprocessing of any data: samplewise / featurewise centring and scaling."""

    def __init__(self, name="DataPreprocessing"):
        if not isinstance(name, str) or not name:
            raise ValueError(f"{type(self).__name__}: name={name!r}; give a non-empty str")
        self.name = name
        self.steps = []  # (kind, options) in the order added
        self.mean, self.std = None, None  # given values, or None: computed by the first fit
        self.mean_per_channel = self.std_per_channel = False
        self.mean_required = self.std_required = False

    def _add(self, kind, **options):
        self.steps.append((kind, options))

    def add_custom_preprocessing(self, func):
        """``func(batch)`` -> batch, a NumPy function of a batch (run through tf.numpy_function)."""
        if not callable(func):
            raise TypeError(f"add_custom_preprocessing: func={func!r}; give a function of a NumPy batch")
        self._add("custom", func=func)

    def add_samplewise_zero_center(self):
        """Subtract from each example its mean over its first axis (e.g. over time steps)."""
        self._add("samplewise_zero_center", axes="first")

    def add_samplewise_stdnorm(self):
        """Divide each example by its standard deviation over its first axis (+ 1e-8)."""
        self._add("samplewise_stdnorm", axes="first")

    def add_featurewise_zero_center(self, mean=None):
        """Subtract ``mean`` (None: the mean of the data, computed by the first fit)."""
        self.mean = _statistic("add_featurewise_zero_center", "mean", mean)
        self.mean_required = True
        self._add("featurewise_zero_center")

    def add_featurewise_stdnorm(self, std=None):
        """Divide by ``std`` + 1e-8 (None: the standard deviation of the data, computed by the first fit)."""
        self.std = _statistic("add_featurewise_stdnorm", "std", std)
        self.std_required = True
        self._add("featurewise_stdnorm")

    def add_zca_whitening(self, pc=None):
        raise u.unsupported("add_zca_whitening", "(ZCA whitening)", "whiten the arrays before fit "
                            "(e.g. with the principal components of the flattened training images).")

    # ------------------------------------------------------------------ statistics (tflearn's)
    def compute_mean(self, data):
        return np.mean(data)

    def compute_std(self, data):
        return np.std(data)


class ImagePreprocessing(DataPreprocessing):
    """Real-time image preprocessing (tflearn's ImagePreprocessing): also applied at test time."""

    def __init__(self):
        super().__init__(name="DataPreprocessing")

    def add_image_normalization(self):
        """Scale 0-255 pixels to 0-1 (divide by 255)."""
        self._add("image_normalization")

    def add_crop_center(self, shape):
        """Crop the centre ``shape`` = (height, width) of each image; the data fed may then be larger
        than ``input_data``'s shape (the input accepts any height and width)."""
        shape = u.kernel_2d(shape, "add_crop_center: shape")
        self._add("crop_center", shape=shape)

    def add_samplewise_zero_center(self, per_channel=False):
        """Subtract from each image its mean (per_channel has no effect, as in tflearn: see the module)."""
        u.check_bool("add_samplewise_zero_center", "per_channel", per_channel)
        self._add("samplewise_zero_center", axes="all")

    def add_samplewise_stdnorm(self, per_channel=False):
        """Divide each image by its standard deviation + 1e-8 (per_channel has no effect, as in tflearn)."""
        u.check_bool("add_samplewise_stdnorm", "per_channel", per_channel)
        self._add("samplewise_stdnorm", axes="all")

    def add_featurewise_zero_center(self, mean=None, per_channel=False):
        """Subtract ``mean`` (None: computed by the first fit; per_channel: one mean per channel)."""
        super().add_featurewise_zero_center(mean)
        self.mean_per_channel = self.mean_per_channel or u.check_bool(
            "add_featurewise_zero_center", "per_channel", per_channel)

    def add_featurewise_stdnorm(self, std=None, per_channel=False):
        """Divide by ``std`` + 1e-8 (None: computed by the first fit; per_channel: one per channel)."""
        super().add_featurewise_stdnorm(std)
        self.std_per_channel = self.std_per_channel or u.check_bool(
            "add_featurewise_stdnorm", "per_channel", per_channel)

    def resize(self, height, width):
        raise u.unsupported("ImagePreprocessing.resize", "(resize)", "tflearn did not implement it either; "
                            "resize the arrays before fit, or add keras.layers.Resizing after input_data.")

    def blur(self):
        raise u.unsupported("ImagePreprocessing.blur", "(blur)", "tflearn did not implement it either.")

    def compute_mean(self, data):
        if not self.mean_per_channel:
            return np.mean(data)
        # tflearn: sum over images of np.mean(image, axis=(0, 1)) / len(dataset)
        return np.mean(data, axis=(1, 2)).sum(axis=0) / len(data)

    def compute_std(self, data):
        if not self.std_per_channel:
            return np.std(data)
        return np.std(data, axis=(1, 2)).sum(axis=0) / len(data)


def _statistic(function, argument, value):
    if value is None:
        return None
    value = np.asarray(value, dtype=np.float64)
    if value.ndim > 1 or not np.all(np.isfinite(value)):
        raise ValueError(f"{function}: {argument}={value!r}; give a finite number, one per channel, or None")
    return value


@keras.saving.register_keras_serializable(package="course.tflearn")
class Preprocess(keras.layers.Layer):
    """The steps of a DataPreprocessing object, as a layer; the featurewise statistics are weights
    (``mean``, ``std`` and flags saying whether they are set), so they are saved with the model."""

    def __init__(self, preprocessing, **kwargs):
        super().__init__(**kwargs)
        self.preprocessing = preprocessing

    def build(self, input_shape):
        prep = self.preprocessing
        channels = input_shape[-1]
        for stat, per_channel, default in (("mean", prep.mean_per_channel, 0.0),
                                           ("std", prep.std_per_channel, 1.0)):
            shape = (channels,) if per_channel else ()
            if per_channel and channels is None:
                raise ValueError(f"input_data: per_channel {stat} needs a known number of channels")
            setattr(self, stat, self.add_weight(name=stat, shape=shape, trainable=False,
                                                initializer=keras.initializers.Constant(default)))
            setattr(self, f"{stat}_set", self.add_weight(name=f"{stat}_set", shape=(), trainable=False,
                                                         initializer="zeros"))

    def initialize(self, data):
        """Set the statistics not given and not yet set (computed or loaded) from ``data``, printing
        tflearn's messages; called by DNN.fit with all the data fed to this input."""
        prep = self.preprocessing
        for stat, required, given, compute, method in (
                ("mean", prep.mean_required, prep.mean, prep.compute_mean, "add_featurewise_zero_center"),
                ("std", prep.std_required, prep.std, prep.compute_std, "add_featurewise_stdnorm")):
            if not required or float(getattr(self, f"{stat}_set").numpy()):
                continue
            if given is None:
                print("---------------------------------")
                print(f"Preprocessing... Calculating {stat} over all dataset (this may take long)...")
                given = np.asarray(compute(np.asarray(data)), dtype=np.float64)
                label = "Mean" if stat == "mean" else "STD"
                # a float reduction over the data set: a measured value, printed with its band
                shown = (measured(float(given), 0.001, digits=4) if given.ndim == 0 else
                         "[" + ", ".join(measured(float(v), 0.001, digits=4) for v in given) + "]")
                print(f"{label}: {shown} (To avoid repetitive computation, add it to "
                      f"argument '{stat}' of `{method}`)")
            variable = getattr(self, stat)
            variable.assign(np.broadcast_to(given, variable.shape).astype(variable.dtype))
            getattr(self, f"{stat}_set").assign(1.0)

    def call(self, x):
        x = tf.cast(x, self.compute_dtype)
        for kind, options in self.preprocessing.steps:
            if kind == "image_normalization":
                x = x / 255.0
            elif kind == "crop_center":
                height, width = options["shape"]
                top = tf.cast((tf.shape(x)[1] - height) // 2, tf.int32)
                left = tf.cast((tf.shape(x)[2] - width) // 2, tf.int32)
                x = x[:, top:top + height, left:left + width]
            elif kind in ("samplewise_zero_center", "samplewise_stdnorm"):
                axes = [1] if options["axes"] == "first" else list(range(1, len(x.shape)))
                if kind == "samplewise_zero_center":
                    x = x - tf.reduce_mean(x, axis=axes, keepdims=True)
                else:
                    x = x / (tf.math.reduce_std(x, axis=axes, keepdims=True) + EPSILON)
            elif kind == "featurewise_zero_center":
                x = x - self.mean
            elif kind == "featurewise_stdnorm":
                x = x / (self.std + EPSILON)
            elif kind == "custom":
                func = options["func"]
                out = tf.numpy_function(lambda b: np.asarray(func(b.copy()), dtype=np.float32), [x], tf.float32)
                x = tf.ensure_shape(out, x.shape)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for kind, options in self.preprocessing.steps:
            if kind == "crop_center":
                shape = (shape[0], *options["shape"], *shape[3:])
        return shape

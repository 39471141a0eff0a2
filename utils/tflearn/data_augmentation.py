"""tflearn.data_augmentation on Keras 3: DataAugmentation, ImageAugmentation.

As in tflearn 0.5.0 (tflearn/data_augmentation.py): an object collects random transformations
(``add_...``) and is given to ``input_data(data_augmentation=...)``; they apply, in the order they
were added, to the training batches only (not to validation, predict or evaluate), before any
data_preprocessing. Each transformation, per image:

* ``add_random_flip_leftright()`` / ``add_random_flip_updown()``: flip with probability 1/2;
* ``add_random_crop(crop_shape, padding=None)``: zero-pad ``padding`` pixels on each side, then cut
  ``crop_shape`` = (height, width) at a uniformly random position;
* ``add_random_rotation(max_angle=20.)``: with probability 1/2 rotate by an angle uniform in
  [-max_angle, max_angle] degrees about the centre, same size, zeros outside;
* ``add_random_90degrees_rotation(rotations=[0, 1, 2, 3])``: rotate by 90 degrees times a number
  drawn from ``rotations``.

Differences: the random numbers come from Keras' seeded generators (``keras.utils.set_random_seed``
/ ``utils.setup()`` make them repeat) instead of Python's ``random``; rotation interpolates
bilinearly (tflearn used scipy.ndimage.rotate, cubic splines). ``add_random_blur`` is not
available. The transformations run inside the Keras model, as a layer after the input
(:class:`Augment`), active only while training.
"""
import math

import keras
import tensorflow as tf

from utils.tflearn import utils as u


class DataAugmentation:
    """The base class: an ordered list of random transformations for the training batches."""

    def __init__(self):
        self.steps = []  # (kind, options) in the order added

    def _add(self, kind, **options):
        self.steps.append((kind, options))


class ImageAugmentation(DataAugmentation):
    """Real-time image augmentation (tflearn's ImageAugmentation): training batches only."""

    def add_random_crop(self, crop_shape, padding=None):
        """Zero-pad ``padding`` pixels per side, then crop ``crop_shape`` at a random place."""
        crop_shape = u.kernel_2d(crop_shape, "add_random_crop: crop_shape")
        if padding is not None:
            padding = u.check_int("add_random_crop", "padding", padding, minimum=0)
        self._add("random_crop", crop_shape=crop_shape, padding=padding or 0)

    def add_random_flip_leftright(self):
        """Mirror left-right with probability 1/2."""
        self._add("random_flip_leftright")

    def add_random_flip_updown(self):
        """Mirror up-down with probability 1/2."""
        self._add("random_flip_updown")

    def add_random_90degrees_rotation(self, rotations=(0, 1, 2, 3)):
        """Rotate by k * 90 degrees, k drawn uniformly from ``rotations``."""
        rotations = list(rotations) if isinstance(rotations, (list, tuple)) else rotations
        if (not isinstance(rotations, list) or not rotations
                or any(isinstance(k, bool) or not isinstance(k, int) for k in rotations)):
            raise ValueError(f"add_random_90degrees_rotation: rotations={rotations!r}; give a non-empty "
                             "list of ints (numbers of quarter turns), e.g. [0, 1, 2, 3]")
        self._add("random_90degrees_rotation", rotations=[k % 4 for k in rotations])

    def add_random_rotation(self, max_angle=20.0):
        """With probability 1/2, rotate by a uniform angle in [-max_angle, max_angle] degrees."""
        max_angle = u.check_number("add_random_rotation", "max_angle", max_angle, low=0, high=360)
        self._add("random_rotation", max_angle=max_angle)

    def add_random_blur(self, sigma_max=5.0):
        raise u.unsupported("add_random_blur", "(random Gaussian blur)",
                            "blur the arrays before fit, or add keras.layers.RandomGaussianBlur "
                            "after input_data.")


def _per_image(batch, seed, p=0.5):
    """A (batch,) bool tensor, True with probability ``p``."""
    return keras.random.uniform((batch,), seed=seed) < p


def _where(mask, a, b):
    return tf.where(tf.reshape(mask, [-1, 1, 1, 1]), a, b)


@keras.saving.register_keras_serializable(package="course.tflearn")
class Augment(keras.layers.Layer):
    """The transformations of an ImageAugmentation object, as a layer active only in training."""

    def __init__(self, augmentation, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.augmentation = augmentation
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        x = tf.cast(x, self.compute_dtype)  # in both modes, so that both give the same dtype
        if not training:
            return x
        seed = self.seed_generator
        batch = tf.shape(x)[0]
        for kind, options in self.augmentation.steps:
            if kind == "random_flip_leftright":
                x = _where(_per_image(batch, seed), tf.reverse(x, axis=[2]), x)
            elif kind == "random_flip_updown":
                x = _where(_per_image(batch, seed), tf.reverse(x, axis=[1]), x)
            elif kind == "random_crop":
                x = self._random_crop(x, batch, seed, **options)
            elif kind == "random_90degrees_rotation":
                rotations = tf.constant(options["rotations"], tf.int32)
                pick = keras.random.randint((batch,), 0, len(options["rotations"]), seed=seed)
                k = tf.gather(rotations, pick)
                out = x
                for quarter in sorted(set(options["rotations"]) - {0}):
                    out = _where(tf.equal(k, quarter), tf.image.rot90(x, quarter), out)
                x = out
            elif kind == "random_rotation":
                x = self._random_rotation(x, batch, seed, options["max_angle"])
        return x

    @staticmethod
    def _random_crop(x, batch, seed, crop_shape, padding):
        if padding:
            x = tf.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
        height, width = crop_shape
        offsets = []
        for axis, size in ((1, height), (2, width)):
            room = tf.shape(x)[axis] - size + 1  # random.randint(0, n - size) is inclusive
            start = tf.cast(tf.floor(keras.random.uniform((batch,), seed=seed) * tf.cast(room, tf.float32)),
                            tf.int32)
            offsets.append(start[:, None] + tf.range(size)[None, :])
        x = tf.gather(x, offsets[0], axis=1, batch_dims=1)
        return tf.gather(x, offsets[1], axis=2, batch_dims=1)

    @staticmethod
    def _random_rotation(x, batch, seed, max_angle):
        rotate = tf.cast(_per_image(batch, seed), tf.float32)
        angle = keras.random.uniform((batch,), -max_angle, max_angle, seed=seed) * rotate * (math.pi / 180)
        height, width = tf.cast(tf.shape(x)[1], tf.float32), tf.cast(tf.shape(x)[2], tf.float32)
        cy, cx = (height - 1) / 2, (width - 1) / 2
        cos, sin = tf.cos(angle), tf.sin(angle)
        zeros = tf.zeros_like(angle)
        # output pixel (x, y) samples the input at R(angle) applied about the centre
        transform = tf.stack([cos, -sin, cx - cos * cx + sin * cy,
                              sin, cos, cy - sin * cx - cos * cy, zeros, zeros], axis=1)
        return keras.ops.image.affine_transform(x, transform, interpolation="bilinear",
                                                fill_mode="constant", fill_value=0)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for kind, options in self.augmentation.steps:
            if kind == "random_crop":
                shape = (shape[0], *options["crop_shape"], *shape[3:])
        return shape

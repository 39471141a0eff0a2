"""tflearn.layers.merge_ops on Keras 3: ``merge(tensors_list, mode, axis=1)``.

Modes as in tflearn: 'concat' joins along ``axis``; 'elemwise_sum' / 'elemwise_mul' add / multiply
same-shape tensors; 'sum', 'mean', 'prod', 'max', 'min', 'and', 'or' concatenate along ``axis``
and then reduce that axis away. Note tflearn's default ``axis=1``: for images the channel axis is
3, which is why the GoogLeNet script writes ``merge(..., mode='concat', axis=3)``.
"""
import keras
import tensorflow as tf

from utils.tflearn import utils as u

REDUCTIONS = {"sum": tf.reduce_sum, "mean": tf.reduce_mean, "prod": tf.reduce_prod,
              "max": tf.reduce_max, "min": tf.reduce_min, "and": tf.reduce_all, "or": tf.reduce_any}
MODES = ("concat", "elemwise_sum", "elemwise_mul") + tuple(REDUCTIONS)


@keras.saving.register_keras_serializable(package="course.tflearn")
class ConcatReduce(keras.layers.Layer):
    """Concatenate a list of tensors along ``axis``, then reduce that axis with ``mode``."""

    def __init__(self, mode, axis, **kwargs):
        super().__init__(**kwargs)
        if mode not in REDUCTIONS:
            raise ValueError(f"mode={mode!r}: one of {sorted(REDUCTIONS)}")
        self.mode, self.axis = mode, axis

    def call(self, inputs):
        return REDUCTIONS[self.mode](tf.concat(inputs, self.axis), axis=self.axis)

    def compute_output_shape(self, input_shapes):
        shape = list(input_shapes[0])
        del shape[self.axis]
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "axis": self.axis}


def merge(tensors_list, mode, axis=1, name="Merge"):
    """Merge two or more tensors into one (see the module docstring for the modes)."""
    if not isinstance(tensors_list, (list, tuple)):
        raise TypeError(f"merge: tensors_list={type(tensors_list).__name__} object; give a list of tensors")
    if len(tensors_list) < 2:
        raise ValueError(f"merge needs 2 or more tensors, got {len(tensors_list)}")
    for t in tensors_list:
        u.check_tensor("merge", t, argument="tensors_list[...]")
    name = u.name_for("merge", name)
    if mode == "concat":
        return keras.layers.Concatenate(axis=axis, name=name)(list(tensors_list))
    if mode == "elemwise_sum":
        return keras.layers.Add(name=name)(list(tensors_list))
    if mode == "elemwise_mul":
        return keras.layers.Multiply(name=name)(list(tensors_list))
    if mode in REDUCTIONS:
        return ConcatReduce(mode, axis, name=name)(list(tensors_list))
    raise ValueError(f"merge: unknown mode {mode!r}; use one of {MODES}")

"""Shared code of the course: data, timing, plotting, training, layers and model builders.

Every chapter starts with::

    import utils
    utils.setup()          # seeds, op determinism, quiet Python-side logs

Importing ``utils`` first sets TensorFlow's environment variables before TensorFlow loads.
"""
import os

from utils.env import apply_tf_environment
from utils.measured import measured  # noqa: F401 - `utils.measured(value, band)` in the chapters
from utils.versions import check_versions

apply_tf_environment()  # must run before the first `import tensorflow` anywhere

# One switch for the whole course: COURSE_FULL_SIZE=1 makes every chapter use its full data,
# image sizes and epochs. Each chapter copies it into its own FULL_SIZE setting at the top.
FULL_SIZE = os.environ.get("COURSE_FULL_SIZE", "0").strip().lower() in ("1", "true", "yes", "on")

SEED = 0


def setup(seed=SEED):
    """Make a notebook reproducible and its output quiet. Call once, at the top of a chapter.

    * the same random numbers every run (Python, NumPy, TensorFlow, Keras): ``keras.utils.set_random_seed``;
    * the same results every run: ``tf.config.experimental.enable_op_determinism()``. TF1 graphs
      then need a graph-level seed: call ``tf.compat.v1.set_random_seed(seed)`` inside each graph;
    * TensorFlow's Python logger shows errors only (its warnings carry temporary file paths that
      change from run to run);
    * NumPy prints 4 decimals, so printed arrays are stable and readable;
    * one line, printed only when the running TensorFlow, Keras or NumPy is another minor release
      than the one the notebook's outputs were stored with (``utils.versions``).
    Returns the seed, so a chapter can print what it ran with.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    tf.get_logger().setLevel("ERROR")
    np.set_printoptions(precision=4, suppress=True)
    check_versions()
    return seed

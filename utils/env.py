"""The TF_* environment variables the course runs with (imports no TensorFlow).

``utils/__init__.py`` and the root ``conftest.py`` call :func:`apply_tf_environment` before the first
``import tensorflow``, so TensorFlow's C++ runtime reads them while it loads. Why C++ log lines
still never reach the notebooks (the kernel config) is explained in ``tools/env.py``.
"""
import os

# Level 2 keeps errors; the oneDNN line is printed before this is read, and is harmless now that
# it goes to the terminal (tools/env.py). oneDNN stays on: it is the fast path on x86 CPUs.
TF_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def apply_tf_environment():
    """Set the TF_* variables this course runs with, unless the user has set them already."""
    for name, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(name, value)

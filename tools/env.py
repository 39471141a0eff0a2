"""The kernel config the Jupyter kernels of this environment run with: ``python -m tools.env``.

Two facts shape this file:

* TensorFlow's C++ runtime writes log lines (oneDNN, CUDA probing, CPU features) straight to file
  descriptor 2 while it loads. Some are written before TF_CPP_MIN_LOG_LEVEL (``utils.env``) is
  read, so no environment variable silences all of them; only TF_ENABLE_ONEDNN_OPTS=0 removes the
  oneDNN one, at a real cost in speed (see the README for the numbers).
* ipykernel copies whatever reaches file descriptor 2 into the notebook, except under pytest. So
  the same notebook stores those lines when run by Lab or nbconvert but does not produce them
  under nbval, and strict nbval fails.

The fix at the root is the kernel's: with ``IPKernelApp.capture_fd_output = False`` C++ output goes
to the terminal that started Jupyter in every setting, while Python's own prints and warnings still
reach the notebook. :func:`install_kernel_config` writes that setting into the environment's
``etc/ipython``, which every IPython kernel started from this Python reads. ``make venv`` runs
``python -m tools.env``; conda users run it once, from the repository's root (environment.yml).
"""
import sys
from pathlib import Path

from utils.env import TF_ENVIRONMENT, apply_tf_environment  # noqa: F401 - re-exported for the tools

KERNEL_CONFIG = '''\
# Written by `python -m tools.env` (the course's tools/env.py explains why).
# TensorFlow's C++ log lines go to the terminal that started the kernel, never into notebooks.
c = get_config()  # noqa: F821 - provided by traitlets when IPython loads this file
c.IPKernelApp.capture_fd_output = False
'''


def kernel_config_path(prefix=None):
    """Where kernels of the Python at ``prefix`` (default: this one) read their config."""
    return Path(prefix or sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"


def kernel_config_installed(prefix=None):
    path = kernel_config_path(prefix)
    return path.exists() and "capture_fd_output = False" in path.read_text()


def install_kernel_config(prefix=None):
    """Write the kernel config; an existing file of the user's is extended, not replaced."""
    path = kernel_config_path(prefix)
    if kernel_config_installed(prefix):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text() if path.exists() else ""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(existing + ("\n" if existing else "") + KERNEL_CONFIG)
    tmp.replace(path)  # atomic: a failure never leaves half a config behind
    return path


if __name__ == "__main__":
    print(f"kernel config: {install_kernel_config()}")

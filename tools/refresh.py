"""Re-execute notebooks in place, top to bottom, in the environment the tests use.

``python -m tools.refresh chapters`` (``make refresh``; ``make refresh NB=chapters/05_lenet.ipynb``
for one), from the repository's root. Each notebook runs in a fresh kernel of this Python with the working directory set to
its folder, as nbval runs it. The result is written to a temporary file and moved over the
notebook only when every cell ran (cells tagged ``raises-exception`` may raise), so a failure
never clobbers a notebook. The versions of TensorFlow, Keras and NumPy the outputs were made with
are recorded in ``metadata.course.made_with``; the rest of the notebook's metadata (the chapter's
``course.summary`` and ``course.paper`` too) is kept. Every target is read and validated before
the first one runs: a missing, non-JSON or invalid notebook stops the command with one line naming
it, and nothing is executed or written.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tools import NotebookError, read_notebook
from tools.env import apply_tf_environment, install_kernel_config
from utils.versions import running_versions


def refresh(path, timeout=1200):
    """Execute one notebook and store its fresh outputs; return the wall time in seconds."""
    path = Path(path)
    nb = read_notebook(path)
    # record_timing=False: no per-cell timestamps in the metadata, so a refresh that changes no
    # output leaves no diff behind.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    # utils.setup() compares these with the running versions and names a mismatch in one line.
    nb.metadata.setdefault("course", {})["made_with"] = running_versions()
    tmp = path.with_name(f".{path.name}.refresh.tmp")
    try:
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return seconds


def notebooks(args):
    """The notebooks named by ``args`` (files, or folders of ``*.ipynb``), each read and validated
    first; raises :class:`tools.NotebookError` (one line) for a missing or malformed one."""
    targets = []
    for arg in args:
        p = Path(arg)
        if not p.exists():
            raise NotebookError(f"{p}: no such notebook or folder")
        found = sorted(p.glob("*.ipynb")) if p.is_dir() else [p]
        if not found:
            raise NotebookError(f"{p}: no notebooks (*.ipynb) in this folder")
        targets += found
    for path in targets:
        read_notebook(path)
    return targets


def main(argv):
    try:
        targets = notebooks(argv or ["chapters"])
    except NotebookError as error:
        sys.exit(str(error))
    install_kernel_config()   # C++ log lines to the terminal, not into stored outputs
    apply_tf_environment()    # the kernels inherit the same TF_* variables the tests set
    failed = []
    for nb_path in targets:
        try:
            print(f"{nb_path}: {refresh(nb_path):.1f} s", flush=True)
        except CellExecutionError as e:
            failed.append(nb_path)
            print(f"{nb_path}: FAILED, left unchanged\n{str(e)[-3000:]}", flush=True)
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: {', '.join(map(str, failed))}")


if __name__ == "__main__":
    main(sys.argv[1:])

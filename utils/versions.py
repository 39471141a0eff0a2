"""Which library versions the stored outputs were made with, and a one-line warning on a mismatch.

``make refresh`` records the versions of TensorFlow, Keras and NumPy in each notebook's metadata
(``metadata.course.made_with``). ``utils.setup()`` compares them with the running ones: another
minor release changes messages, reprs and numerics, and a reader should learn that from one line
at the top of the chapter, not from a wall of differences further down.
"""
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = {"tensorflow": "TensorFlow", "keras": "Keras", "numpy": "NumPy"}


def running_versions():
    """{"tensorflow": "2.21.0", ...} of this environment (from the installed distributions)."""
    found = {}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def minor(v):
    return ".".join(v.split(".")[:2])


def mismatch_message(recorded, running):
    """One line naming both versions of every package whose minor release differs, else None."""
    differ = [p for p in PACKAGES if p in recorded and minor(recorded[p]) != minor(running.get(p, "?"))]
    if not differ:
        return None
    stored = ", ".join(f"{PACKAGES[p]} {recorded[p]}" for p in differ)
    here = ", ".join(f"{PACKAGES[p]} {running.get(p, '?')}" for p in differ)
    return (f"Note: this notebook's stored outputs were made with {stored}; this environment has {here}. "
            f"Outputs may differ from the stored ones: run `make refresh` to re-store them with these "
            f"versions (or install requirements.txt's pins).")


def recorded_versions(notebook_dir=None):
    """The versions recorded in the notebook this kernel runs (JupyterLab names it), else in the
    notebooks of the working directory (nbval and nbconvert run kernels there); {} if none."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    candidates = [Path(session)] if session.endswith(".ipynb") and Path(session).is_file() else \
        sorted(Path(notebook_dir or os.getcwd()).glob("*.ipynb"))
    for path in candidates:
        try:
            made_with = json.loads(path.read_text()).get("metadata", {}).get("course", {}).get("made_with")
        except (OSError, ValueError):
            continue
        if made_with:
            return made_with
    return {}


def check_versions(notebook_dir=None):
    """Print the mismatch line, if any, and return it."""
    message = mismatch_message(recorded_versions(notebook_dir), running_versions())
    if message:
        print(message)
    return message

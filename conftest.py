"""pytest setup shared by the notebook tests (nbval) and the unit tests.

* The TF_* environment the course runs with is set here, before nbval starts any kernel, so the
  kernels under test see the same environment as those of `make refresh` and `make lab`.
* Each notebook's wall time (kernel start plus every cell) is summed, printed at the end of the
  run and written to build/test-durations.json; `make timings` turns it into the README's table.
* Measured values (``0.896 ±0.02``) are compared within their band: tests/nbval_measured.py.
* Every Python test starts from seed 0 (``keras.utils.set_random_seed``: Python, NumPy, TensorFlow),
  so its random numbers do not depend on which tests ran before it; the rest of ``utils.setup()``
  (op determinism, quiet logs, NumPy print options) runs once, before the first Python test.
  Test modules do not seed at import time. Notebook cells (nbval items) take no fixtures: each
  chapter calls ``utils.setup()`` itself.
"""
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest

from utils.env import apply_tf_environment

apply_tf_environment()

pytest_plugins = ["tests.nbval_measured"]

ROOT = Path(__file__).resolve().parent
_durations = defaultdict(float)
_started = time.perf_counter()


@pytest.fixture(scope="session")
def _course_setup():
    """``utils.setup()`` once per session; TensorFlow is imported here, not at collection."""
    import utils

    utils.setup()
    return utils.SEED


@pytest.fixture(autouse=True)
def _seed_each_test(_course_setup):
    import keras

    keras.utils.set_random_seed(_course_setup)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _durations[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _durations:
        return
    terminalreporter.section("wall time per notebook")
    for path, seconds in sorted(_durations.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    total = sum(_durations.values())
    terminalreporter.write_line(f"{total:7.1f} s  all notebooks ({time.perf_counter() - _started:.1f} s whole run)")
    # A run of some notebooks updates their entries; only a run of every chapter sets the whole-run time.
    out = ROOT / "build" / "test-durations.json"
    out.parent.mkdir(exist_ok=True)
    old = json.loads(out.read_text()) if out.exists() else {"notebooks": {}, "whole_run_seconds": None}
    notebooks = {**old["notebooks"], **{k: round(v, 1) for k, v in _durations.items()}}
    every_chapter = {f"chapters/{p.name}" for p in (ROOT / "chapters").glob("*.ipynb")} <= set(_durations)
    whole = round(time.perf_counter() - _started, 1) if every_chapter else old["whole_run_seconds"]
    out.write_text(json.dumps({"notebooks": dict(sorted(notebooks.items())), "whole_run_seconds": whole}, indent=1))

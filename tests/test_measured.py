"""The exact/measured rule: utils.measured prints a band, the nbval plugin enforces it both ways.

The end-to-end tests store a tiny notebook by hand, run strict nbval on it in a fresh pytest with
the course's plugin and sanitize file, and read the verdict: a measured value within its band
passes, one beyond it fails, and an exact value that moves in its last digit still fails.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.nbval_measured import reconcile_outputs
from utils.measured import MEASURED, measured, reconcile

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------ printing and parsing

def test_measured_prints_the_value_and_its_band():
    assert measured(0.89617, 0.02) == "0.896 ±0.02"
    assert measured(1.3941, "5%") == "1.394 ±5%"
    assert measured(2.0e-9, "50%", digits="e") == "2.0e-09 ±50%"
    assert measured(42.123, 0.5, digits=1) == "42.1 ±0.5"
    assert measured(float("nan"), 0.02) == "nan"          # a diverged run is an exact outcome


@pytest.mark.parametrize("band", [0, -0.1, "5", "five %", None, float("inf")])
def test_a_bad_band_names_the_argument_and_the_fix(band):
    with pytest.raises(ValueError, match=r"measured\(band="):
        measured(0.5, band)


def test_every_printed_form_parses_back():
    for text in (measured(0.896, 0.02), measured(1.394, "5%"), measured(-0.25, 0.1),
                 measured(3e-10, "50%", digits="e")):
        assert MEASURED.fullmatch(text), text


def test_within_the_band_the_computed_text_becomes_the_stored_one():
    stored = "epoch 1/3: accuracy 0.890 ±0.02  loss 1.394 ±5%"
    assert reconcile(stored, "epoch 1/3: accuracy 0.909 ±0.02  loss 1.450 ±5%") == (stored, [])


def test_beyond_the_band_the_value_stays_and_a_problem_is_named():
    text, problems = reconcile("test accuracy 0.890 ±0.02", "test accuracy 0.800 ±0.02")
    assert text == "test accuracy 0.800 ±0.02"
    assert problems == ["measured value outside its band: stored 0.890 ±0.02, computed 0.800 "
                        "(after 'test accuracy')"]
    # relative bands are relative to the stored value: 5 % of 1.394 is 0.0697
    assert reconcile("loss 1.394 ±5%", "loss 1.463 ±5%")[1] == []
    assert reconcile("loss 1.394 ±5%", "loss 1.465 ±5%")[1] != []


def test_a_changed_band_is_a_change_not_a_tolerance():
    text, problems = reconcile("accuracy 0.890 ±0.02", "accuracy 0.890 ±0.05")
    assert text == "accuracy 0.890 ±0.05" and problems[0].startswith("band changed")


def test_numbers_without_a_band_are_left_to_the_exact_comparison():
    assert reconcile("61,706 parameters, loss 0.5 ±0.1", "61,707 parameters, loss 0.5 ±0.1") == (
        "61,707 parameters, loss 0.5 ±0.1", [])


def test_outputs_are_matched_by_kind_and_order():
    stored = [nbformat.v4.new_output("stream", name="stdout", text="acc 0.890 ±0.02\n"),
              nbformat.v4.new_output("execute_result", data={"text/plain": "0.500 ±10%"})]
    computed = [nbformat.v4.new_output("stream", name="stdout", text="acc 0.880 ±0.02\n"),
                nbformat.v4.new_output("execute_result", data={"text/plain": "0.520 ±10%"})]
    reconciled, problems = reconcile_outputs(computed, stored)
    assert problems == [] and [o.get("text", o.get("data")) for o in reconciled] == [
        "acc 0.890 ±0.02\n", {"text/plain": "0.500 ±10%"}]
    assert computed[0]["text"] == "acc 0.880 ±0.02\n"          # the computed outputs are not mutated


# ------------------------------------------------------------------- end to end, through nbval

CELL = """import os
from utils.measured import measured
accuracy, count = float(os.environ["FAKE_ACCURACY"]), int(os.environ["FAKE_COUNT"])
print(f"test accuracy {measured(accuracy, 0.02)}; {count:,} parameters")"""


def run_nbval(tmp_path, stored_accuracy, stored_count, accuracy, count):
    """Strict nbval, with the course's plugin and sanitizer, on a notebook stored by hand."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(CELL, execution_count=1)
    cell.outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text=f"test accuracy {measured(stored_accuracy, 0.02)}; {stored_count:,} parameters\n")]
    nb.cells = [cell]
    path = tmp_path / "stored.ipynb"
    nbformat.write(nb, path)
    env = {**os.environ, "FAKE_ACCURACY": str(accuracy), "FAKE_COUNT": str(count),
           "PYTHONPATH": str(ROOT)}
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.nbval_measured",
         "-c", os.devnull, "--rootdir", str(tmp_path), "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_nbval_passes_a_measured_value_that_moved_within_its_band(tmp_path):
    code, out = run_nbval(tmp_path, 0.890, 61_706, accuracy=0.9049, count=61_706)
    assert code == 0, out


def test_nbval_fails_a_measured_value_beyond_its_band(tmp_path):
    code, out = run_nbval(tmp_path, 0.890, 61_706, accuracy=0.800, count=61_706)
    assert code == 1, out
    assert "measured value outside its band: stored 0.890 ±0.02, computed 0.800" in out


def test_nbval_fails_an_exact_value_that_changed_in_its_last_digit(tmp_path):
    code, out = run_nbval(tmp_path, 0.890, 61_706, accuracy=0.890, count=61_707)
    assert code == 1, out
    assert "61,707 parameters" in out and "outside its band" not in out

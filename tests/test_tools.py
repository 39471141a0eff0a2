"""utils.timing, utils.plotting and utils.train; the repository's commands in tools/ (env, refresh,
slides, readme, report_durations), including what they do with a missing or malformed notebook:
one line naming the file and the problem, a non-zero exit, and nothing written."""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import utils
from tools import env
from utils import plotting, timing

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------ timing

def test_timer_laps_are_the_times_between_them():
    with timing.Timer("t") as t:
        time.sleep(0.05)
        t.lap()
        time.sleep(0.01)
        t.lap()
    first, second = t.laps
    # sleep() waits at least as long as asked; an overloaded machine can only add time
    assert first >= 0.05 and second >= 0.01 and t.elapsed >= first + second
    assert t.result().times == [first, second]


def test_timing_result_mean_and_sd_are_the_population_statistics():
    result = timing.TimingResult("r", [1.0, 2.0, 4.0])
    assert result.mean == pytest.approx(np.mean([1.0, 2.0, 4.0]))
    assert result.sd == pytest.approx(np.std([1.0, 2.0, 4.0]))  # ddof=0: 1.2472, not 1.5275
    assert str(result) == "r: 2.3333 +/- 1.2472 s/step over 3 steps"


def test_timer_lap_outside_the_block_says_what_to_do():
    with pytest.raises(RuntimeError, match="outside `with Timer"):
        timing.Timer().lap()


def test_time_tensorflow_run_counts_burn_in_apart_from_timed_steps():
    calls = []
    result = timing.time_tensorflow_run(lambda: calls.append(1), num_steps=4, num_burn_in=3)
    assert len(calls) == 7 and len(result.times) == 4
    assert "over 4 steps" in str(result)


def test_time_tensorflow_run_runs_a_session_and_a_tf_function():
    import tensorflow as tf

    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        y = tf.reduce_sum(x * 2.0)
        with tf.compat.v1.Session() as sess:
            result = timing.time_tensorflow_run(sess, y, feed_dict={x: np.ones((2, 3))}, num_steps=2)
    assert len(result.times) == 2
    f = tf.function(lambda: tf.reduce_sum(tf.ones((4, 4))))
    assert len(timing.time_tensorflow_run(f, num_steps=2, num_burn_in=1).times) == 2


def test_time_tensorflow_run_rejects_bad_arguments():
    with pytest.raises(TypeError, match="Session or a callable"):
        timing.time_tensorflow_run(42)
    with pytest.raises(ValueError, match="fetches/feed_dict go with a Session"):
        timing.time_tensorflow_run(lambda: 1, fetches="y")
    with pytest.raises(ValueError, match=r"num_steps=0: must be a whole number >= 1"):
        timing.time_tensorflow_run(lambda: 1, num_steps=0)


# --------------------------------------------------------------------------------------- env

def test_kernel_config_is_installed_once_and_keeps_the_users_lines(tmp_path):
    path = env.kernel_config_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("c.InteractiveShell.colors = 'nocolor'\n")
    env.install_kernel_config(tmp_path)
    env.install_kernel_config(tmp_path)
    text = path.read_text()
    assert text.startswith("c.InteractiveShell.colors") and text.count("capture_fd_output = False") == 1


def test_this_environment_has_the_kernel_config():
    assert env.kernel_config_installed(), "run `python -m tools.env` (make venv does it)"


def test_the_tf_environment_lives_in_utils_and_the_installer_in_tools():
    import utils.env

    assert env.apply_tf_environment is utils.env.apply_tf_environment
    assert not hasattr(utils.env, "install_kernel_config")
    # it must run before TensorFlow loads, so it imports none of it
    assert not re.search(r"^\s*(import|from) tensorflow", (ROOT / "utils" / "env.py").read_text(), re.M)


def test_utils_holds_only_what_chapters_import_and_never_imports_tools():
    names = {p.name for p in (ROOT / "utils").iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert not names & {"refresh.py", "readme.py", "slides.py", "vendor", "templates"}, \
        "repository tools belong in tools/, not in the package the chapters import"
    for path in (ROOT / "utils").rglob("*.py"):
        text = path.read_text()
        assert "import tools" not in text and "from tools" not in text, f"{path} imports tools/"


def test_full_size_switch_reads_the_environment(monkeypatch):
    import importlib

    monkeypatch.setenv("COURSE_FULL_SIZE", "1")
    assert importlib.reload(utils).FULL_SIZE is True
    monkeypatch.setenv("COURSE_FULL_SIZE", "0")
    assert importlib.reload(utils).FULL_SIZE is False


# ---------------------------------------------------------------------------------- plotting

def test_image_grid_titles_images_with_class_names():
    fig = plotting.image_grid(np.zeros((3, 5, 5, 1)), labels=[0, 2, 1], class_names=["a", "b", "c"], ncols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["a", "c", "b"]


def test_plotting_rejects_wrong_shapes_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(N, H, W, C\)"):
        plotting.image_grid(np.zeros(5))
    with pytest.raises(ValueError, match="height, width, in_channels, out_channels"):
        plotting.plot_filters(np.zeros((3, 3, 8)))


def test_plot_curves_draws_validation_dashed():
    fig = plotting.plot_curves({"run": {"loss": [1, 0.5], "val_loss": [1.1, 0.7]}}, metrics=("loss",))
    styles = [line.get_linestyle() for line in fig.axes[0].lines]
    assert styles == ["-", "--"]


def test_draw_graph_places_inputs_left_of_results():
    import tensorflow as tf

    with tf.Graph().as_default() as g:
        a = tf.constant(1.0, name="a")
        b = tf.constant(2.0, name="b")
        tf.add(a, b, name="sum")
    fig = plotting.draw_graph(g)
    texts = {t.get_text().split("\n")[0]: t.get_position()[0] for t in fig.axes[0].texts}
    assert texts["a"] < texts["sum"] and texts["b"] < texts["sum"]


# ------------------------------------------------------------------------------------- train

def test_fit_prints_one_line_per_epoch_with_bands_and_reports_test_accuracy(capsys):
    import keras

    from utils import train

    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    history = train.fit(model, (x, y), (x, y), epochs=2, batch_size=16)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    # every value is a measured one, with its band (utils/measured.py)
    assert re.fullmatch(r"epoch 1/2: accuracy \d\.\d{3} ±0\.03  loss \d\.\d{3} ±10%  "
                        r"val_accuracy \d\.\d{3} ±0\.03  val_loss \d\.\d{3} ±10%", lines[0])
    assert len(history["loss"]) == 2 and set(history) >= {"test_accuracy", "test_loss", "val_loss"}


# ----------------------------------------------------------------------- refresh and slides

def write_notebook(path, sources, tags=None, course=None, title="# Title"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(title, metadata={"slideshow": {"slide_type": "slide"}})]
    nb.cells += [nbformat.v4.new_code_cell(s, metadata={"slideshow": {"slide_type": "-"},
                                                       "tags": tags or []}) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if course is not None:
        nb.metadata["course"] = course
    nbformat.write(nb, path)


def test_refresh_stores_outputs_and_keeps_c_log_lines_out(tmp_path, monkeypatch):
    from tools import refresh

    # ipykernel never captures fd 2 under pytest; make the kernel behave as under Lab or nbconvert,
    # where only the kernel config installed by tools.env keeps C++ lines out of the notebook.
    monkeypatch.delenv("PYTEST_CURRENT_TEST")

    path = tmp_path / "ok.ipynb"
    write_notebook(path, ["import os\nos.write(2, b'I0000 fake C++ log line\\n')\nprint(6 * 7)"],
                   course={"summary": "what it teaches", "paper": "Someone 1998"})
    refresh.refresh(path)
    stored = json.loads(path.read_text())
    outputs = stored["cells"][1]["outputs"]
    assert outputs == [{"name": "stdout", "output_type": "stream", "text": ["42\n"]}]
    # the chapter's own metadata is kept; the versions are added
    course = stored["metadata"]["course"]
    assert course["summary"] == "what it teaches" and course["paper"] == "Someone 1998"
    assert set(course["made_with"]) == {"tensorflow", "keras", "numpy"}


def test_refresh_leaves_a_failing_notebook_untouched(tmp_path):
    from nbclient.exceptions import CellExecutionError

    from tools import refresh

    path = tmp_path / "bad.ipynb"
    write_notebook(path, ["print('ran')", "1 / 0"])
    before = path.read_bytes()
    with pytest.raises(CellExecutionError):
        refresh.refresh(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["bad.ipynb"]


def test_refresh_accepts_errors_in_cells_tagged_raises_exception(tmp_path):
    from tools import refresh

    path = tmp_path / "raises.ipynb"
    write_notebook(path, ["raise ValueError('shown on purpose')"], tags=["raises-exception"])
    refresh.refresh(path)
    assert json.loads(path.read_text())["cells"][1]["outputs"][0]["ename"] == "ValueError"


def test_slides_use_only_local_scripts(tmp_path):
    from tools import slides

    path = tmp_path / "deck.ipynb"
    write_notebook(path, ["print(1)"])
    (deck,) = slides.export_decks([path], tmp_path / "out")
    html = deck.read_text()
    assert "reveal.js" in html and "vendor/reveal.js/dist/reveal.js" in html
    for cdn in ("unpkg.com", "cdnjs", "cdn.jsdelivr", "mermaid"):
        assert cdn not in html, f"{cdn} still referenced: the deck would need the network"
    assert (tmp_path / "out" / "vendor" / "reveal.js" / "dist" / "reveal.js").exists()
    assert (tmp_path / "out" / "vendor" / "mathjax" / "MathJax.js").exists()


# ------------------------------------------------------- the commands, on bad input (subprocesses)

MALFORMED = {
    "not_json": "{ this is not JSON",
    "empty": "",
    "invalid_nbformat": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                    "cells": [{"cell_type": "code", "source": "x"}]}),
    "json_list": "[1, 2, 3]",
}


def run_tool(*args, cwd=ROOT):
    """``python -m tools.<name> args`` from the repository root, as the Makefile runs it."""
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def assert_one_line_error(result, path, problem):
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert str(path) in lines[0] and problem in lines[0], lines[0]


def folder_with(tmp_path, kind):
    """tmp_path/nbs with a good notebook and a malformed one (sorted after it)."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    write_notebook(folder / "00_good.ipynb", ["print(1)"], course={"summary": "fine", "paper": ""})
    bad = folder / f"01_{kind}.ipynb"
    bad.write_text(MALFORMED[kind])
    return folder, bad


def problem_of(kind):
    return "not JSON" if kind in ("not_json", "empty") else "not a valid notebook"


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_slides_on_a_malformed_notebook_exit_with_one_line_and_write_no_deck(tmp_path, kind):
    folder, bad = folder_with(tmp_path, kind)
    out = tmp_path / "decks"
    result = run_tool("tools.slides", folder, out)
    assert_one_line_error(result, bad, problem_of(kind))
    assert not out.exists(), f"left behind: {sorted(p.name for p in out.rglob('*'))[:5]}"


@pytest.mark.parametrize("kind", ["not_json", "invalid_nbformat"])
def test_refresh_on_a_malformed_notebook_exits_with_one_line_and_runs_nothing(tmp_path, kind):
    folder, bad = folder_with(tmp_path, kind)
    good = folder / "00_good.ipynb"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run_tool("tools.refresh", folder)
    assert_one_line_error(result, bad, problem_of(kind))
    # checked before the first notebook runs: the good one is not executed either
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before and good.name in before


def test_refresh_and_slides_on_a_missing_notebook_name_it(tmp_path):
    missing = tmp_path / "nope.ipynb"
    assert_one_line_error(run_tool("tools.refresh", missing), missing, "no such notebook")
    assert_one_line_error(run_tool("tools.slides", missing, tmp_path / "out"), missing, "no such notebook")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_tool("tools.refresh", empty), empty, "no notebooks")
    assert_one_line_error(run_tool("tools.slides", empty, tmp_path / "out"), empty, "no notebooks")
    assert not (tmp_path / "out").exists()


README = "# Course\n\n<!-- chapter table -->\nold\n<!-- /chapter table -->\n\n<!-- timings -->\nold\n<!-- /timings -->\n"


def readme_checkout(tmp_path):
    """A minimal repository: README.md with the markers, and chapters/ with one good chapter."""
    root = tmp_path / "repo"
    (root / "chapters").mkdir(parents=True)
    (root / "README.md").write_text(README)
    write_notebook(root / "chapters" / "00_intro.ipynb", ["print(1)"], title="# 00 · Intro",
                   course={"summary": "what it  teaches", "paper": "Someone 1998"})
    return root


def test_readme_reads_summary_and_paper_from_the_notebook_metadata(tmp_path):
    root = readme_checkout(tmp_path)
    result = run_tool("tools.readme", root)
    assert result.returncode == 0, result.stderr
    text = (root / "README.md").read_text()
    assert "| 00 | [Intro](chapters/00_intro.ipynb): what it teaches | Someone 1998 |  |  |" in text
    assert "Run `make test`, then `make readme`" in text


@pytest.mark.parametrize("kind", sorted(MALFORMED) + ["no_summary", "missing"])
def test_readme_on_a_bad_chapter_exits_with_one_line_and_leaves_the_readme(tmp_path, kind):
    root = readme_checkout(tmp_path)
    bad = root / "chapters" / "01_bad.ipynb"
    if kind == "no_summary":
        write_notebook(bad, ["print(1)"], course={"paper": "Someone 1998"})
        problem = "set the notebook metadata course.summary"
    elif kind == "missing":
        (root / "chapters" / "00_intro.ipynb").unlink()
        bad, problem = root / "chapters", "no chapter notebooks"
    else:
        bad.write_text(MALFORMED[kind])
        problem = problem_of(kind)
    result = run_tool("tools.readme", root)
    assert_one_line_error(result, bad, problem)
    assert (root / "README.md").read_text() == README
    assert not (root / "chapters" / "thumbnails").exists()


def test_timings_prints_the_table_or_says_to_run_the_tests_first(tmp_path):
    path = tmp_path / "durations.json"
    result = run_tool("tools.report_durations", path)
    assert result.returncode != 0 and "run `make test` first" in result.stderr
    path.write_text(json.dumps({"notebooks": {"chapters/05_lenet.ipynb": 22.6}, "whole_run_seconds": 391.2}))
    result = run_tool("tools.report_durations", path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[2:] == ["| 05_lenet.ipynb | 23 |", "| **whole test run** | **391** |"]
    path.write_text("{broken")
    result = run_tool("tools.report_durations", path)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1 and str(path) in result.stderr

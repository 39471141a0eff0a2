"""utils.versions: make refresh records the library versions, utils.setup() names a mismatch."""
import json
from pathlib import Path

import nbformat

from utils import versions

ROOT = Path(__file__).resolve().parents[1]


def write_notebook(folder, made_with):
    nb = nbformat.v4.new_notebook()
    nb.metadata["course"] = {"made_with": made_with}
    nbformat.write(nb, folder / "chapter.ipynb")


def test_same_minor_releases_print_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    running = versions.running_versions()
    patch_moved = {p: v.rsplit(".", 1)[0] + ".99" for p, v in running.items()}
    write_notebook(tmp_path, patch_moved)
    assert versions.check_versions(tmp_path) is None and capsys.readouterr().out == ""


def test_another_minor_release_is_named_in_one_line_with_the_fix(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    write_notebook(tmp_path, {**versions.running_versions(), "tensorflow": "2.19.0"})
    message = versions.check_versions(tmp_path)
    running_tf = versions.running_versions()["tensorflow"]
    assert capsys.readouterr().out == message + "\n" and "\n" not in message
    assert f"made with TensorFlow 2.19.0; this environment has TensorFlow {running_tf}" in message
    assert "make refresh" in message and "Keras" not in message


def test_jupyterlab_names_the_notebook_it_runs(tmp_path, monkeypatch):
    write_notebook(tmp_path, {"tensorflow": "1.15.0"})
    (tmp_path / "other").mkdir()
    write_notebook(tmp_path / "other", {"tensorflow": "2.0.0"})
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "other" / "chapter.ipynb"))
    assert versions.recorded_versions(tmp_path) == {"tensorflow": "2.0.0"}


def test_no_record_no_message(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert versions.recorded_versions(tmp_path) == {} and versions.check_versions(tmp_path) is None


def test_every_stored_chapter_records_its_versions():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        made_with = json.loads(path.read_text())["metadata"].get("course", {}).get("made_with")
        assert made_with and set(made_with) == set(versions.PACKAGES), \
            f"{path.name}: no metadata.course.made_with; store the notebook with `make refresh`"

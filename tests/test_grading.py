"""The chapters as nbgrader assignments: valid nbgrader metadata, checks that an untouched student
copy cannot pass, and `make student` / `make autograde` end to end on two chapters."""
import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
END_TO_END = ["01_graphs_and_sessions.ipynb", "02_placeholders_and_feeding.ipynb"]


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def assigned(source):
    """Names a cell's code binds at any depth (assignments, defs, imports, loop and with targets)."""
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def loaded(source):
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_valid_nbgrader_cells(path):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)  # what generate_assignment checks first
    cells = [c for c in nb.cells if nbgrader(c)]
    assert nbgrader(cells[0]).get("locked") and cells[0].source.startswith("## Exercises"), \
        f"{path.name}: the exercise prompts are a locked (read-only) nbgrader cell"
    solutions = [c for c in cells if nbgrader(c).get("solution") and c.cell_type == "code"]
    assert solutions and all("### BEGIN SOLUTION" in c.source for c in solutions), \
        f"{path.name}: every code solution keeps its answer between ### BEGIN/END SOLUTION"
    points = sum(nbgrader(c).get("points", 0) for c in cells if nbgrader(c).get("grade"))
    assert points >= 2, f"{path.name}: only {points} points of autograded checks"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_check_needs_its_own_solution(path):
    """An untouched student copy scores zero: each check cell reads a name that only its exercise's
    solution defines, so with the solution replaced by nbgrader's stub the check raises NameError
    (the end-to-end test below shows it for two chapters by running them)."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        meta = nbgrader(cell)
        if not (meta.get("grade") and not meta.get("solution")):
            continue
        exercise = meta["grade_id"].removesuffix("_tests")
        own = [c for c in code if nbgrader(c).get("grade_id") == exercise]
        assert own and code.index(own[0]) < i, f"{path.name}: {meta['grade_id']} comes before its solution"
        # what the chapter defines before the check, outside the (stubbed) solutions and checks
        elsewhere = set().union(*(assigned(c.source) for c in code[:i] if not nbgrader(c).get("grade")
                                  and not nbgrader(c).get("solution")))
        only_here = (assigned(own[0].source) - elsewhere) & loaded(cell.source)
        assert only_here, (f"{path.name}: {meta['grade_id']} reads no name that only the solution "
                           f"{exercise} defines, so an unsolved copy could pass it")


def run_tool(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    result = run_tool("tools.student", *END_TO_END, str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def test_student_copies_have_stubs_no_solutions_no_hidden_checks(student_copies):
    for name in END_TO_END:
        solved = nbformat.read(ROOT / "chapters" / name, as_version=4)
        copy = nbformat.read(student_copies / name, as_version=4)
        assert len(copy.cells) == len(solved.cells)
        for ours, theirs in zip(solved.cells, copy.cells):
            meta = nbgrader(ours)
            if meta.get("solution"):
                stub = "raise NotImplementedError()" if ours.cell_type == "code" else "YOUR ANSWER HERE"
                assert stub in theirs.source and "BEGIN SOLUTION" not in theirs.source
            if "### BEGIN HIDDEN TESTS" in ours.source:
                assert "HIDDEN" not in theirs.source
                hidden = ours.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                assert hidden.strip() not in theirs.source
            assert not theirs.metadata.get("jupyter", {}).get("source_hidden"), "exercise cells are expanded"
            assert not theirs.get("outputs")


def test_autograde_gives_full_marks_to_the_course_and_zero_to_an_untouched_copy(student_copies, tmp_path):
    solved = tmp_path / "solved"
    solved.mkdir()
    for name in END_TO_END:
        (solved / name).write_bytes((ROOT / "chapters" / name).read_bytes())
    full = run_tool("tools.autograde", str(solved))
    assert full.returncode == 0, full.stderr[-2000:]
    lines = full.stdout.splitlines()
    assert lines == ["01_graphs_and_sessions.ipynb: 3 / 3", "02_placeholders_and_feeding.ipynb: 3 / 3", "total: 6 / 6"]

    untouched = run_tool("tools.autograde", str(student_copies))
    assert untouched.returncode == 0, untouched.stderr[-2000:]
    assert untouched.stdout.splitlines() == [
        "01_graphs_and_sessions.ipynb: 0 / 3", "02_placeholders_and_feeding.ipynb: 0 / 3", "total: 0 / 6"]


def test_autograde_names_a_notebook_that_is_not_a_chapter(tmp_path):
    (tmp_path / "homework.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    result = run_tool("tools.autograde", str(tmp_path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].startswith("homework.ipynb: not a chapter of the course")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_tool("tools.autograde", str(empty))
    assert result.returncode == 1 and "no notebooks" in result.stderr

"""nbgrader for the course: student copies of the chapters and autograding of submitted ones.

The chapters *are* nbgrader source notebooks: each exercise's worked solution sits between
``### BEGIN SOLUTION`` / ``### END SOLUTION`` in a cell marked ``solution``, its checks in a locked
``grade`` cell with points (the last check of a cell inside ``### BEGIN HIDDEN TESTS``), written
answers in markdown answer cells (0 points: read by the instructor, not scored). Nothing here
reimplements nbgrader: the student copy is ``nbgrader generate_assignment``'s release version, and
grading is ``nbgrader autograde`` with its gradebook, both run through ``nbgrader.apps.NbGraderAPI``
in a throw-away course directory (``source/<chapter>/<chapter>.ipynb``, one assignment per
chapter), so an instructor's own nbgrader set-up sees the same assignments.

Used by ``tools.student`` (``make student``) and ``tools.autograde`` (``make autograde``).
"""
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from tools import NotebookError, one_line, read_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
STUDENT = "student"  # the one student id of the throw-away gradebook
# nbgrader's default of 30 s per cell is shorter than the chapters' headline training cells.
CELL_TIMEOUT = 1800


def chapter_source(name):
    """The course's solved chapter for a notebook file name (``05_lenet.ipynb``), or a one-line error."""
    path = CHAPTERS / name
    if not path.exists():
        known = ", ".join(sorted(p.name for p in CHAPTERS.glob("*.ipynb")))
        raise NotebookError(f"{name}: not a chapter of the course (the notebooks are named like the "
                            f"chapters: {known})")
    read_notebook(path)
    return path


@contextlib.contextmanager
def course(chapters):
    """An nbgrader API on a temporary course directory whose assignments are ``chapters``
    (paths of solved chapter notebooks), released with ``generate_assignment``."""
    from traitlets.config import Config
    from nbgrader.apps import NbGraderAPI

    # nbgrader runs the `alembic` command (its database migrations) found on PATH: make it the one
    # next to this Python, also when the venv is not activated (`.venv/bin/python -m tools...`).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as root:
        config = Config()
        config.CourseDirectory.root = root
        config.CourseDirectory.db_url = f"sqlite:///{root}/gradebook.db"
        config.Execute.timeout = CELL_TIMEOUT
        # The exchange (nbgrader's release/collect folder) is not used: the course hands files over.
        config.Exchange.root = str(Path(root) / "exchange")
        api = NbGraderAPI(config=config)
        api.log.setLevel(logging.ERROR)
        for path in chapters:
            folder = Path(root) / "source" / path.stem
            folder.mkdir(parents=True)
            shutil.copy(path, folder / path.name)
            check(api.generate_assignment(path.stem), f"{path}: nbgrader generate_assignment failed")
        yield api, Path(root)


def check(result, what):
    """Raise a one-line NotebookError with nbgrader's real error (not its generic last line)."""
    if not result["success"]:
        text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
        errors = [line for line in text.splitlines()
                  if re.match(r"\s*[\w.]+(Error|Exception): ", line) and "NbGraderException" not in line]
        raise NotebookError(f"{what}: {one_line(errors[-1] if errors else text.strip()[-200:])}")

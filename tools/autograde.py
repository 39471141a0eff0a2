"""Grade submitted chapters (``make autograde SUBMISSIONS=folder``): ``python -m tools.autograde FOLDER``.

Every ``*.ipynb`` in FOLDER must carry a chapter's file name (``05_lenet.ipynb``): it is graded
against that chapter with ``nbgrader autograde``, which restores the locked checks (hidden ones
included) from the course's copy, runs the notebook from the top, and scores each check cell that
runs without an error. Prints one line per notebook, ``NN_topic.ipynb: X / Y``, and a last line
``total: X / Y``. Written answers (0 points) are left for the instructor to read in nbgrader's
formgrader.
"""
import shutil
import sys
from pathlib import Path

from tools import NotebookError, read_notebook
from tools.grading import STUDENT, chapter_source, check, course


def points(value):
    return f"{value:g}"


def autograde(folder):
    """[(notebook name, score, max score)] for every notebook in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotebookError(f"{folder}: no such folder (SUBMISSIONS= names a folder of submitted notebooks)")
    submissions = sorted(folder.glob("*.ipynb"))
    if not submissions:
        raise NotebookError(f"{folder}: no notebooks (*.ipynb) to grade in this folder")
    for path in submissions:
        read_notebook(path)
    chapters = [chapter_source(path.name) for path in submissions]
    results = []
    with course(chapters) as (api, root):
        for path in submissions:
            target = root / "submitted" / STUDENT / path.stem / path.name
            target.parent.mkdir(parents=True)
            shutil.copy(path, target)
            check(api.autograde(path.stem, STUDENT), f"{path}: nbgrader autograde failed")
        with api.gradebook as gradebook:
            for path in submissions:
                graded = gradebook.find_submission_notebook(path.stem, path.stem, STUDENT)
                results.append((path.name, graded.score, graded.max_score))
    return results


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: python -m tools.autograde SUBMISSIONS_FOLDER")
    try:
        results = autograde(argv[0])
    except NotebookError as error:
        sys.exit(str(error))
    for name, score, max_score in results:
        print(f"{name}: {points(score)} / {points(max_score)}")
    print(f"total: {points(sum(r[1] for r in results))} / {points(sum(r[2] for r in results))}")


if __name__ == "__main__":
    main(sys.argv[1:])

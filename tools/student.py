"""Student copies of the chapters (``make student``): ``python -m tools.student [CHAPTER...] OUT_DIR``.

Each copy is nbgrader's release version of the chapter: solutions replaced by nbgrader's stubs
(``# YOUR CODE HERE`` / ``raise NotImplementedError()``, "YOUR ANSWER HERE" for written answers),
hidden checks removed, outputs cleared, prompts and checks locked. The one change made after
nbgrader: the exercise cells, collapsed in the solved chapters, are expanded, so that a student
sees where to write. With no CHAPTER arguments every chapter is copied. Nothing is written unless
every chapter converts.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from tools import NotebookError
from tools.grading import CHAPTERS, chapter_source, course


def expand_exercises(path):
    """Un-collapse the cells the solved chapter hides (``jupyter.source_hidden``)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        if cell.metadata.get("jupyter") == {}:
            del cell.metadata["jupyter"]
    nbformat.write(nb, path)


def student_copies(chapters, out_dir):
    """Write a student notebook per chapter into ``out_dir``; return the written paths."""
    out_dir = Path(out_dir)
    with course(chapters) as (_, root), tempfile.TemporaryDirectory() as staging:
        staged = []
        for path in chapters:
            target = Path(staging) / path.name
            shutil.copy(root / "release" / path.stem / path.name, target)
            expand_exercises(target)
            staged.append(target)
        out_dir.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copy(p, out_dir / p.name)) for p in staged]


def main(argv):
    if not argv:
        sys.exit("usage: python -m tools.student [CHAPTER.ipynb ...] OUT_DIR")
    *names, out_dir = argv
    try:
        chapters = ([chapter_source(Path(n).name) for n in names] if names
                    else sorted(CHAPTERS.glob("*.ipynb")))
        for path in student_copies(chapters, out_dir):
            print(path)
    except NotebookError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main(sys.argv[1:])

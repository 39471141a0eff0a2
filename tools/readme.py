"""Regenerate the README's chapter table and wall-time table from the notebooks themselves.

``python -m tools.readme`` (``make readme``) reads every chapter's title (its first cell), its
one-line summary and the paper it follows (notebook metadata ``course.summary`` and
``course.paper``), and its first stored figure (saved as a thumbnail under
``chapters/thumbnails/``), and the per-notebook wall times of the last ``make test``
(``build/test-durations.json``), then rewrites the parts of README.md between the
``<!-- chapter table -->`` and ``<!-- timings -->`` markers. ``python -m tools.readme ROOT`` does
the same for another checkout (the tests use it on a temporary folder).

Every chapter is read before anything is written: a missing, non-JSON or invalid notebook, or one
without a summary, stops the command with one line naming the notebook and the fix.
"""
import base64
import io
import json
import re
import sys
from pathlib import Path

from tools import NotebookError, read_notebook

ROOT = Path(__file__).resolve().parent.parent


def chapter_facts(path):
    """Title, one-line summary, paper and first figure (PNG bytes or None) of a stored notebook.

    Raises :class:`tools.NotebookError` (one line) for a malformed notebook or a missing summary.
    """
    nb = read_notebook(path)
    cells = nb.cells
    text = cells[0].source if cells else ""
    if not text.strip():
        raise NotebookError(f"{path}: the first cell holds no title; start the chapter with '# NN · Title'")
    title = text.splitlines()[0].lstrip("# ").strip()
    title = re.sub(r"^\d\d\s*·\s*", "", title)
    course = nb.metadata.get("course", {})
    summary = " ".join(str(course.get("summary", "")).split())
    if not summary:
        raise NotebookError(f"{path}: no one-line summary for the README; set the notebook metadata "
                            "course.summary (and course.paper, the paper it follows, or \"\")")
    paper = " ".join(str(course.get("paper", "")).split())
    figure = next((base64.b64decode(o["data"]["image/png"]) for c in cells for o in c.get("outputs", [])
                   if "image/png" in o.get("data", {})), None)
    return title, summary, paper, figure


def write_thumbnail(png, target, width=160):
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((width, width * 3 // 4))
    target.parent.mkdir(exist_ok=True)
    image.save(target, optimize=True)


def chapter_table(root, durations):
    """The Markdown table of the chapters under ``root/chapters``; writes their thumbnails.

    Every chapter is read first, so a malformed one raises before any thumbnail is written."""
    chapters = root / "chapters"
    paths = sorted(chapters.glob("*.ipynb"))
    if not paths:
        raise NotebookError(f"{chapters}: no chapter notebooks (*.ipynb)")
    facts = [(path, *chapter_facts(path)) for path in paths]
    rows = ["| # | chapter | paper | time (s) | figure |", "|---|---|---|---:|---|"]
    for path, title, summary, paper, figure in facts:
        thumb = ""
        if figure is not None:
            target = chapters / "thumbnails" / f"{path.stem}.png"
            write_thumbnail(figure, target)
            thumb = f"![]({target.relative_to(root).as_posix()})"
        seconds = durations.get(f"chapters/{path.name}")
        rows.append(f"| {path.name[:2]} | [{title}](chapters/{path.name}): {summary} | {paper} "
                    f"| {'' if seconds is None else f'{seconds:.0f}'} | {thumb} |")
    return "\n".join(rows)


def timings_text(data):
    if not data:
        return "Run `make test`, then `make readme`, to fill this in."
    total = sum(data["notebooks"].values())
    return (f"Wall time of `make test` on the machine below (2 cores): **{data['whole_run_seconds']:.0f} s** "
            f"for the whole run, of which {total:.0f} s are the notebooks (each notebook's time, kernel start "
            "included, is in the chapter table). Regenerate with `make test && make readme`.")


def replace_between(text, marker, new):
    pattern = re.compile(rf"(<!-- {marker} -->\n).*?(\n<!-- /{marker} -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README.md has no <!-- {marker} --> ... <!-- /{marker} --> markers")
    return pattern.sub(lambda m: m.group(1) + new + m.group(2), text)


def main(argv=()):
    if len(argv) > 1:
        sys.exit("usage: python -m tools.readme [REPOSITORY_ROOT]")
    root = Path(argv[0]) if argv else ROOT
    readme = root / "README.md"
    durations = root / "build" / "test-durations.json"
    try:
        if not readme.exists():
            raise NotebookError(f"{readme}: no such file")
        data = json.loads(durations.read_text()) if durations.exists() else {}
        text = readme.read_text()
        text = replace_between(text, "chapter table", chapter_table(root, data.get("notebooks", {})))
        text = replace_between(text, "timings", timings_text(data))
    except (NotebookError, ValueError) as error:
        sys.exit(str(error))
    readme.write_text(text)
    print(f"README.md: {len(list((root / 'chapters').glob('*.ipynb')))} chapters"
          + ("" if data else " (no wall times yet: run `make test` first)"))


if __name__ == "__main__":
    main(sys.argv[1:])

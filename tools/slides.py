"""Export chapters as reveal.js slide decks that open without a network connection.

``python -m tools.slides chapters build/slides`` (``make slides``) runs nbconvert's slides exporter
(the same as ``jupyter nbconvert --to slides``) on each notebook and writes two decks per chapter:

* ``build/slides/<chapter>.slides.html``, the audience deck: cells tagged ``solution`` (exercise
  answers) or ``instructor`` (instructors only) are left out, by nbconvert's TagRemovePreprocessor,
  and so are the exercises' hidden checks, by nbgrader's ClearHiddenTests;
* ``build/slides/instructor/<chapter>.slides.html``, the instructor's deck: every cell, solutions
  included.

Every script nbconvert would fetch from a CDN (reveal.js 4.0.2, require.js, jQuery, MathJax 2.7.7,
Font Awesome) is pointed at the copies in ``tools/vendor/``, which are copied once to
``build/slides/vendor/``; the instructor decks reach them as ``../vendor/``. Open a deck in a
browser; press S for the speaker view with the instructor's notes.

The decks are laid out for a 1280x720 screen (reveal.js ``width``/``height``, template
``course_reveal``): long code and output lines wrap, figures and tables shrink to the slide's width.
Each figure's ``alt`` text describes it: the cell's ``alt`` metadata if it has one (a string), else
the figure's title in the cell's code (``suptitle``, ``title="..."``, ``set_title``), else the first
heading or sentence of the markdown cell above it, else "Figure from chapter <stem>, cell <n>".

Every notebook is read and validated before anything is written: a missing, non-JSON or invalid
notebook stops the command with one line naming it (exit status 1), and no deck is left behind,
neither for it nor half-written for another.
"""
import ast
import re
import shutil
import sys
from pathlib import Path

from nbconvert import SlidesExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from tools import NotebookError, one_line, read_notebook

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor"

HIDDEN_TAGS = {"solution", "instructor"}  # left out of the audience decks
INSTRUCTOR_DIR = "instructor"  # out_dir/instructor/: the decks with every cell
SCREEN = (1280, 720)  # the slide size reveal.js lays out and scales to the window
ALT_LIMIT = 150  # characters of an alt text taken from a title or a markdown cell

# Relative to the deck, so a folder of decks can be zipped, moved or served from anywhere.
LOCAL_URLS = {
    "SlidesExporter.reveal_url_prefix": "vendor/reveal.js",
    "SlidesExporter.font_awesome_url": "vendor/font-awesome/css/font-awesome.css",
    "HTMLExporter.require_js_url": "vendor/require.js/require.js",
    "HTMLExporter.jquery_url": "vendor/jquery/jquery.min.js",
    "HTMLExporter.mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}


# ----------------------------------------------------------------------------- figure alt text

TITLE_CALLS = ("suptitle", "title", "set_title")  # in this order of preference


def _literal(node):
    """The text of a string literal, or None (f-strings with fields, names, expressions)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(v.value for v in node.values)
    return None


def figure_titles(source):
    """The literal titles a code cell gives its figures, most general first.

    ``fig.suptitle("...")`` comes first, then ``title="..."`` keyword arguments (plot helpers,
    ``ax.set(title=...)``), then ``plt.title("...")`` / ``ax.set_title("...")``. Titles computed at
    run time (``set_title(name)``, f-strings with fields) are skipped: their text is not in the code.
    """
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return _regex_titles(source)
    found = {name: [] for name in ("suptitle", "keyword", "title")}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in TITLE_CALLS and node.args and _literal(node.args[0]):
            found["suptitle" if name == "suptitle" else "title"].append((node.lineno, _literal(node.args[0])))
        for keyword in node.keywords:
            if keyword.arg in ("title", "suptitle") and _literal(keyword.value):
                found["keyword"].append((keyword.value.lineno, _literal(keyword.value)))
    return [text for kind in ("suptitle", "keyword", "title") for _, text in sorted(found[kind])]


def _regex_titles(source):
    """:func:`figure_titles` for a cell Python cannot parse."""
    string = r"""(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
    titles = []
    for pattern in (rf"suptitle\(\s*{string}", rf"\btitle\s*=\s*{string}", rf"\b(?:set_)?title\(\s*{string}"):
        titles += [m.group("text") for m in re.finditer(pattern, source)]
    return titles


def markdown_summary(source):
    """The first heading of a markdown cell, else its first sentence, as plain text."""
    headings = re.findall(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", source, flags=re.MULTILINE)
    text = headings[0] if headings else source
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their text
    text = re.sub(r"[*`#>]+|(?<!\w)_+|_+(?!\w)", "", text)  # emphasis, code, quotes (not snake_case)
    text = " ".join(text.split())
    if not headings:
        text = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(":")
    return text


def shorten(text, limit=ALT_LIMIT):
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def figure_alt(cell, previous_markdown, stem, number):
    """The alt text of the figures a code cell draws (see the module's docstring for the order)."""
    alt = cell.get("metadata", {}).get("alt")
    if isinstance(alt, str) and alt.strip():
        return " ".join(alt.split())
    titles = list(dict.fromkeys(t.strip() for t in figure_titles(cell.source) if t.strip()))
    if titles:
        return shorten("; ".join(titles))
    if previous_markdown is not None:
        summary = markdown_summary(previous_markdown.source)
        if summary:
            return shorten(summary)
    return f"Figure from chapter {stem}, cell {number}"


IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class DeckCells(TagRemovePreprocessor):
    """nbconvert's TagRemovePreprocessor, plus what removing cells from a deck needs.

    * A removed cell that starts a slide or subslide hands the start on to the next cell kept, if
      that one would otherwise continue it; otherwise the cells after it would join the slide before.
    * Each figure output gets ``metadata.alt`` (see :func:`figure_alt`), which the template
      ``course_reveal`` writes into its ``<img>``. The markdown it may come from is a kept cell on a
      slide, so an audience deck's alt text never quotes a solution nor a speaker's note; ``<n>`` is
      the cell's position in the notebook file (1-based), the same in both decks.
    """

    def preprocess(self, nb, resources):
        kept, pending = [], None
        for number, cell in enumerate(nb.cells, start=1):
            slideshow = cell.get("metadata", {}).get("slideshow", {})
            slide_type = slideshow.get("slide_type", "-")
            if not self.check_cell_conditions(cell, resources, number - 1):
                if slide_type in ("slide", "subslide") and pending != "slide":
                    pending = slide_type
                continue
            if pending and slide_type in ("-", "fragment"):
                cell.metadata.setdefault("slideshow", {})["slide_type"] = pending
            if slide_type not in ("skip", "notes"):
                pending = None
            kept.append((number, self.preprocess_cell(cell, resources, number - 1)[0]))
        nb.cells = [cell for _, cell in kept]
        stem = resources.get("metadata", {}).get("name", "notebook")  # from_filename sets it
        markdown = None
        for number, cell in kept:
            shown = cell.metadata.get("slideshow", {}).get("slide_type", "-") not in ("skip", "notes")
            if cell.cell_type == "markdown" and shown:  # not the speaker's notes
                markdown = cell
            if cell.cell_type != "code":
                continue
            figures = [o for o in cell.get("outputs", []) if any(t in o.get("data", {}) for t in IMAGE_TYPES)]
            alt = figure_alt(cell, markdown, stem, number) if figures else ""
            for index, output in enumerate(figures, start=1):
                output.setdefault("metadata", {})["alt"] = (
                    alt if len(figures) == 1 else f"{alt} ({index} of {len(figures)})")
        return nb, resources


# ----------------------------------------------------------------------------- export

def slides_exporter(hidden_tags=HIDDEN_TAGS, url_prefix=""):
    """nbconvert's SlidesExporter with local script URLs and the course's template.

    Cells tagged with one of ``hidden_tags`` are left out; ``url_prefix`` (e.g. ``"../"``) is put
    before the vendored scripts' URLs, for decks in a subfolder of the one holding ``vendor/``.
    """
    config = Config()
    for key, value in LOCAL_URLS.items():
        section, name = key.split(".")
        config[section][name] = url_prefix + value
    config.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js; "simple" loads Google Fonts
    config.SlidesExporter.reveal_scroll = True  # long code cells scroll instead of overflowing
    config.SlidesExporter.reveal_width = str(SCREEN[0])
    config.SlidesExporter.reveal_height = str(SCREEN[1])
    config.SlidesExporter.extra_template_basedirs = [str(HERE / "templates")]
    config.SlidesExporter.template_name = "course_reveal"
    # DeckCells takes the place of nbconvert's own TagRemovePreprocessor, with its configuration
    config.SlidesExporter.default_preprocessors = [
        DeckCells if p.endswith(".TagRemovePreprocessor") else p
        for p in SlidesExporter.class_traits()["default_preprocessors"].default()]
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(hidden_tags)
    if hidden_tags:
        # An exercise's hidden checks (nbgrader's ### BEGIN HIDDEN TESTS) are cut from the audience
        # deck by nbgrader's own preprocessor, as from the student copies (tools.student).
        config.SlidesExporter.preprocessors = ["nbgrader.preprocessors.ClearHiddenTests"]
    return SlidesExporter(config=config)


def instructor_deck(deck):
    """Where :func:`export_decks` wrote the instructor's version of an audience ``deck``."""
    deck = Path(deck)
    return deck.parent / INSTRUCTOR_DIR / deck.name


def export_decks(notebooks, out_dir):
    """Write the audience and instructor decks of each notebook, plus the vendored scripts.

    The audience deck ``out_dir/<stem>.slides.html`` leaves out the cells tagged ``solution`` or
    ``instructor``; ``out_dir/instructor/<stem>.slides.html`` has every cell
    (:func:`instructor_deck`). Returns the audience decks, in the notebooks' order.

    Every notebook is read and validated first (:func:`tools.read_notebook`); a malformed one
    raises :class:`tools.NotebookError` before anything is written. Each deck goes through a
    temporary file, so an export that fails never leaves half a deck.
    """
    notebooks = [Path(n) for n in notebooks]
    for path in notebooks:
        read_notebook(path)
    audience = slides_exporter()
    instructor = slides_exporter(hidden_tags=(), url_prefix="../")
    out_dir = Path(out_dir)
    (out_dir / INSTRUCTOR_DIR).mkdir(parents=True, exist_ok=True)
    shutil.copytree(VENDOR, out_dir / "vendor", dirs_exist_ok=True)
    written = []
    for path in notebooks:
        target = out_dir / f"{path.stem}.slides.html"
        for exporter, deck in ((audience, target), (instructor, instructor_deck(target))):
            _write_deck(exporter, path, deck)
        written.append(target)
    return written


def _write_deck(exporter, path, target):
    tmp = target.with_suffix(".tmp")
    try:
        body, _ = exporter.from_filename(str(path))
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(target)
    except Exception as error:
        raise NotebookError(f"{path}: the slides exporter failed: {type(error).__name__}: "
                            f"{one_line(str(error))}") from error
    finally:
        tmp.unlink(missing_ok=True)


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: python -m tools.slides NOTEBOOK_OR_FOLDER OUT_DIR")
    source = Path(argv[0])
    if not source.exists():
        sys.exit(f"{source}: no such notebook or folder")
    notebooks = sorted(source.glob("*.ipynb")) if source.is_dir() else [source]
    if not notebooks:
        sys.exit(f"{source}: no notebooks (*.ipynb) in this folder")
    try:
        decks = export_decks(notebooks, argv[1])
    except NotebookError as error:
        sys.exit(str(error))
    for deck in decks:
        print(deck)
        print(instructor_deck(deck))


if __name__ == "__main__":
    main(sys.argv[1:])

"""tools.slides without a browser: audience and instructor decks, figure alt text, the 1280x720 layout.

Small notebooks written into a temporary folder, with made-up outputs (nothing is executed), are
exported with :func:`tools.slides.export_decks` and the HTML is read back. The decks of the real
chapters are opened in Chromium by tests/test_slides_browser.py.
"""
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from tools import slides

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
ANSWER = "ANSWER_MARKER_7f3c = 6 * 7"
INSTRUCTOR_NOTE = "INSTRUCTOR_ONLY_91cd"
SECRET = "SECRET_SOLUTION_HEADING_55ab"
VISIBLE_CHECK, HIDDEN_CHECK = "assert VISIBLE_CHECK_12ab", "assert HIDDEN_CHECK_34cd"


def md(source, slide_type="-", tags=()):
    return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": slide_type},
                                                           "tags": list(tags)})


def code(source, slide_type="-", tags=(), figures=0, **metadata):
    cell = nbformat.v4.new_code_cell(source, metadata={"slideshow": {"slide_type": slide_type},
                                                       "tags": list(tags), **metadata})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
                    for _ in range(figures)]
    return cell


def write(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """Two notebooks (exercises, figures) exported once: {stem: (audience html, instructor html)}."""
    folder = tmp_path_factory.mktemp("nbs")
    exercises = write(folder / "exercises.ipynb", [
        md("# Exercises", "slide"),
        code("print('shown to everyone')"),
        md("**Exercise 1.** Compute 6 x 7."),
        code(f"# the answer\n{ANSWER}\nprint(ANSWER_MARKER_7f3c)", "subslide", tags=["solution"]),
        code(f"{VISIBLE_CHECK}\n### BEGIN HIDDEN TESTS\n{HIDDEN_CHECK}\n### END HIDDEN TESTS", tags=["tests"],
             nbgrader={"grade": True, "solution": False, "locked": True, "points": 1,
                       "grade_id": "ex1_tests", "schema_version": 3}),
        md(f"Tell them: {INSTRUCTOR_NOTE}", tags=["instructor"]),
        md("## After the exercises"),  # continues the removed cell's subslide: must start its own
    ])
    figures = write(folder / "figures.ipynb", [
        code("plt.plot([1, 2])", figures=1),  # no markdown above it: the last resort
        md("## Loss curves\n\nThe training loss per epoch.", "slide"),
        code('fig, ax = plt.subplots()\nax.plot(loss)\nax.set_title("Loss per epoch")', figures=1),
        code("plt.plot(loss)", figures=1),  # no title: the heading of the markdown above
        code('ax.set_title("ignored")', figures=1, alt="A hand-written description of the plot"),
        md("The weights after training. They are small. More text follows here.", "subslide"),
        code("%matplotlib inline\nplt.imshow(w)", figures=1),  # first sentence of the markdown above
        code('fig.suptitle("Two panels")\naxes[0].set_title("left")\naxes[1].set_title(f"right {n}")',
             figures=1),
        code('plot_curves(history, title="Accuracy per epoch")\nplt.show()\nplt.plot(x)', figures=2),
        md(f"## {SECRET}", tags=["solution"]),
        code("plt.plot(other)", figures=1),  # audience deck: the markdown above is a solution
    ])
    out = tmp_path_factory.mktemp("decks")
    written = slides.export_decks([exercises, figures], out)
    assert written == [out / "exercises.slides.html", out / "figures.slides.html"]
    return out, {p.name.split(".")[0]: (p.read_text(), slides.instructor_deck(p).read_text()) for p in written}


def alts(html):
    return [img.get("alt") for img in BeautifulSoup(html, "html.parser").find_all("img")]


def test_the_audience_deck_leaves_out_solutions_and_instructor_cells(decks):
    _, by_name = decks
    audience, instructor = by_name["exercises"]
    assert "shown to everyone" in audience and "Exercise 1." in audience
    for marker in ("ANSWER_MARKER_7f3c", INSTRUCTOR_NOTE):
        assert marker not in audience, f"{marker} is in the audience deck"
        assert marker in instructor, f"{marker} is missing from the instructor deck"
    assert SECRET not in by_name["figures"][0] and SECRET in by_name["figures"][1]


def test_the_audience_deck_shows_an_exercise_s_checks_but_not_its_hidden_ones(decks):
    _, by_name = decks
    audience, instructor = by_name["exercises"]
    assert "VISIBLE_CHECK_12ab" in audience and "VISIBLE_CHECK_12ab" in instructor
    assert "HIDDEN_CHECK_34cd" not in audience and "HIDDEN TESTS" not in audience
    assert "HIDDEN_CHECK_34cd" in instructor


def test_a_removed_cell_that_started_a_subslide_hands_the_start_on(decks):
    _, by_name = decks
    audience, instructor = by_name["exercises"]
    # the slide, its first subslide and the one the solution started: 3 sections, as in the instructor deck
    assert audience.count("<section") == instructor.count("<section") == 3
    soup = BeautifulSoup(audience, "html.parser")
    subslide = soup.select("section > section")[-1]
    assert "After the exercises" in subslide.get_text() and "Exercise 1." not in subslide.get_text()


def test_every_figure_has_a_description(decks):
    _, by_name = decks
    for audience, instructor in by_name.values():
        for html in (audience, instructor):
            assert "No description has been provided" not in html
            assert all(alt and alt.strip() for alt in alts(html))
    audience, instructor = by_name["figures"]
    expected = [
        "Figure from chapter figures, cell 1",
        "Loss per epoch",
        "Loss curves",
        "A hand-written description of the plot",
        "The weights after training.",
        "Two panels; left",  # suptitle first; the f-string's text is not in the code
        "Accuracy per epoch (1 of 2)", "Accuracy per epoch (2 of 2)",
    ]
    assert alts(audience) == expected + ["The weights after training."]  # not the solution's heading
    assert alts(instructor) == expected + [SECRET]


def test_figure_titles_and_markdown_summaries():
    assert slides.figure_titles('ax.set_title("b")\nfig.suptitle("a")\nplot(x, title=\'c\')') == ["a", "c", "b"]
    assert slides.figure_titles("ax.set_title(name)\nplt.title(f'{n} epochs')") == []
    assert slides.figure_titles("!ls\n%time plt.title('t')\nplt.title('kept')") == ["kept"]
    assert slides.figure_titles("plt.title('x'  # a cell Python cannot parse\n(") == ["x"]
    assert slides.markdown_summary("Intro.\n\n### The `UPDATE_OPS` *pitfall*\n") == "The UPDATE_OPS pitfall"
    assert slides.markdown_summary("See [the paper](http://x) **now**. Then more.") == "See the paper now."
    long = slides.shorten("word " * 100)
    assert len(long) <= slides.ALT_LIMIT and long.endswith("…")


def test_both_deck_sets_reach_the_vendored_scripts(decks):
    out, by_name = decks
    assert sorted(p.name for p in out.iterdir()) == ["exercises.slides.html", "figures.slides.html",
                                                     "instructor", "vendor"]
    for audience, instructor in by_name.values():
        for html, folder in ((audience, out), (instructor, out / slides.INSTRUCTOR_DIR)):
            urls = re.findall(r'(?:src|href)="([^"#]*vendor/[^"]*)"', html)
            urls += re.findall(r'"([^"]*vendor/reveal\.js/[^"]*\.js)"', html)  # require()'s list
            assert any("reveal.js/dist/reveal.js" in u for u in urls)
            for url in urls:
                target = (folder / url.split("?")[0]).resolve()
                assert target.is_file(), f"{url} from {folder.name}/ does not resolve"
        assert '"../vendor/' in instructor or "'../vendor/" in instructor


def test_the_decks_are_laid_out_for_1280x720(decks):
    _, by_name = decks
    audience, _ = by_name["exercises"]
    assert re.search(r"width:\s*1280,", audience) and re.search(r"height:\s*720,", audience)
    assert "white-space: pre-wrap" in audience and "max-width: 100%" in audience  # course_reveal.css


def test_a_notebook_that_fails_to_export_leaves_no_deck(tmp_path, monkeypatch):
    path = write(tmp_path / "nb.ipynb", [md("# T", "slide")])

    def fail(*args, **kwargs):
        raise RuntimeError("template\nexploded")

    monkeypatch.setattr(slides.SlidesExporter, "from_filename", fail)
    with pytest.raises(slides.NotebookError) as error:
        slides.export_decks([path], tmp_path / "out")
    assert str(error.value) == f"{path}: the slides exporter failed: RuntimeError: template exploded"
    assert not list((tmp_path / "out").glob("**/*.html")) and not list((tmp_path / "out").glob("**/*.tmp"))


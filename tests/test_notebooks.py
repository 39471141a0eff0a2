"""Checks of the chapter notebooks as documents: stored outputs, structure, slides, conventions.

nbval (``pytest --nbval chapters``) re-executes the notebooks and compares outputs; these tests read
the stored files and pin the course's chapter standard, so a chapter missing its exercises or its
slide metadata fails here with a message saying what to add.
"""
import json
import re
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
TF_LOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d|oneDNN custom operations|cpu_feature_guard|"
                         r"This TensorFlow binary|absl::InitializeLog", re.M)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell.get("source", ""))


def markdown_headings(nb):
    return [line.strip("# ").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
            for line in source(c).splitlines() if line.startswith("#")]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, load(request.param)


def test_chapter_files_are_numbered_in_reading_order():
    names = [p.name for p in NOTEBOOKS]
    assert names, "chapters/ holds no notebooks"
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), f"{name}: name chapters NN_topic.ipynb"
    numbers = [int(name[:2]) for name in names]
    assert numbers == list(range(len(numbers))), f"chapter numbers must run 00, 01, ... without gaps: {numbers}"


def test_every_code_cell_has_outputs_from_one_top_to_bottom_run(notebook):
    path, nb = notebook
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]
    assert None not in counts, f"{path.name}: unexecuted cells; run `make refresh NB={path.relative_to(CHAPTERS.parent)}`"
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts[:8]}... are not 1..n; re-run it top to bottom (make refresh)"


def test_only_cells_tagged_raises_exception_store_errors(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if tagged:
            assert errors, f"{path.name} cell {i}: tagged raises-exception but stores no error"
        else:
            assert not errors, f"{path.name} cell {i}: stores a {errors[0]['ename']} but is not tagged raises-exception"


def test_no_tensorflow_log_lines_are_stored(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                assert not TF_LOG_LINE.search("".join(out["text"])), \
                    f"{path.name} cell {i}: TensorFlow C++ log lines stored; run `python -m tools.env` and refresh"


def test_every_cell_carries_slide_metadata(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        slide_type = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"{path.name} cell {i}: metadata.slideshow.slide_type is {slide_type!r}"
    assert nb["cells"][0]["metadata"]["slideshow"]["slide_type"] == "slide"
    types = [c["metadata"]["slideshow"]["slide_type"] for c in nb["cells"]]
    assert types.count("slide") >= 4, f"{path.name}: only {types.count('slide')} slides; give each section its own slide"
    assert "notes" in types, f"{path.name}: no speaker notes; add markdown cells of slide_type 'notes' for the instructor"
    assert "fragment" in types, f"{path.name}: no fragments; reveal code step by step where it helps"


def test_chapter_has_title_objectives_summary_and_exercises(notebook):
    path, nb = notebook
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and source(first).startswith("# "), \
        f"{path.name}: the first cell must be a markdown title '# NN · Title'"
    headings = markdown_headings(nb)
    for needed in ("Objectives", "Summary", "Exercises"):
        assert any(h.startswith(needed) for h in headings), f"{path.name}: no '## {needed}' section"


def test_chapter_carries_its_readme_summary_and_paper(notebook):
    """`make readme` builds the chapter table from these (tools/readme.py); the README's checklist
    asks for them."""
    path, nb = notebook
    course = nb["metadata"].get("course", {})
    summary, paper = course.get("summary"), course.get("paper")
    assert isinstance(summary, str) and summary.strip() and "\n" not in summary, \
        f"{path.name}: set metadata course.summary to one line for the README's chapter table"
    assert isinstance(paper, str), f"{path.name}: set metadata course.paper (the paper it follows, or \"\")"
    assert "seed" not in summary.lower(), f"{path.name}: the summary cites a document the reader does not have"


ARCHITECTURE_CHAPTERS = ("05", "06", "07", "08", "09", "11", "12", "13", "14")


def test_architecture_chapters_draw_their_block_from_the_model(notebook):
    """The diagram is drawn by utils.diagrams from the model the chapter builds, so the two cannot
    disagree; its cell stores the figure."""
    path, nb = notebook
    if path.name[:2] not in ARCHITECTURE_CHAPTERS:
        pytest.skip("not an architecture chapter")
    drawn = [c for c in nb["cells"] if c["cell_type"] == "code"
             and re.search(r"diagrams\.draw_(block|stack)\(", source(c))]
    assert drawn, f"{path.name}: draw the chapter's building block with utils.diagrams.draw_block/draw_stack"
    assert all(any("image/png" in o.get("data", {}) for o in c.get("outputs", [])) for c in drawn), \
        f"{path.name}: a diagram cell stores no figure; refresh the notebook"


def test_exercises_come_with_worked_solutions(notebook):
    path, nb = notebook
    solutions = [c for c in nb["cells"] if "solution" in c.get("metadata", {}).get("tags", [])]
    assert solutions, f"{path.name}: tag the worked solutions' cells 'solution'"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, \
            f"{path.name}: solution cells are collapsed (metadata.jupyter.source_hidden = true)"


def test_chapter_shows_a_figure(notebook):
    path, nb = notebook
    images = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no figure among the stored outputs"


def test_first_code_cell_sets_up_and_names_the_full_size_switch(notebook):
    path, nb = notebook
    code = [source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    first = code[0]
    assert first.lstrip().startswith("import utils"), f"{path.name}: the first code cell starts with `import utils`"
    assert "utils.setup()" in first, f"{path.name}: the first code cell calls utils.setup()"
    assert re.search(r"^FULL_SIZE = ", first, re.M), f"{path.name}: the first code cell sets FULL_SIZE"
    uses = sum(line.count("FULL_SIZE") for c in code for line in c.splitlines()
               if not line.startswith("FULL_SIZE = utils.FULL_SIZE"))
    assert uses or path.name.startswith("00_"), f"{path.name}: FULL_SIZE is set but nothing reads it"


def test_notebook_runs_on_the_python3_kernel(notebook):
    path, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3", f"{path.name}: kernelspec must be python3"


def test_nbval_markers_stand_alone_on_their_line(notebook):
    # nbval only honours a marker comment that is exactly `# NBVAL_...`; text after it on the same
    # line silently turns the marker off.
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for line in source(cell).splitlines():
            if "NBVAL_" in line and line.lstrip().startswith("#"):
                assert re.fullmatch(r"# ?NBVAL_[A-Z_]+", line.strip()), \
                    f"{path.name} cell {i}: {line.strip()!r}: put the reason on the next line"


def test_accuracies_cited_by_the_comparison_chapter_match_their_chapters():
    # Chapter 15 cites each small model's accuracy from the chapter that trained it, as
    # `0.896, 0.88, "ch. 05: ..."`; the number must be what that chapter printed last time it ran.
    comparison = next((p for p in NOTEBOOKS if p.name.startswith("15_")), None)
    if comparison is None:
        pytest.skip("no comparison chapter")
    code = "\n".join(source(c) for c in load(comparison)["cells"] if c["cell_type"] == "code")
    cited = re.findall(r"(0\.\d{3}), 0\.\d+, \"ch\. (\d\d):", code)
    assert len(cited) >= 6, "chapter 15 cites fewer accuracies than expected"
    for value, number in cited:
        chapter = next(p for p in NOTEBOOKS if p.name.startswith(f"{number}_"))
        printed = "".join("".join(o.get("text", "")) for c in load(chapter)["cells"] for o in c.get("outputs", []))
        assert value in printed, f"chapter 15 cites {value} from {chapter.name}, which no longer prints it: update chapter 15"

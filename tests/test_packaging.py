"""requirements.txt and environment.yml name the same packages with the same pins."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(lines):
    found = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?", line)
        if m and m.group(1) not in ("pip", "python", "-e"):
            found[m.group(1).lower().replace("_", "-")] = (m.group(2) or "").replace(" ", "")
    return found


def test_requirements_and_environment_pin_the_same_packages():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    text = (ROOT / "environment.yml").read_text()
    conda = pins(text.split("- pip:")[1].splitlines())
    assert requirements == conda
    assert requirements["tensorflow"] == "==2.21.*"


def test_every_requirement_line_says_why_it_is_there():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert i > 0 and lines[i - 1].startswith("#"), f"requirements.txt: comment the line {line!r}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)


def test_readme_links_every_chapter_with_a_thumbnail():
    readme = (ROOT / "README.md").read_text()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"(chapters/{notebook.name})" in readme, f"README lacks {notebook.name}: run `make readme`"
        thumbnail = ROOT / "chapters" / "thumbnails" / f"{notebook.stem}.png"
        assert thumbnail.exists() and f"(chapters/thumbnails/{notebook.stem}.png)" in readme

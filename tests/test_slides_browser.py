"""Every chapter's slide deck, opened in headless Chromium with the network blocked.

For each chapter: export with `tools.slides` (what `make slides` runs), load the deck from disk,
and check that reveal.js initialised, the deck has one section per slide the notebook declares,
code and figures are there, and every request the page made stayed on the machine (file://).
A screenshot of each title slide lands in build/slides-screenshots/ for a person to look at.

Then, driven through Playwright in a 1280x720 window, every slide of each audience deck with all
its fragments shown: no code of a cell tagged solution or instructor is in the deck, and nothing
(code, output, figure, table) reaches past the slide's right edge or hides lines in a horizontal
scroll; the instructor's deck opens offline too, with the solutions in it.

Chromium comes from Debian's `chromium` package, /usr/bin/chromium (.ci/run installs it). When it
is missing the tests skip, saying how to install it; a test never installs anything.
"""
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
SHOTS = ROOT / "build" / "slides-screenshots"
BLOCK_NETWORK = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing resolves: no request can leave the machine
]


CHROMIUM = Path("/usr/bin/chromium")


def find_chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as "
                    ".ci/run does); the slide decks were not opened in a browser")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from tools.slides import export_decks

    chromium = find_chromium()
    out = tmp_path_factory.mktemp("slides")
    return chromium, out, {Path(d).name.split(".")[0]: d for d in export_decks(NOTEBOOKS, out)}


def slides_declared(notebook):
    """How many <section>s nbconvert makes: one per slide, plus one per subslide inside slides
    (of the audience deck: the cells tools.slides leaves out are not counted)."""
    from tools.slides import HIDDEN_TAGS

    cells = [c for c in json.loads(notebook.read_text())["cells"]
             if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    types = [c.get("metadata", {}).get("slideshow", {}).get("slide_type", "-") for c in cells]
    types = [t for t in types if t not in ("skip", "notes")]
    slides = types.count("slide") + (types[0] != "slide")
    subslides = types.count("subslide")
    return slides, subslides


def open_deck(chromium, deck, profile, netlog):
    args = [chromium, *BLOCK_NETWORK, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
            "--virtual-time-budget=10000"]
    dom = subprocess.run([*args, "--dump-dom", deck.as_uri()], capture_output=True, text=True, timeout=180)
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([*args, "--window-size=1280,800", f"--screenshot={SHOTS / (deck.name.split('.')[0] + '.png')}",
                    deck.as_uri()], capture_output=True, timeout=180, cwd=SHOTS)
    return dom.stdout


def page_requests(netlog):
    """URLs a file:// page asked the network for. Files themselves load without a network request;
    the browser's own update and sync pings are told apart by their isolation key."""
    log = json.loads(Path(netlog).read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params", {})
        if event["type"] == start_job and "file://" in params.get("network_isolation_key", ""):
            urls.append(params["url"])
    return urls


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_deck_opens_offline_with_its_slides_code_and_figures(decks, notebook, tmp_path):
    chromium, out, by_name = decks
    deck = by_name[notebook.stem]
    dom = open_deck(chromium, deck, tmp_path / "profile", tmp_path / "net.json")

    reveal = re.search(r'<div class="reveal[^"]*"', dom)
    assert reveal and " ready" in reveal.group(0), f"{deck.name}: reveal.js did not initialise offline"
    slides, subslides = slides_declared(notebook)
    sections = dom.count("<section")
    assert sections >= slides, f"{deck.name}: {sections} sections for {slides} slides"
    assert "jp-CodeCell" in dom or "jp-InputArea" in dom, f"{deck.name}: no code shown"
    assert 'src="data:image/png' in dom, f"{deck.name}: no figure shown"

    off_machine = page_requests(tmp_path / "net.json")
    assert not off_machine, f"{deck.name} asked the network for {off_machine}"
    assert (SHOTS / f"{notebook.stem}.png").stat().st_size > 10_000


def test_the_request_check_sees_a_page_that_asks_the_network(tmp_path):
    chromium = find_chromium()
    page = tmp_path / "page.html"
    page.write_text('<link rel="stylesheet" href="https://cdn.example.invalid/x.css"><p>hi</p>')
    args = [chromium, *BLOCK_NETWORK, f"--user-data-dir={tmp_path / 'p'}", f"--log-net-log={tmp_path / 'n.json'}"]
    subprocess.run([*args, "--dump-dom", page.as_uri()], capture_output=True, timeout=180)
    assert page_requests(tmp_path / "n.json") == ["https://cdn.example.invalid/x.css"]


# ------------------------------------------------------------- every slide, through Playwright

SCREEN = {"width": 1280, "height": 720}
PARTS = "pre, img, table, div.jp-OutputArea-output"

# Shows each slide in turn with its fragments visible; measures, in the window's pixels, how far
# each part of it reaches past the slide's right edge and how much of it is scrolled out of sight.
WALK_SLIDES = """async (parts) => {
  const R = window.Reveal;
  R.configure({transition: "none", backgroundTransition: "none"});
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const found = {slides: 0, config: [R.getConfig().width, R.getConfig().height], widest: -1e9,
                 over: [], hidden: [], empty: []};
  for (const slide of R.getSlides()) {
    const at = R.getIndices(slide);
    R.slide(at.h, at.v || 0, 0);
    slide.querySelectorAll(".fragment").forEach(f => f.classList.add("visible"));
    await frame();
    found.slides++;
    const edge = slide.getBoundingClientRect();
    if (!edge.width) found.empty.push([at.h, at.v]);
    for (const el of slide.querySelectorAll(parts)) {
      if (el.closest("aside.notes")) continue;  // speaker notes are not on the slide
      const box = el.getBoundingClientRect();
      if (!box.width) continue;
      const what = `slide ${at.h}/${at.v || 0} <${el.tagName.toLowerCase()}> ` +
                   JSON.stringify((el.textContent || el.getAttribute("alt") || "").trim().slice(0, 60));
      found.widest = Math.max(found.widest, box.right - edge.right);
      if (box.right > edge.right + 1)
        found.over.push(`${what}: ${Math.round(box.right - edge.right)} px past the edge`);
      if (el.tagName !== "IMG" && el.scrollWidth > el.clientWidth + 1)
        found.hidden.push(`${what}: ${el.scrollWidth - el.clientWidth} px scrolled out of sight`);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def browser():
    find_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND"])
        yield chromium
        chromium.close()


def load(browser, deck):
    page = browser.new_page(viewport=SCREEN)
    off_machine = []
    page.on("request", lambda request: request.url.startswith("file://") or off_machine.append(request.url))
    page.goto(Path(deck).as_uri())
    page.wait_for_selector(".reveal.ready", state="attached", timeout=30_000)
    assert page.evaluate("typeof (window.Reveal || {}).getSlides") == "function", \
        f"{deck}: the template does not expose Reveal"
    return page, off_machine


def hidden_code_lines(notebook):
    """One line of code of each cell tagged solution or instructor: its first line that is not a
    comment and appears in no cell the audience sees (a solution may repeat the exercise's `def`)."""
    from tools.slides import HIDDEN_TAGS

    cells = json.loads(notebook.read_text())["cells"]
    source = lambda cell: "".join(cell["source"])  # noqa: E731
    hidden = [c for c in cells if HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    shown = {line.strip() for c in cells if c not in hidden for line in source(c).splitlines()}
    lines = []
    for cell in hidden:
        if cell["cell_type"] != "code":
            continue
        candidates = [line.strip() for line in source(cell).splitlines()
                      if line.strip() and not line.strip().startswith("#") and line.strip() not in shown]
        if candidates:
            lines.append(candidates[0])
    return lines


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_slide_fits_1280x720_and_shows_no_solution(decks, browser, notebook):
    from tools.slides import instructor_deck

    _, _, by_name = decks
    deck = by_name[notebook.stem]
    page, off_machine = load(browser, deck)
    try:
        found = page.evaluate(WALK_SLIDES, PARTS)
        text = page.evaluate("document.body.textContent")
    finally:
        page.close()
    assert found["config"] == [1280, 720], f"{deck.name}: reveal.js lays slides out at {found['config']}"
    slides, subslides = slides_declared(notebook)
    assert found["slides"] >= slides and not found["empty"], f"{deck.name}: {found}"
    assert not found["over"], f"{deck.name}: wider than the slide:\n" + "\n".join(found["over"])
    assert not found["hidden"], f"{deck.name}: lines cut off:\n" + "\n".join(found["hidden"])
    assert not off_machine, f"{deck.name} asked the network for {off_machine}"

    solutions = hidden_code_lines(notebook)
    leaked = [line for line in solutions if line in text]
    assert not leaked, f"{deck.name} shows solution code: {leaked}"

    page, off_machine = load(browser, instructor_deck(deck))
    try:
        text = page.evaluate("document.body.textContent")
    finally:
        page.close()
    assert all(line in text for line in solutions), f"instructor/{deck.name}: solutions missing"
    assert not off_machine, f"instructor/{deck.name} asked the network for {off_machine}"
    print(f"{notebook.stem}: {found['slides']} slides, widest part {found['widest']:+.1f} px from the "
          f"slide's right edge, {len(solutions)} solution cells absent")

"""Every chapter's slide deck, opened in headless Chromium with the network blocked.

For each chapter: export with `utils.slides` (what `make slides` runs), load the deck from disk,
and check that reveal.js initialised, the deck has one section per slide the notebook declares,
code and figures are there, and every request the page made stayed on the machine (file://).
A screenshot of each title slide lands in build/slides-screenshots/ for a person to look at.

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
    from utils.slides import export_decks

    chromium = find_chromium()
    out = tmp_path_factory.mktemp("slides")
    return chromium, out, {Path(d).name.split(".")[0]: d for d in export_decks(NOTEBOOKS, out)}


def slides_declared(notebook):
    """How many <section>s nbconvert makes: one per slide, plus one per subslide inside slides."""
    cells = json.loads(notebook.read_text())["cells"]
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

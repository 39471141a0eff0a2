"""RISE for real: JupyterLab serves the jupyterlab-rise extension, and a chapter opens as a slideshow.

`make lab` starts JupyterLab; the jupyterlab_rise package adds two things to it: a lab extension
(the "Render as slideshow" button, listed in the lab page's config and served as static files) and
a server extension with its own page, /rise/<notebook path>, where reveal.js shows the notebook as
slides. The first test checks both through HTTP; the second opens chapter 01's /rise page in
headless Chromium (Debian's, driven by Playwright) with every request that leaves 127.0.0.1
aborted, and checks that reveal.js rendered the chapter's slides, title first.

Chromium comes from Debian's `chromium` package; without it (or without playwright) the browser
test skips, saying why. This test never installs anything.
"""
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.servers import free_port, jupyterlab_command, running

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex
CHAPTER = "chapters/01_graphs_and_sessions.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
# As in test_tensorboard.py: the browser's own background traffic is off, and nothing resolves
# but the loopback address.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # a redirect comes back as an HTTPError we can look at


def get(port, path, token=True):
    """(status, Location header, body text) of a GET; the token goes in a header unless token=False."""
    headers = {"Authorization": f"token {TOKEN}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, None, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location"), error.read().decode(errors="replace")


def page_config(html):
    """The JSON a Jupyter page embeds in <script id="jupyter-config-data">."""
    m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no jupyter-config-data in the page:\n{html[:2000]}"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as tests/test_jupyterlab.py starts it (what `make lab` runs, on a free port)."""
    port = free_port()
    cmd = jupyterlab_command(port, TOKEN, ROOT)
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    ready = lambda text: port if get(port, "/api/status")[0] == 200 else None
    with running(cmd, log, ready, timeout=60, name="JupyterLab"):
        yield port


def test_lab_serves_the_rise_extension_and_its_page(lab):
    # The lab extension: the lab page lists it among the federated extensions it loads, and the
    # file it names is served (a list entry with a missing file would break the lab page).
    status, _, html = get(lab, "/lab")
    assert status == 200
    rise = [e for e in page_config(html)["federated_extensions"] if e["name"] == "jupyterlab-rise"]
    assert len(rise) == 1, page_config(html)["federated_extensions"]
    status, _, js = get(lab, f"/lab/extensions/jupyterlab-rise/{rise[0]['load']}")
    assert status == 200 and "jupyterlab-rise" in js

    # The server extension: jupyterlab_rise.app registers /rise<path> (RiseHandler). Its page
    # embeds the notebook's path for the frontend and loads bundle.js, which must be served too.
    status, _, html = get(lab, f"/rise/{CHAPTER}")
    assert status == 200, html[:2000]
    config = page_config(html)
    assert config["notebookPath"].strip("/") == CHAPTER and config["appName"] == "Rise"
    status, _, bundle = get(lab, config["fullStaticUrl"] + "/bundle.js")
    assert status == 200 and len(bundle) > 1000

    # The handler is @web.authenticated: without the token it sends the browser to log in.
    status, location, _ = get(lab, f"/rise/{CHAPTER}", token=False)
    assert status == 302 and location.startswith("/login"), (status, location)


def test_a_chapter_opens_as_a_slideshow_offline(lab, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as .ci/run "
                    f"does when it runs as root) to open the RISE slideshow in a browser")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as error:
        pytest.skip(f"playwright cannot be imported ({error}): `pip install -r requirements.txt` brings it")

    aborted = []

    def keep_on_the_machine(route):
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # a CDN, fonts, anything: the course must present offline
            aborted.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        # A fresh profile in tmp_path: no state from another run, nothing written outside it.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 720})
        try:
            context.route("**/*", keep_on_the_machine)
            page = context.new_page()
            # The URL the lab extension's "Render as slideshow" opens (getRiseUrl: <base>rise/<path>).
            page.goto(f"http://127.0.0.1:{lab}/rise/{CHAPTER}?token={TOKEN}", timeout=120_000)
            # reveal.js adds .ready to the deck once it has laid out the slides; the one shown
            # (.present) is the chapter's title cell. The title is looked for in the rendered
            # markdown: the cell's source is in the DOM too, in a hidden editor.
            slides = page.locator(".reveal.ready .slides > section")
            slides.first.wait_for(state="attached", timeout=120_000)
            title = page.locator(".reveal .slides > section.present .jp-RenderedMarkdown h1")
            expect(title).to_contain_text("Graphs and sessions", timeout=60_000)
            expect(title).to_be_visible()
            # One top-level <section> per cell marked "slide" (subslides nest inside them).
            cells = json.loads((ROOT / CHAPTER).read_text())["cells"]
            declared = sum(c["metadata"].get("slideshow", {}).get("slide_type") == "slide" for c in cells)
            assert slides.count() > 5 and slides.count() == declared, (slides.count(), declared)
            # The page did render offline. The only thing it asks off the machine is reveal.js's
            # theme fonts (Google Fonts, aborted: the browser's fallback fonts are used); anything
            # else, a CDN script say, would be a new dependency on the network.
            assert {urllib.parse.urlsplit(u).hostname for u in aborted} <= {"fonts.googleapis.com"}, aborted
        finally:
            context.close()

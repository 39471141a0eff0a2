"""TensorBoard for real: the logs a chapter writes, served by the `tensorboard` program, seen in a browser.

`make tensorboard` runs `tensorboard --logdir build/logs --host 127.0.0.1 --port 6006`. Here the
same program serves tiny logs this test writes (a TF1 graph and a TF2 scalar) on a free loopback
port; the test checks through TensorBoard's HTTP API that the runs, the graph and the scalar are
there with the values written, then opens the page in headless Chromium (Debian's, driven by
Playwright) with every request that leaves 127.0.0.1 aborted, and checks that the frontend rendered
the scalar's chart and asked nothing of the network. The `utils.board` readers the chapters use
are checked against the server's answers, and their errors for bad input are pinned.

Chromium comes from Debian's `chromium` package (`.ci/run` installs it when it can); without it
the browser test skips, saying why. This test never installs anything.
"""
import json
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.servers import running
from utils import board

CHROMIUM = Path("/usr/bin/chromium")
LOSSES = [0.75, 0.5, 0.375]  # exact in float32, so the served values compare with ==
# The browser's own background traffic is switched off; nothing resolves but the loopback address.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def tensorboard_command():
    """The venv's `tensorboard` script (what `make tensorboard` runs), else the module it runs."""
    script = Path(sys.executable).parent / "tensorboard"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tensorboard.main"]


def write_logs(logdir):
    """Two runs: `graph` (a TF1 graph with a name scope) and `scalars` (a TF2 scalar, 3 steps)."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("dense"):
            x = tf.constant([[1.0, 2.0]], name="x")
            w = tf.constant([[3.0], [4.0]], name="W")
            tf.nn.relu(tf.matmul(x, w), name="relu")
        tf.compat.v1.summary.FileWriter(str(logdir / "graph"), graph).close()
    writer = tf.summary.create_file_writer(str(logdir / "scalars"))
    with writer.as_default():
        for step, loss in enumerate(LOSSES):
            tf.summary.scalar("loss", loss, step=step)
    writer.close()


def get(base, path, **query):
    url = f"{base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode()
        return json.loads(body) if "json" in response.headers.get("Content-Type", "") else body


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("logs")
    write_logs(path)
    return path


@pytest.fixture(scope="module")
def server(logdir, tmp_path_factory):
    """`tensorboard` on a port the OS picks (--port 0), its address read from what it prints."""

    def ready(text):
        # ready = both runs loaded, not just the port open (logs are read in the background)
        m = re.search(r"TensorBoard \S+ at (http://127\.0\.0\.1:\d+)/", text)
        return m.group(1) if m and {"graph", "scalars"} <= set(get(m.group(1), "/data/runs")) else None

    log = tmp_path_factory.mktemp("tensorboard") / "tensorboard.log"
    cmd = [*tensorboard_command(), "--logdir", str(logdir), "--host", "127.0.0.1", "--port", "0",
           "--reload_interval", "1"]
    # TensorFlow's import alone takes tens of seconds on a busy machine
    with running(cmd, log, ready, timeout=180, name="tensorboard") as base:
        yield base


def test_the_api_serves_the_runs_the_graph_and_the_scalar(server, logdir):
    assert sorted(get(server, "/data/runs")) == ["graph", "scalars"]

    info = get(server, "/data/plugin/graphs/info")
    assert info["graph"]["run_graph"] is True, info
    pbtxt = get(server, "/data/plugin/graphs/graph", run="graph", conceptual="false")
    served = re.findall(r'^  name: "([^"]+)"', pbtxt, re.M)
    assert served == ["dense/x", "dense/W", "dense/MatMul", "dense/relu"], served
    # utils.board reads what the server serves
    assert [name for name, _ in board.graph_ops(logdir / "graph")] == served
    assert board.name_scopes(board.graph_ops(logdir / "graph")) == {"dense": 4}

    assert list(get(server, "/data/plugin/scalars/tags")["scalars"]) == ["loss"]
    points = get(server, "/data/plugin/scalars/scalars", run="scalars", tag="loss")
    assert [(step, value) for _, step, value in points] == list(enumerate(LOSSES))
    assert board.scalars(logdir / "scalars") == {"loss": list(enumerate(LOSSES))}


def test_the_page_renders_offline_with_the_scalar_chart(server, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, as .ci/run "
                    f"does when it runs as root) to open TensorBoard's page in a browser")
    from playwright.sync_api import expect, sync_playwright

    requested, aborted = [], []

    def keep_on_the_machine(route):
        url = route.request.url
        requested.append(url)
        if urllib.parse.urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            aborted.append(url)
            route.abort()

    with sync_playwright() as playwright:
        # A fresh profile in tmp_path: no state from another run, nothing written outside it.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context.route("**/*", keep_on_the_machine)
            page = context.new_page()
            page.goto(f"{server}/#scalars", wait_until="networkidle", timeout=120_000)
            # The Angular app, its tab bar, and the scalar dashboard's chart card for our tag.
            toolbar = page.locator("tb-webapp mat-toolbar")
            for tab in ("scalars", "graphs"):  # the tabs appear once the plugin list has been fetched
                expect(toolbar).to_contain_text(re.compile(tab, re.I), timeout=60_000)
            page.locator("tf-scalar-dashboard").wait_for(timeout=60_000)
            page.get_by_text("tag: loss").first.wait_for(timeout=60_000)
            assert page.title() == "TensorBoard"
            data = [u for u in requested if "/data/plugin/scalars/" in u]
            assert data, f"the page never asked for scalar data; it asked for {requested}"
            assert not aborted, f"the page asked the network for {aborted}"

            # The guard itself: a request off the machine is seen and aborted. (A fetch from the
            # page would not do: TensorBoard's Content-Security-Policy stops it before any request.)
            with pytest.raises(Exception, match="ERR_FAILED"):
                context.new_page().goto("https://cdn.example.invalid/x.js", timeout=30_000)
            assert aborted == ["https://cdn.example.invalid/x.js"]
        finally:
            context.close()


def test_log_dir_is_under_the_repository_and_emptied(tmp_path, monkeypatch):
    assert board.LOGS == Path(__file__).resolve().parent.parent / "build" / "logs"
    monkeypatch.setattr(board, "LOGS", tmp_path / "logs")
    run = board.log_dir("99_test", "run")
    assert run == tmp_path / "logs" / "99_test" / "run" and run.is_dir()
    (run / "events.out.tfevents.old").write_text("stale")
    assert list(board.log_dir("99_test", "run").iterdir()) == []
    (tmp_path / "logs" / "99_test" / "other").mkdir()
    assert list(board.log_dir("99_test").iterdir()) == []


@pytest.mark.parametrize("chapter, run", [("../x", None), ("a/b", None), ("", None), (5, None), ("01", ".."), ("01", "")])
def test_log_dir_refuses_anything_but_one_folder_name(chapter, run):
    with pytest.raises(ValueError, match=r"log_dir\((chapter|run)=.*one folder name"):
        board.log_dir(chapter, run)


def test_readers_name_the_folder_and_the_fix(logdir, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"scalars\(logdir=.*no such folder"):
        board.scalars(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match=r"graph_ops\(logdir=.*no event file.*create_file_writer"):
        board.graph_ops(tmp_path)
    # the parent of the runs: the message lists them
    with pytest.raises(FileNotFoundError, match=r"it holds the runs \['graph', 'scalars'\]: pass one of them"):
        board.scalars(logdir)
    with pytest.raises(ValueError, match=r"holds no op graph \(its tags: \['loss'\]\).*trace_export"):
        board.graph_ops(logdir / "scalars")
    assert board.scalars(logdir / "graph") == {}
    assert board.runs(logdir) == ["graph", "scalars"]
    assert np.float32(LOSSES).tolist() == LOSSES


def test_tensorboard_is_pinned_and_installed_at_tensorflows_minor_release():
    # TensorBoard and TensorFlow are released together; another minor reads and draws the event
    # files of this TensorFlow differently, so requirements.txt pins the same minor to both.
    import tensorboard
    import tensorflow as tf

    text = (Path(__file__).resolve().parent.parent / "requirements.txt").read_text()
    pins = dict(re.findall(r"^(tensorflow|tensorboard)==(\d+\.\d+)\.\*$", text, re.M))
    assert pins.get("tensorboard") == pins["tensorflow"], f"requirements.txt pins {pins}"
    minors = {".".join(version.split(".")[:2]) for version in (tensorboard.__version__, tf.__version__)}
    assert minors == {pins["tensorflow"]}, f"installed: tensorboard {tensorboard.__version__}, tensorflow {tf.__version__}"

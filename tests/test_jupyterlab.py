"""JupyterLab for real: start it on a loopback port, list the chapters, run a cell, shut down.

This is what `make lab` starts; the test talks to it through the REST API and a kernel's
websocket, as the browser would.
"""
import asyncio
import json
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.servers import free_port, jupyterlab_command, running

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex


def api(port, path, method="GET", body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port = free_port()
    cmd = jupyterlab_command(port, TOKEN, ROOT)
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    with running(cmd, log, lambda text: api(port, "/api/status") or port, timeout=60, name="JupyterLab"):
        yield port


def test_lab_serves_the_lab_page_and_lists_the_chapters(lab):
    with urllib.request.urlopen(f"http://127.0.0.1:{lab}/lab?token={TOKEN}", timeout=30) as response:
        assert response.status == 200 and b"JupyterLab" in response.read()
    listing = api(lab, "/api/contents/chapters")
    names = {item["name"] for item in listing["content"]}
    assert "00_introduction.ipynb" in names


async def execute(port, kernel_id, code):
    """Send one execute_request over the kernel's websocket; return (stdout text, reply status)."""
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={TOKEN}")
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    stdout, status = "", None
    deadline = time.time() + 120
    while time.time() < deadline and status is None:
        raw = await asyncio.wait_for(ws.read_message(), timeout=120)
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            stdout += msg["content"]["text"]
        elif msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
    ws.close()
    return stdout, status


def test_a_kernel_imports_utils_and_shuts_down_cleanly(lab):
    kernel = api(lab, "/api/kernels", method="POST", body={"name": "python3"})
    try:
        code = "import utils, utils.data\nprint('utils from', utils.__file__.split('/')[-2], len(utils.data.FASHION_MNIST_CLASSES))"
        stdout, status = asyncio.run(execute(lab, kernel["id"], code))
        assert status == "ok" and stdout.strip() == "utils from utils 10"
    finally:
        api(lab, f"/api/kernels/{kernel['id']}", method="DELETE")
    assert kernel["id"] not in {k["id"] for k in api(lab, "/api/kernels")}

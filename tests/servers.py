"""Shared by the tests that start a real server (TensorBoard, JupyterLab): start it, wait until it
answers, fail with the tail of its log when it does not, and always stop it."""
import contextlib
import socket
import subprocess
import time

import pytest


def free_port():
    """A loopback port no one listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(cmd, log, ready, timeout=60, name=None):
    """Run ``cmd`` (output to the file ``log``) until ``ready(log_text)`` returns something other
    than None, and yield that; an OSError from ``ready`` counts as not ready yet. Fails the test,
    with the log's tail, if the server exits or ``timeout`` seconds pass; stops it afterwards."""
    name = name or cmd[0]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.time() + timeout
        while True:
            text = log.read_text(errors="replace")
            try:
                value = ready(text)
            except OSError:
                value = None
            if value is not None:
                break
            if proc.poll() is not None or time.time() > deadline:
                state = f"exited with {proc.returncode}" if proc.poll() is not None else f"timed out after {timeout} s"
                pytest.fail(f"{name} did not start ({state}); its log:\n{text[-4000:]}")
            time.sleep(0.5)
        yield value
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def jupyterlab_command(port, token, root):
    """What `make lab` runs (``jupyter lab``), on a loopback ``port`` with a fixed ``token``."""
    import sys

    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False", "--allow-root"]  # CI runs as root

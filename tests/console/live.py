"""A console served on loopback for a real browser, and Debian's Chromium for Playwright.

Playwright's own browser download needs the internet; ``/usr/bin/chromium``
comes from Debian (scripts/setup.sh installs it). Used by the browser tests
and by benchmarks/bench_console_keyboard.py.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port, for as long as the block runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def launch(playwright: Any) -> Any:
    """Headless Debian Chromium (no sandbox: CI runs as root)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
    )

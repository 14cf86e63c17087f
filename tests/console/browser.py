"""Real Chromium (Debian's package) against the console served by daphne on loopback.

daphne runs as a child process on the pytest-django test database, as the deploy runs it
(ASGI: pages, the WebSocket, the diagnostics stream). Tests using it must commit their
data (transactional tests). Playwright drives /usr/bin/chromium: never a downloaded
browser. A missing chromium or a daphne that does not answer fails the test, naming why.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers.ports import LOOPBACK, free_tcp_port
from tests.servers.processes import stop_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WIDTHS = {1366: 900, 390: 844}
REPO = Path(__file__).resolve().parent.parent.parent


class Daphne:
    def __init__(self, database_url: str, env: dict | None = None) -> None:
        self.port = free_tcp_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log = ARTIFACTS / "daphne.log"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        child_env = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
        child_env["DJANGO_SETTINGS_MODULE"] = "wardflux.settings"
        cmd = [sys.executable, "-m", "daphne", "-b", LOOPBACK, "-p", str(self.port),
               "wardflux.asgi:application"]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=child_env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        self.wait_ready()

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited: see {self.log}\n{self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/manifest.webmanifest", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"daphne did not answer on {self.url} within {timeout_s} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            stop_process(self.proc, timeout_s=10)
            time.sleep(1)  # PostgreSQL ends the child's sessions just after it exits


def shoot(page, name: str) -> list[Path]:
    """Full-page screenshots at 1366 px and 390 px wide (the judged widths)."""
    saved = []
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)  # let the layout (and charts' resize) settle
        path = ARTIFACTS / f"console-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size({"width": 1366, "height": 900})
    return saved

"""The processes `manage.py demo` starts, and how they are stopped.

Each child runs in its own session (its own process group), so Ctrl-C in the terminal
reaches only the demo command, which then stops every group it started in order. The
pids are recorded in var/demo.pids (JSON) so `demo --stop` can clean up after a crash.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.core.management import call_command

PIDFILE_NAME = "demo.pids"
STOP_WAIT_S = 10.0
# What a recorded pid must still be running for --stop to signal it (pids get reused).
EXPECTED_CMDLINE = ("manage.py", "celery", "snmpsim")


def celery_commands(beat_state: Path, queues: str, pool: str, concurrency: int) -> dict:
    celery = [sys.executable, "-m", "celery", "-A", "wardflux"]
    return {
        "worker": [
            *celery, "worker", "-Q", queues, "--pool", pool, "--concurrency", str(concurrency),
            "--loglevel", "INFO", "--without-mingle", "--without-gossip",
        ],
        "beat": [*celery, "beat", "--loglevel", "INFO", "-s", str(beat_state)],
    }  # fmt: skip


def serve(addr: str) -> None:
    """The web server, in this process, until Ctrl-C.

    runserver serves WSGI; when `daphne` is in INSTALLED_APPS (Channels), Django's
    runserver is replaced by daphne's and serves ASGI (websockets) with no change here.
    """
    call_command("runserver", addr, use_reloader=False)


class Children:
    """The child process groups and the pidfile that names them."""

    def __init__(self, var_dir: Path) -> None:
        self.pidfile = var_dir / PIDFILE_NAME
        self.procs: dict[str, subprocess.Popen] = {}
        self.extra: Callable[[], dict[str, int]] = dict  # pids owned elsewhere (agents)
        self._lock = threading.Lock()
        self.commands: dict[str, list[str]] = {}
        self.restarts = 0
        self.log_dir = var_dir / "demo-logs"
        self.cwd = var_dir

    def start(self, commands: dict[str, list[str]], log_dir: Path, cwd: Path) -> None:
        self.commands, self.log_dir, self.cwd = dict(commands), log_dir, cwd
        log_dir.mkdir(parents=True, exist_ok=True)
        for label in commands:
            self._spawn(label)
        self.record()

    def _spawn(self, label: str) -> None:
        with (self.log_dir / f"{label}.log").open("ab") as log:
            self.procs[label] = subprocess.Popen(
                self.commands[label],
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def revive(self, max_restarts: int) -> list[str]:
        """Start again the children that died (up to max_restarts in all); their labels."""
        revived = []
        for label in self.dead():
            if self.restarts >= max_restarts:
                break
            self.restarts += 1
            self._spawn(label)
            revived.append(label)
        if revived:
            self.record()
        return revived

    def record(self) -> None:
        with self._lock:
            pids = {label: p.pid for label, p in self.procs.items()}
            pids |= {f"snmpsim:{name}": pid for name, pid in self.extra().items()}
            self.pidfile.write_text(json.dumps({"demo": os.getpid(), "children": pids}))

    def dead(self) -> list[str]:
        return [label for label, p in self.procs.items() if p.poll() is not None]

    def terminate(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=STOP_WAIT_S)

    def forget(self) -> None:
        self.pidfile.unlink(missing_ok=True)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _is_ours(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return any(word in cmdline for word in EXPECTED_CMDLINE)


def stop_leftovers(var_dir: Path) -> list[int]:
    """SIGTERM (then SIGKILL) the demo and every group it recorded; the pids signalled."""
    pidfile = var_dir / PIDFILE_NAME
    if not pidfile.exists():
        return []
    try:
        recorded = json.loads(pidfile.read_text())
    except ValueError:
        recorded = {}
    pids = [p for p in recorded.get("children", {}).values() if _is_ours(p)]
    demo = recorded.get("demo")
    if demo and demo != os.getpid() and _is_ours(demo):
        os.kill(demo, signal.SIGTERM)  # it stops its own children first
    for pid in pids:
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_S
    while time.monotonic() < deadline and any(_is_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _is_alive(pid):
            _signal_group(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return pids + ([demo] if demo else [])


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of a dead parent is gone for our purposes.
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False

"""The product as separate processes for the fault tests: Celery workers, beat, the web.

Every process gets its own log file and its own session (so a SIGKILL of its group
takes its pool children too); ``Stack.close()`` ends each one it started, by pid.
Databases: one migrated template per test session, copied per test (CREATE DATABASE
... TEMPLATE, well under a second), dropped after.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
POLL_LINE = re.compile(
    r"poll device=(?P<device>\d+) interval=(?P<interval>\S+) ok=(?P<ok>\w+) "
    r"skipped=(?P<skipped>\S+) samples=(?P<samples>\d+) worker=(?P<worker>\S+)"
)
DROPPED_ENV = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "PROMETHEUS_MULTIPROC_DIR")


def server_and_name(url: str | None = None) -> tuple[str, str]:
    """(server URL without database, database name) from DATABASE_URL (PostgreSQL)."""
    url = url or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return DEFAULT_SERVER, "wardflux"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), parts.path.lstrip("/")


def admin_sql(server: str, *statements: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def wait_for(check: Callable[[], object], timeout_s: float, what: str, every_s: float = 0.5):
    """Poll ``check`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(every_s)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self, since: int = 0) -> str:
        with open(self.log_path, "rb") as fh:
            fh.seek(since)
            return fh.read().decode(errors="replace")

    def mark(self) -> int:
        """A place in the log: ``polls(since=mark)`` reads only what came after."""
        return self.log_path.stat().st_size

    def polls(self, since: int = 0) -> list[dict]:
        return [m.groupdict() for m in POLL_LINE.finditer(self.log(since))]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


class Stack:
    def __init__(self, workdir: Path, database_url: str, broker_url: str, **env: str):
        self.workdir = workdir
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        self.env.update(
            DJANGO_SETTINGS_MODULE="wardflux.settings",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            WARD_VAR_DIR=str(workdir / "var"),
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
        )
        self.env.update(env)
        self.procs: list[Proc] = []

    # --- Django in a subprocess ------------------------------------------------------
    def call(self, func: str, timeout_s: float = 60, **kwargs):
        """tests.e2e.seed.func(**kwargs) in a subprocess on this stack's database."""
        out = subprocess.run(
            [sys.executable, "-m", "tests.e2e.djrun", func, json.dumps(kwargs)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout_s,
        )  # fmt: skip
        assert out.returncode == 0, f"{func} failed:\n{out.stderr[-3000:]}"
        return json.loads(out.stdout.strip().splitlines()[-1])

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    # --- processes --------------------------------------------------------------------
    def start(self, name: str, args: list[str], **env: str) -> Proc:
        log_path = self.workdir / f"{name}.log"
        with open(log_path, "ab") as log:
            popen = subprocess.Popen(
                args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def worker(self, name: str, queue: str, concurrency: int = 1, **env: str) -> Proc:
        args = [
            sys.executable, "-m", "celery", "-A", "wardflux", "worker", "-Q", queue,
            "-n", f"{name}@%h", "-c", str(concurrency), "-l", "INFO",
            "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        proc = self.start(name, args, **env)
        self.wait_ready(proc, "ready.", 60)
        return proc

    def beat(self) -> Proc:
        args = [sys.executable, "-m", "celery", "-A", "wardflux", "beat", "-l", "INFO"]
        args += ["-s", str(self.workdir / "beat-state")]
        proc = self.start("beat", args)
        self.wait_ready(proc, "beat: Starting...", 60)
        return proc

    def web(self, port: int) -> Proc:
        args = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        proc = self.start("web", args)
        self.wait_ready(proc, "Quit the server with", 60)
        return proc

    def wait_ready(self, proc: Proc, marker: str, timeout_s: float) -> None:
        def ready() -> bool:
            if not proc.alive():
                raise AssertionError(f"{proc.name} exited early:\n{proc.tail()}")
            return marker in proc.log()

        try:
            wait_for(ready, timeout_s, f"{proc.name} to start", every_s=0.2)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{proc.tail()}") from None

    def kill(self, proc: Proc, sig: int = signal.SIGKILL) -> None:
        """Signal the process and its pool children (its own session)."""
        try:
            os.killpg(proc.popen.pid, sig)
        except ProcessLookupError:
            pass
        proc.popen.wait(timeout=15)

    def stop(self, proc: Proc, timeout_s: float = 15) -> None:
        if not proc.alive():
            return
        try:
            os.killpg(proc.popen.pid, signal.SIGTERM)
            proc.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill(proc)
        except ProcessLookupError:
            pass

    def close(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)
        self.procs.clear()

    def logs(self) -> str:
        """Every process's tail, for a failing test's message."""
        return "\n".join(f"--- {p.name}\n{p.tail(25)}" for p in self.procs)

"""A private PostgreSQL cluster on a free loopback port, which a test may restart.

The machine's shared PostgreSQL on 5432 serves other suites running in parallel, so a
restart test gets its own: ``initdb`` into a temp dir (as the ``postgres`` user when we
are root: PostgreSQL refuses to run as root), trust auth, the socket in the temp dir,
fsync off (a test cluster, thrown away after).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.servers.ports import LOOPBACK, free_tcp_port
from tests.servers.processes import RestartableServer

START_TIMEOUT_S = 30


class PostgresServerError(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresServerError(
            "no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql "
            "(scripts/test-services.sh does)"
        )
    return Path(found[-1]).parent


class PostgresServer(RestartableServer):
    def __init__(self, port: int | None = None):
        self.bin = _bin_dir()
        self.port = port or free_tcp_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="wf-pg-"))
        self.data = self.workdir / "data"
        self.log_path = self.workdir / "postgres.log"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise PostgresServerError(
                    "running as root without runuser: cannot drop to postgres"
                )
            self._as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.workdir, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self._as_user, *args], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise PostgresServerError(
                f"`{' '.join(args)}` failed: {done.stderr.strip()[-1500:]}\n{self.log_tail()}"
            )

    def start(self) -> PostgresServer:
        if not self.data.exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8",
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses={LOOPBACK} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.log_path), "-w", "-t", str(START_TIMEOUT_S), "start",
        )  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def cleanup(self) -> None:
        try:
            self.stop(mode="immediate")
        except PostgresServerError:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_or_fail() -> PostgresServer:
    """A started private PostgreSQL, or the test fails saying why it could not start."""
    import pytest

    pg = PostgresServer()
    try:
        return pg.start()
    except PostgresServerError as exc:
        pg.cleanup()
        pytest.fail(f"cannot start a private PostgreSQL: {exc}", pytrace=False)

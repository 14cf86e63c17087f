"""A real Zabbix 6.0 (Debian's packages) for the tests: server, PostgreSQL database, API frontend.

Why it is built this way:
- The schema import takes ~20 s, so it is loaded once into a template database
  (`wf_zabbix_template`, built under another name and renamed when complete, so a crash
  never leaves a half-built template) and each session's database is a copy (0.2 s).
- The frontend reads its config only from /etc/zabbix/zabbix.conf.php: we write it for the
  session and restore (or remove) it on stop. Two sessions on one machine therefore cannot
  run Zabbix tests at the same time; the second fails loudly (the file is locked).
- `zabbix_server -f` runs in a session of its own; its ~20 children survive a SIGKILL of the
  main process, so stopping kills every process of that session.
Every wait is bounded; a failure raises ZabbixHarnessError with the reason and the log tail.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = [
    "zabbix-server-pgsql",
    "zabbix-frontend-php",
    "php-cli",
    "php-cgi",
    "php8.2-cgi",
    "php-pgsql",
]
SQL_DIR = Path("/usr/share/zabbix-server-pgsql")
SQL_FILES = ["schema.sql.gz", "images.sql.gz", "data.sql.gz"]  # this order, not one transaction
FRONTEND_DIR = Path("/usr/share/zabbix")
FRONTEND_CONF = Path("/etc/zabbix/zabbix.conf.php")
TEMPLATE_DB = "wf_zabbix_template"
ADMIN_USER, ADMIN_PASSWORD = "Admin", "zabbix"
INSTALL_TIMEOUT_S = 300
TEMPLATE_TIMEOUT_S = 180
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


class ZabbixHarnessError(RuntimeError):
    """The test Zabbix could not be installed, built or started; the message says why."""


def free_port(low: int = 20000, high: int = 32767) -> int:
    """A free loopback TCP port in [low, high] (zabbix_server refuses ports above 32767)."""
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ZabbixHarnessError(f"no free port in {low}-{high} after 200 tries")


def ensure_installed() -> None:
    have = shutil.which("zabbix_server") and shutil.which("php") and FRONTEND_DIR.is_dir()
    if have and all((SQL_DIR / f).exists() for f in SQL_FILES):
        return
    if os.geteuid() != 0:
        raise ZabbixHarnessError(f"Zabbix is not installed and we are not root: install {PACKAGES}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
    ):
        done = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
        )
        if done.returncode:
            raise ZabbixHarnessError(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")


@dataclass
class Pg:
    """Where PostgreSQL is; superuser access over TCP with trust auth (as the suite uses)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"

    def psql(self, sql: str, db: str = "postgres", timeout: float = 30) -> str:
        cmd = [
            "psql",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            sql,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise ZabbixHarnessError(f"psql {sql[:80]!r} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def exists(self, db: str) -> bool:
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"

    def drop(self, db: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def ensure_template(pg: Pg) -> None:
    """Build wf_zabbix_template once (~20 s); later sessions find it ready."""
    if pg.exists(TEMPLATE_DB):
        return
    building = f"{TEMPLATE_DB}_building"
    pg.drop(building)
    pg.psql(f'CREATE DATABASE "{building}"')
    for name in SQL_FILES:
        cmd = (
            f"gzip -dc {SQL_DIR / name} | psql -q -v ON_ERROR_STOP=1 -h {pg.host} "
            f"-p {pg.port} -U {pg.user} -d {building}"
        )
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", cmd],
            capture_output=True,
            text=True,
            timeout=TEMPLATE_TIMEOUT_S,
        )
        if done.returncode:
            raise ZabbixHarnessError(f"loading {name} failed: {done.stderr[-2000:]}")
    pg.psql(f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE_DB}"')


FRONTEND_CONF_TEXT = """<?php
// Written by the WARD FLUX test harness (tests/servers/zabbix.py); restored after the tests.
$DB['TYPE'] = 'POSTGRESQL';
$DB['SERVER'] = '{host}';
$DB['PORT'] = '{port}';
$DB['DATABASE'] = '{db}';
$DB['USER'] = '{user}';
$DB['PASSWORD'] = '';
$DB['SCHEMA'] = '';
$DB['ENCRYPTION'] = false;
$DB['KEY_FILE'] = '';
$DB['CERT_FILE'] = '';
$DB['CA_FILE'] = '';
$DB['VERIFY_HOST'] = false;
$DB['CIPHER_LIST'] = '';
$DB['VAULT_URL'] = '';
$DB['VAULT_DB_PATH'] = '';
$DB['VAULT_TOKEN'] = '';
$DB['DOUBLE_IEEE754'] = true;
$ZBX_SERVER = '127.0.0.1';
$ZBX_SERVER_PORT = '{trapper_port}';
$ZBX_SERVER_NAME = 'wardflux-test';
$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
"""

SERVER_CONF_TEXT = """# Written by the WARD FLUX test harness: a small server for tests.
ListenIP=127.0.0.1
ListenPort={trapper_port}
DBHost={host}
DBPort={port}
DBName={db}
DBUser={user}
LogFile={dir}/zabbix_server.log
LogFileSize=0
PidFile={dir}/zabbix_server.pid
SocketDir={dir}
AllowRoot=1
User=zabbix
StartPollers=2
StartPollersUnreachable=1
StartPreprocessors=1
StartTrappers=2
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartTimers=1
StartEscalators=1
StartAlerters=1
StartDBSyncers=1
StartLLDProcessors=1
StartHistoryPollers=1
StartSNMPTrapper=0
HousekeepingFrequency=0
CacheUpdateFrequency=1
Timeout=3
"""


@dataclass
class ZabbixInstance:
    db: str
    pg: Pg
    api_port: int = 0
    trapper_port: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wf-zabbix-")))
    server_pid: int | None = None
    server_sid: int | None = None
    php: subprocess.Popen | None = None
    _conf_backup: bytes | None = None
    _conf_lock: object | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}/api_jsonrpc.php"

    # --- start ---------------------------------------------------------------------------
    def start(self) -> ZabbixInstance:
        try:
            self._create_database()
            self._write_frontend_conf()
            self._start_php()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _create_database(self) -> None:
        self.pg.drop(self.db)
        self.pg.psql(f'CREATE DATABASE "{self.db}" TEMPLATE "{TEMPLATE_DB}"')

    def _write_frontend_conf(self) -> None:
        FRONTEND_CONF.parent.mkdir(parents=True, exist_ok=True)
        lock = open(FRONTEND_CONF.parent / ".wardflux-test.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock.close()
            raise ZabbixHarnessError(
                f"{FRONTEND_CONF} is in use by another test session (lock held)"
            ) from exc
        self._conf_lock = lock
        self._conf_backup = FRONTEND_CONF.read_bytes() if FRONTEND_CONF.exists() else None
        self.api_port, self.trapper_port = free_port(), free_port()
        text = FRONTEND_CONF_TEXT.format(
            host=self.pg.host,
            port=self.pg.port,
            db=self.db,
            user=self.pg.user,
            trapper_port=self.trapper_port,
        )
        FRONTEND_CONF.write_text(text)

    def _start_php(self) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        log = open(self.workdir / "php.log", "wb")  # noqa: SIM115
        self.php = subprocess.Popen(
            [
                "php",
                "-d",
                "memory_limit=512M",
                "-d",
                "max_execution_time=300",
                "-d",
                "post_max_size=64M",
                "-S",
                f"127.0.0.1:{self.api_port}",
                "-t",
                str(FRONTEND_DIR),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        last = ""
        while time.monotonic() < deadline:
            if self.php.poll() is not None:
                raise ZabbixHarnessError(f"php -S exited: {self._tail('php.log')}")
            try:
                self.api_version()
                return
            except Exception as exc:  # not up yet
                last = str(exc)
                time.sleep(0.1)
        raise ZabbixHarnessError(f"frontend did not answer in {START_TIMEOUT_S}s: {last}")

    def api_version(self) -> str:
        body = json.dumps({"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}, "id": 1})
        req = urllib.request.Request(
            self.url, data=body.encode(), headers={"Content-Type": "application/json-rpc"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            answer = json.loads(resp.read())
        if "result" not in answer:
            raise ZabbixHarnessError(f"apiinfo.version answered {answer}")
        return answer["result"]

    def _start_server(self) -> None:
        conf = self.workdir / "zabbix_server.conf"
        conf.write_text(
            SERVER_CONF_TEXT.format(
                trapper_port=self.trapper_port,
                host=self.pg.host,
                port=self.pg.port,
                db=self.db,
                user=self.pg.user,
                dir=self.workdir,
            )
        )
        os.chmod(self.workdir, 0o777)  # the server drops to user zabbix and writes its log here
        # close_fds (the default) keeps our lock files (pytest's, the conf lock) out of it.
        out = open(self.workdir / "zabbix_server.out", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            ["zabbix_server", "-f", "-c", str(conf)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
        out.close()
        self.server_pid, self.server_sid = proc.pid, proc.pid
        self._server_proc = proc
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ZabbixHarnessError(
                    f"zabbix_server exited: {self._tail('zabbix_server.out')}\n"
                    f"{self._tail('zabbix_server.log')}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.trapper_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise ZabbixHarnessError(
            f"zabbix_server did not listen in {START_TIMEOUT_S}s: {self._tail('zabbix_server.log')}"
        )

    def _tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / name
        if not path.exists():
            return f"({name} not written)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- stop ----------------------------------------------------------------------------
    def stop_frontend(self) -> None:
        """Stop the API (php) only: the tests' way of making Zabbix unreachable."""
        if self.php is not None:
            kill_session(self.php.pid)
            self.php.wait(timeout=STOP_TIMEOUT_S)
            self.php = None

    def start_frontend(self) -> None:
        if self.php is None:
            self._start_php()

    def stop(self) -> None:
        self.stop_frontend()
        if self.server_sid is not None:
            kill_session(self.server_sid)
            self._server_proc.wait(timeout=STOP_TIMEOUT_S)
            self.server_sid = self.server_pid = None
        if self._conf_lock is not None:
            if self._conf_backup is not None:
                FRONTEND_CONF.write_bytes(self._conf_backup)
            else:
                FRONTEND_CONF.unlink(missing_ok=True)
            self._conf_lock.close()
            self._conf_lock = None
        try:
            self.pg.drop(self.db)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


def session_pids(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    pids.append(int(entry))
            except ProcessLookupError:
                continue
    return pids


def kill_session(sid: int) -> None:
    """SIGTERM every process of the session, then SIGKILL what is left after a bounded wait."""
    for sig, wait_s in ((signal.SIGTERM, 1.0), (signal.SIGKILL, STOP_TIMEOUT_S)):
        for pid in session_pids(sid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            alive = [p for p in session_pids(sid) if not _is_zombie(p)]
            if not alive:
                return
            time.sleep(0.05)
    left = [p for p in session_pids(sid) if not _is_zombie(p)]
    if left:
        raise ZabbixHarnessError(f"processes {left} of session {sid} survived SIGKILL")


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except OSError:
        return True


def start_zabbix(db: str, pg: Pg | None = None) -> ZabbixInstance:
    """Install if needed, build the template once, and start a Zabbix on free loopback ports."""
    pg = pg or Pg()
    ensure_installed()
    ensure_template(pg)
    return ZabbixInstance(db=db, pg=pg).start()

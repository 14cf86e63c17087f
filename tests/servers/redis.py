"""A private redis-server on a free loopback port, which a test may stop and start again.

The machine's shared Redis on 6379 is left alone: other suites use it. No persistence
(``--save "" --appendonly no``), so a restart loses what was queued, as a crashed broker
without AOF would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.servers.ports import LOOPBACK, free_tcp_port
from tests.servers.processes import RestartableServer, stop_process

START_TIMEOUT_S = 10.0


class RedisServerError(RuntimeError):
    pass


class RedisServer(RestartableServer):
    def __init__(self, port: int | None = None):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerError(
                "redis-server is not installed: apt-get install redis-server "
                "(scripts/test-services.sh does)"
            )
        self.binary = binary
        self.port = port or free_tcp_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="wf-redis-"))
        self.log_path = self.workdir / "redis.log"
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def start(self) -> RedisServer:
        args = [
            self.binary, "--bind", LOOPBACK, "--port", str(self.port), "--save", "",
            "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(self.log_path),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RedisServerError(
                    f"redis-server exited with {self.proc.returncode}: {self.log_tail()}"
                )
            if self.ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RedisServerError(
            f"redis-server did not answer on port {self.port}: {self.log_tail()}"
        )

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        stop_process(self.proc, timeout_s=10)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

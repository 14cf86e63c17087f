"""A real VictoriaMetrics server for tests and benchmarks, on a free loopback port.

Debian's `victoria-metrics` package (scripts/test-services.sh installs it). Started
with a temporary storage directory, a 100-year retention (so old timestamps are
accepted) and no query cache or latency offset, so fresh points read back at once
(after flush(), which makes just-ingested rows searchable).
"""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.servers.processes import stop_process

BINARY = "/usr/bin/victoria-metrics"
START_TIMEOUT_S = 20


class VictoriaServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VictoriaServer:
    def __init__(self, data_dir: Path | None = None, port: int | None = None):
        if not Path(BINARY).exists():
            raise VictoriaServerError(
                f"{BINARY} is missing: install Debian's victoria-metrics package "
                "(scripts/test-services.sh does)"
            )
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="wf-victoria-"))
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "VictoriaServer":
        args = [
            BINARY,
            f"-storageDataPath={self.data_dir / 'data'}",
            f"-httpListenAddr=127.0.0.1:{self.port}",
            "-retentionPeriod=100y",
            "-search.latencyOffset=0s",
            "-search.disableCache",
            "-loggerLevel=ERROR",
        ]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise VictoriaServerError(
                    f"victoria-metrics exited with {self.proc.returncode}: "
                    f"{self.log_path.read_text()[-2000:]}"
                )
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise VictoriaServerError(f"victoria-metrics did not answer /health on {self.url}")

    def flush(self) -> None:
        """Make every ingested row searchable now (it otherwise takes up to ~1 s)."""
        requests.get(f"{self.url}/internal/force_flush", timeout=10).raise_for_status()

    def stop(self) -> None:
        stop_process(self.proc, timeout_s=15)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "VictoriaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

"""Stopping the servers tests start: politely first, then for sure; and what every
such server offers beside start and stop (a restart with a pause, its log's tail)."""

import subprocess
import time
from pathlib import Path


def stop_process(proc: subprocess.Popen | None, timeout_s: float = 10.0) -> None:
    """SIGTERM, wait up to timeout_s, then SIGKILL. A process already gone is fine."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


class RestartableServer:
    """For a test server class with start(), stop() and a log_path."""

    log_path: Path

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

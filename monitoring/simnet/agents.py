"""Run snmpsim over a directory of .snmprec files, on loopback only.

The community is the file name without ``.snmprec``; SNMPv3 uses snmpsim's
built-in user ``simulator`` (MD5 ``auctoritas`` / DES ``privatus``) with the
community as context name.

Reboot simulation: snmpsim's numeric variation counts time from its own
process start, so ``restart()`` (stop, then start on the same endpoints) sets
every counter back to its initial value and sysUpTime back to its start —
exactly what a poller sees when a device reboots.
"""

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

V3_USER = "simulator"
V3_AUTH_KEY = "auctoritas"  # MD5
V3_PRIV_KEY = "privatus"  # DES
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


def responder_path() -> Path:
    """snmpsim-command-responder beside the running interpreter (same venv)."""
    path = Path(sys.executable).parent / "snmpsim-command-responder"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: install snmpsim in this venv")
    return path


def _check_loopback(address: str) -> None:
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"simulated agents listen on loopback only, not {address}")


@dataclass
class SimAgent:
    data_dir: Path
    endpoints: list[tuple[str, int]]
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wardflux-sim-")))
    process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "snmpsim.log"

    def command(self) -> list[str]:
        cmd = [
            str(responder_path()),
            f"--data-dir={self.data_dir}",
            f"--cache-dir={self.workdir / 'cache'}",
            f"--logging-method=file:{self.log_path}",
            f"--v3-user={V3_USER}",
            "--v3-auth-proto=MD5",
            f"--v3-auth-key={V3_AUTH_KEY}",
            "--v3-priv-proto=DES",
            f"--v3-priv-key={V3_PRIV_KEY}",
        ]
        for address, port in self.endpoints:
            _check_loopback(address)
            flag = "udpv6" if ":" in address else "udpv4"
            host = f"[{address}]" if ":" in address else address
            cmd.append(f"--agent-{flag}-endpoint={host}:{port}")
        return cmd

    def start(self, probe_community: str | None = None) -> "SimAgent":
        (self.workdir / "cache").mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
        with (self.workdir / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        community = probe_community or _first_community(self.data_dir)
        try:
            self._wait_until_answers(community)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_answers(self, community: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"snmpsim exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            if all(_answers_v2c(a, p, community) for a, p in self.endpoints):
                return
            time.sleep(0.2)
        raise RuntimeError(f"snmpsim did not answer within {START_TIMEOUT_S}s:\n{self.log_tail()}")

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT_S)
        except ProcessLookupError:
            pass

    def restart(self) -> "SimAgent":
        """Simulate a reboot: counters and sysUpTime start again from their initial values."""
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.workdir / "stdout.log", self.log_path):
            if path.exists():
                text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def __enter__(self) -> "SimAgent":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_agent(data_dir: Path, endpoints: list[tuple[str, int]]) -> SimAgent:
    return SimAgent(Path(data_dir), list(endpoints)).start()


def _first_community(data_dir: Path) -> str:
    files = sorted(Path(data_dir).glob("*.snmprec"))
    if not files:
        raise FileNotFoundError(f"no .snmprec files in {data_dir}")
    return files[0].stem


def _answers_v2c(address: str, port: int, community: str) -> bool:
    """One raw v2c GET of sysUpTime.0; True on any reply within 0.5 s."""
    name = community.encode()
    varbind = bytes.fromhex("300c06082b06010201010300" + "0500")
    varbind = b"\x30" + bytes([len(varbind) - 2]) + varbind[2:]
    varbinds = b"\x30" + bytes([len(varbind)]) + varbind
    body = bytes.fromhex("020101020100020100") + varbinds
    pdu = b"\xa0" + bytes([len(body)]) + body
    msg = bytes.fromhex("020101") + b"\x04" + bytes([len(name)]) + name + pdu
    msg = b"\x30" + bytes([len(msg)]) + msg
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.sendto(msg, (address, port))
            sock.recvfrom(65535)
        except OSError:
            return False
    return True

"""A real net-snmp ``snmpd`` on loopback, for tests and benchmarks.

Runs in the foreground (``-f -Lo -C -c CONF``) with its own config and
persistent dir in a temp dir, so it never reads /etc/snmp or /var/lib/snmp.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.ports import LOOPBACK, free_udp_port

SNMPD_PATH = Path("/usr/sbin/snmpd")
START_TIMEOUT_S = 10.0
COMMUNITY = "wardflux-ro"
SYS_LOCATION = "WARD FLUX test lab"
SYS_CONTACT = "noc@example.net"
ENGINE_ID_HEX = "80001f8804776172646c6162"  # net-snmp enterprise + text "wardlab"
AUTH_PASS = "authpass-123"
PRIV_PASS = "privpass-456"


@dataclass(frozen=True)
class V3User:
    name: str
    security_level: str  # noAuthNoPriv / authNoPriv / authPriv
    auth_protocol: str | None = None  # as in SnmpTarget: MD5, SHA, SHA-256, ...
    priv_protocol: str | None = None  # DES, AES-128, AES-256
    auth_key: str = AUTH_PASS
    priv_key: str = PRIV_PASS

    @property
    def create_user_line(self) -> str:
        parts = ["createUser", self.name]
        if self.auth_protocol:
            parts += [self.auth_protocol, f'"{self.auth_key}"']
        if self.priv_protocol:
            parts += [_NETSNMP_PRIV[self.priv_protocol], f'"{self.priv_key}"']
        return " ".join(parts)

    @property
    def rouser_line(self) -> str:
        level = {"noAuthNoPriv": "noauth", "authNoPriv": "auth", "authPriv": "priv"}
        return f"rouser {self.name} {level[self.security_level]}"


_NETSNMP_PRIV = {"DES": "DES", "AES-128": "AES", "AES-192": "AES192", "AES-256": "AES256"}

# Debian 12's net-snmp 5.9.3 is built with OpenSSL: MD5, SHA, SHA-224..512 auth and
# DES, AES (128) and AES192/AES256 priv (Blumenthal key expansion) are all accepted.
V3_USERS: tuple[V3User, ...] = (
    V3User("noauth", "noAuthNoPriv"),
    V3User("auth-md5", "authNoPriv", "MD5"),
    V3User("auth-sha", "authNoPriv", "SHA"),
    V3User("auth-sha256", "authNoPriv", "SHA-256"),
    V3User("auth-sha512", "authNoPriv", "SHA-512"),
    V3User("priv-md5-des", "authPriv", "MD5", "DES"),
    V3User("priv-sha-aes128", "authPriv", "SHA", "AES-128"),
    V3User("priv-sha256-aes256", "authPriv", "SHA-256", "AES-256"),
)


@dataclass
class SnmpdServer:
    address: str
    port: int
    community: str
    users: tuple[V3User, ...]
    workdir: Path
    process: subprocess.Popen
    log_path: Path
    engine_id: bytes = field(default=bytes.fromhex(ENGINE_ID_HEX))

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def ensure_snmpd() -> Path:
    """Install Debian's snmpd if missing; raise with the reason if we can't."""
    if SNMPD_PATH.exists():
        return SNMPD_PATH
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError(
            f"{SNMPD_PATH} is missing and cannot be installed here "
            "(need root and apt-get): run `apt-get install -y snmpd snmp`"
        )
    result = subprocess.run(
        ["apt-get", "install", "-y", "snmpd", "snmp"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    if result.returncode != 0 or not SNMPD_PATH.exists():
        raise RuntimeError(f"apt-get install snmpd failed:\n{result.stderr[-2000:]}")
    return SNMPD_PATH


def snmpd_config(
    address: str,
    port: int,
    community: str,
    users: tuple[V3User, ...],
    more_ports: tuple[int, ...] = (),
    extra_lines: tuple[str, ...] = (),
) -> str:
    listen = ",".join(f"udp:{address}:{p}" for p in (port, *more_ports))
    lines = [
        f"agentAddress {listen}",
        f"exactEngineID 0x{ENGINE_ID_HEX}",
        f"rocommunity {community} 127.0.0.1",
        f"sysLocation {SYS_LOCATION}",
        f"sysContact {SYS_CONTACT}",
        "sysServices 72",
        "master no",
        "dontLogTCPWrappersConnects yes",
    ]
    lines += [u.rouser_line for u in users]
    lines += [u.create_user_line for u in users]
    lines += extra_lines
    return "\n".join(lines) + "\n"


def proxied_context(
    context: str, port: int, community: str, users: tuple[tuple[str, str], ...], options: str = ""
) -> tuple[str, ...]:
    """snmpd.conf lines serving SNMPv3 ``context`` by proxying it (v2c) to the agent on
    127.0.0.1:``port``, readable by ``users`` ((name, auth|priv) pairs)."""
    proxy = f"proxy -Cn {context} -v 2c -c {community} {options}127.0.0.1:{port} .1.3"
    return (proxy, *(f"rouser {name} {level} .1 {context}" for name, level in users))


def start_snmpd(
    address: str = LOOPBACK,
    port: int | None = None,
    community: str = COMMUNITY,
    users: tuple[V3User, ...] = V3_USERS,
    more_ports: tuple[int, ...] = (),
    extra_lines: tuple[str, ...] = (),
) -> SnmpdServer:
    """Start snmpd and wait (bounded) until it answers a v2c GET.

    ``more_ports``: further UDP ports it also listens on, so one snmpd can stand in for
    many agents (each (address, port) is its own target to the poller). ``extra_lines``:
    more snmpd.conf lines (e.g. ``proxy -Cn CONTEXT ...`` for an SNMPv3 context)."""
    path = ensure_snmpd()
    port = port or free_udp_port(address)
    workdir = Path(tempfile.mkdtemp(prefix="wardflux-snmpd-"))
    conf = workdir / "snmpd.conf"
    conf.write_text(snmpd_config(address, port, community, users, more_ports, extra_lines))
    persistent = workdir / "persist"
    persistent.mkdir()
    log_path = workdir / "snmpd.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SNMPCONFPATH": str(workdir),
        "SNMP_PERSISTENT_DIR": str(persistent),
        "MIBS": "",
    }
    cmd = [str(path), "-f", "-Lo", "-C", "-c", str(conf), "-p", str(workdir / "snmpd.pid")]
    cmd += ["-I", "-hrSWRunTable,hrSWInstalledTable"]  # big, slow tables we never read
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = SnmpdServer(address, port, community, users, workdir, proc, log_path)
    try:
        _wait_until_answers(server)
    except BaseException:
        stop_snmpd(server)
        raise
    return server


def _wait_until_answers(server: SnmpdServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"snmpd exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        if _answers_v2c(server):
            return
        time.sleep(0.1)
    raise RuntimeError(f"snmpd did not answer within {START_TIMEOUT_S}s:\n{server.log_tail()}")


def _answers_v2c(server: SnmpdServer) -> bool:
    """Send a raw v2c GET sysUpTime.0 and wait briefly for any reply."""
    import socket

    community = server.community.encode()
    oid = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 3, 0])
    varbind = b"\x30" + bytes([len(oid) + 2]) + oid + b"\x05\x00"
    varbinds = b"\x30" + bytes([len(varbind)]) + varbind
    pdu_body = b"\x02\x01\x01\x02\x01\x00\x02\x01\x00" + varbinds
    pdu = b"\xa0" + bytes([len(pdu_body)]) + pdu_body
    msg_body = b"\x02\x01\x01\x04" + bytes([len(community)]) + community + pdu
    msg = b"\x30" + bytes([len(msg_body)]) + msg_body
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        try:
            sock.sendto(msg, (server.address, server.port))
            sock.recvfrom(4096)
        except OSError:
            return False
    return True


def stop_snmpd(server: SnmpdServer, timeout_s: float = 5.0) -> None:
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=timeout_s)
    shutil.rmtree(server.workdir, ignore_errors=True)

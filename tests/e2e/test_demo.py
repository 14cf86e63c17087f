"""`manage.py demo` for real: SQLite, the filesystem broker, a worker, beat, runserver and
seven snmpsim agents, on a temporary var dir and its own loopback /24. Within a bounded
time every device is polled, interface metrics exist, the flapping device's alert fires
and resolves, the admin and the API docs answer; SIGINT then stops every child."""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from monitoring.simnet.demonet import DEMO_DEVICES, FLAPPER, is_port_free

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-e2e-pass-7431"
DEADLINE_S = 210  # the run takes ~100 s with the short timings below
STOP_S = 40


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_network() -> tuple[str, int]:
    for _ in range(20):
        prefix, port = f"127.78.{random.randrange(1, 255)}", random.randrange(20_000, 60_000)
        if is_port_free([f"{prefix}.{d.host}" for d in DEMO_DEVICES], port):
            return prefix, port
    raise RuntimeError("no free loopback /24 and UDP port for the demo network")


def is_running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status.lower()


class Demo:
    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.base = f"http://127.0.0.1:{free_tcp_port()}"
        self.prefix, self.snmp_port = free_network()
        self.api = requests.Session()
        self.output = var_dir / "demo.out"

    def start(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS}
        env.update(
            WARD_VAR_DIR=str(self.var_dir),
            DJANGO_SETTINGS_MODULE="wardflux.settings",
            WARDFLUX_ADMIN_PASSWORD=PASSWORD,
        )
        cmd = [
            sys.executable, "manage.py", "demo", "--addr", self.base.removeprefix("http://"),
            "--net", self.prefix, "--snmp-port", str(self.snmp_port), "--interval", "20",
            "--flap-after", "15", "--flap-for", "50", "--flap-cycles", "1",
        ]  # fmt: skip
        with self.output.open("wb") as out:
            return subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def log(self) -> str:
        text = self.output.read_text(errors="replace")[-3000:]
        worker = self.var_dir / "demo-logs" / "worker.log"
        if worker.exists():
            text += "\n--- worker.log\n" + worker.read_text(errors="replace")[-3000:]
        return text

    def login(self) -> None:
        r = self.api.post(
            f"{self.base}/api/v1/auth/token/",
            json={"username": "admin", "password": PASSWORD},
            timeout=10,
        )
        r.raise_for_status()
        self.api.headers["Authorization"] = f"Bearer {r.json()['access']}"

    def get(self, path: str) -> dict:
        r = self.api.get(f"{self.base}{path}", timeout=10)
        if r.status_code == 401:  # access tokens live 5 minutes; the run is shorter
            self.login()
            r = self.api.get(f"{self.base}{path}", timeout=10)
        r.raise_for_status()
        return r.json()


SERVER_SETTINGS = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "METRICS_BACKEND")


def wait_until_serving(demo: Demo, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"demo exited with {proc.returncode}:\n{demo.log()}"
        try:
            demo.login()
            return
        except requests.RequestException:
            time.sleep(1)
    pytest.fail(f"demo did not serve within {DEADLINE_S}s:\n{demo.log()}")


def observe(demo: Demo) -> dict:
    devices = demo.get("/api/v1/devices/?page_size=100")["results"]
    metrics = demo.get("/api/v1/metrics/query?metric=if_in_bps")["data"]["result"]
    resolved = demo.get("/api/v1/alerts/?state=resolved")["results"]
    return {
        "polled": sorted(d["name"] for d in devices if d["last_polled"]),
        "if_in_bps_devices": sorted({m["metric"]["device"] for m in metrics}),
        "resolved": [(a["device_name"], a["fired_at"], a["resolved_at"]) for a in resolved],
    }


def is_done(seen: dict) -> bool:
    return (
        len(seen["polled"]) == len(DEMO_DEVICES)
        and len(seen["if_in_bps_devices"]) == len(DEMO_DEVICES)
        and any(name == FLAPPER and fired for name, fired, _ in seen["resolved"])
    )


@pytest.mark.e2e
@pytest.mark.timeout(DEADLINE_S + STOP_S + 30)
def test_it_polls_fires_and_resolves_an_alert_and_stops_every_child_on_sigint(tmp_path):
    demo = Demo(tmp_path)
    proc = demo.start()
    deadline = time.monotonic() + DEADLINE_S
    try:
        wait_until_serving(demo, proc, deadline)
        seen: dict = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"demo exited with {proc.returncode}:\n{demo.log()}"
            seen = observe(demo)
            if is_done(seen):
                break
            time.sleep(3)
        assert is_done(seen), f"{json.dumps(seen)}\n{demo.log()}"
        assert requests.get(f"{demo.base}/api/docs/", timeout=10).status_code == 200
        assert admin_index_status(demo.base) == 200
        recorded = json.loads((tmp_path / "demo.pids").read_text())["children"]
        assert {"worker", "beat", f"snmpsim:{FLAPPER}"} <= set(recorded)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=STOP_S) == 0, demo.log()
        left = {label: pid for label, pid in recorded.items() if is_running(pid)}
        assert not left, f"still running after SIGINT: {left}"
        assert not (tmp_path / "demo.pids").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run(
            [sys.executable, "manage.py", "demo", "--stop"],
            cwd=ROOT,
            env={**os.environ, "WARD_VAR_DIR": str(tmp_path)},
            capture_output=True,
            timeout=60,
        )


def admin_index_status(base: str) -> int:
    """Log in through the admin's own form (CSRF and all) and open the index."""
    browser = requests.Session()
    browser.get(f"{base}/admin/login/", timeout=10)
    r = browser.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "next": "/admin/",
        },
        headers={"Referer": f"{base}/admin/login/"},
        timeout=10,
    )
    assert r.url == f"{base}/admin/", r.url
    return browser.get(f"{base}/admin/", timeout=10).status_code

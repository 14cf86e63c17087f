"""The embedded default for real: SQLite, the filesystem broker, a worker and beat as
separate processes; health turns green once beat has sent and a worker has run the heartbeat."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEALTH = (
    "import json; from django.test import Client; "
    "r = Client().get('/api/v1/health'); print(json.dumps([r.status_code, r.json()]))"
)


def run_manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.e2e
def test_it_reports_workers_and_beat_healthy_on_the_embedded_broker(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(WARD_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="wardflux.settings")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    run_manage(env, "migrate", "-v0")
    status, body = json.loads(run_manage(env, "shell", "-c", HEALTH).strip().splitlines()[-1])
    assert status == 503 and body["components"]["workers"]["ok"] is False
    celery = [sys.executable, "-m", "celery", "-A", "wardflux"]
    procs = [
        subprocess.Popen([*celery, "worker", "-Q", "celery", "--concurrency", "1", "-l", "INFO"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([*celery, "beat", "-l", "INFO", "-s", str(tmp_path / "beat-state")],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = json.loads(
                run_manage(env, "shell", "-c", HEALTH).strip().splitlines()[-1]
            )
            if status == 200:
                break
            time.sleep(2)
        assert status == 200, json.dumps(body["components"])
        assert body["components"]["broker"]["transport"] == "filesystem"
        assert body["components"]["workers"]["heartbeat_age_s"] < 45
        assert body["components"]["beat"]["last_tick_age_s"] < 35
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()

"""The production web server as deploy/ runs it: gunicorn with the uvicorn worker serving the
ASGI app under production settings: HTTP (health, the API) and the console's WebSocket."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
# Committed data for the server process; every transactional test here rolls back serialized
# data, or a later one would meet the content types a flush re-created.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gunicorn_uvicorn_serves_http_and_refuses_anonymous_websockets(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wardflux.settings.production",
        "SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
        "WARD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "WARD_VAR_DIR": str(tmp_path),
    }
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{name}"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "wardflux.asgi:application", "-k", "uvicorn_worker.UvicornWorker",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "75"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/api/v1/health", timeout=5)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.3)
        assert health.status_code in (200, 503)
        assert json.loads(health.content)["components"]["database"]["ok"] is True
        assert requests.get(f"{base}/api/v1/devices/", timeout=5).status_code == 401
        assert (
            requests.get(f"{base}/static/console/vendor/htmx.min.js", timeout=5).status_code == 200
        )
        ws = requests.get(
            f"{base}/ws/board/",
            headers={"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
            timeout=5,
        )  # fmt: skip
        # An anonymous socket is refused by the consumer (403), not by a server that can't upgrade.
        assert ws.status_code == 403, ws.status_code
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

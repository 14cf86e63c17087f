"""PostgreSQL restarted under a running web server, worker and beat (a private cluster,
never the machine's shared one): the API answers again and the worker polls again, with
no restart of their own (CONN_HEALTH_CHECKS drops the dead connections)."""

import time

import pytest
import requests

from tests.servers.ports import free_tcp_port
from tests.servers.postgres import start_or_fail

from .conftest import migrate
from .stack import admin_sql, wait_for

INTERVAL_S = 2
DOWN_S = 3
PASSWORD = "correct horse 42"


@pytest.mark.e2e
@pytest.mark.timeout(150)
def test_web_and_worker_recover_by_themselves_when_postgresql_restarts(make_stack, snmpd):
    pg = start_or_fail()
    stack = None
    try:
        admin_sql(pg.url("").rstrip("/"), 'CREATE DATABASE "wardflux"')
        stack = make_stack(database_url=pg.url("wardflux"))
        migrate(pg.url("wardflux"), stack.env["WARD_VAR_DIR"])
        stack.call("add_user", username="noc", password=PASSWORD, role="viewer")
        agent = {"port": snmpd.port, "community": snmpd.community, "interval": INTERVAL_S}
        stack.call("add_devices", devices=[{"name": "pg1", "group": "default", **agent}])
        port = free_tcp_port()
        web = stack.web(port)
        worker = stack.worker("poller", "poll.default")
        beat = stack.beat()
        api = f"http://127.0.0.1:{port}/api/v1"
        token = requests.post(
            f"{api}/auth/token/", json={"username": "noc", "password": PASSWORD}, timeout=10
        ).json()["access"]
        attempts = []

        def api_answers() -> bool:
            try:
                r = requests.get(
                    f"{api}/devices/", headers={"Authorization": f"Bearer {token}"}, timeout=5
                )
            except requests.RequestException as exc:
                attempts.append(repr(exc))
                return False
            attempts.append(r.status_code)
            return r.status_code == 200 and r.json()["count"] == 1

        assert api_answers(), attempts
        wait_for(lambda: [p for p in worker.polls() if p["ok"] == "True"], 20, "a first poll")

        pg.restart(down_s=DOWN_S)
        since = worker.mark()
        back = time.monotonic()
        attempts.clear()
        wait_for(api_answers, 15, "the API to answer after the restart", every_s=0.2)
        api_s = time.monotonic() - back
        wait_for(
            lambda: [p for p in worker.polls(since) if p["ok"] == "True"], 30,
            "the worker to poll again after the restart",
        )  # fmt: skip
        poll_s = time.monotonic() - back
        assert web.alive() and worker.alive() and beat.alive(), "a process died"
        print(
            f"after the restart: API answered in {api_s:.1f}s (attempts {attempts}), "
            f"worker polled in {poll_s:.1f}s"
        )
        assert attempts[0] == 200, f"the first request after the restart failed: {attempts}"
    finally:
        if stack is not None:
            for proc in stack.procs:
                stack.stop(proc)  # before their database goes away under them
        pg.cleanup()

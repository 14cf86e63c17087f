import time

from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from wardflux import health
from wardflux.tasks import BEAT_TICK_KEY, HEARTBEAT_KEY


def test_it_answers_200_with_the_database_ok_without_auth(db):
    # What a live worker running beat's heartbeat leaves (tests/e2e runs the real processes).
    cache.set_many({HEARTBEAT_KEY: time.time(), BEAT_TICK_KEY: time.time()})
    resp = APIClient().get("/api/v1/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert body["components"]["database"]["ok"] is True
    assert body["components"]["database"]["vendor"] == connection.vendor
    assert body["components"]["database"]["latency_ms"] >= 0


def test_it_answers_503_naming_the_component_when_a_check_fails(db, monkeypatch):
    def broken() -> dict:
        raise ConnectionRefusedError("nobody listening on 127.0.0.1:1")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    resp = APIClient().get("/api/v1/health")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "degraded"
    assert body["components"]["broker"]["ok"] is False
    assert "ConnectionRefusedError" in body["components"]["broker"]["error"]
    assert body["components"]["database"]["ok"] is True


def test_a_check_reporting_not_ok_also_gives_503(db, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "beat", lambda: {"ok": False, "last_tick_s": 900})
    assert APIClient().get("/api/v1/health").status_code == 503


def test_it_reports_workers_and_beat_down_without_a_recent_heartbeat(db):
    cache.delete_many([HEARTBEAT_KEY, BEAT_TICK_KEY])
    body = APIClient().get("/api/v1/health").json()
    assert body["components"]["workers"]["ok"] is False
    assert body["components"]["beat"]["ok"] is False
    cache.set_many({HEARTBEAT_KEY: time.time() - 600, BEAT_TICK_KEY: time.time() - 600})
    body = APIClient().get("/api/v1/health").json()
    assert body["components"]["workers"]["heartbeat_age_s"] >= 600
    assert body["components"]["beat"]["ok"] is False

from django.db import connection
from rest_framework.test import APIClient

from wardflux import health


def test_it_answers_200_with_the_database_ok_without_auth(db):
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

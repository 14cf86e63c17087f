"""Component health checks behind /api/v1/health.

Each check returns a dict with at least `ok`; the view adds its latency. Apps add
their checks with @health_check("name") at import time (from their AppConfig.ready).
"""

import time
from collections.abc import Callable

from django.db import connection

CHECKS: dict[str, Callable[[], dict]] = {}


def health_check(name: str):
    def register(fn: Callable[[], dict]) -> Callable[[], dict]:
        CHECKS[name] = fn
        return fn

    return register


@health_check("database")
def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def run_checks() -> tuple[bool, dict]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = dict(check())
        except Exception as exc:  # a failing component is a result, not a crash
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        results[name] = result
    return all(r["ok"] for r in results.values()), results

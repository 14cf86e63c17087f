"""A separate metrics database, set up as the deploy docs say: `manage.py migrate` for
the configuration database, then `manage.py migrate --database=metrics` for
METRICS_DATABASE_URL's. The metrics database gets the store's tables and nothing else
(beat's rows and the other apps' tables stay in the configuration database), and the
store then writes and rolls up there. Real processes on fresh databases of the test
PostgreSQL server."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
WRITE = """
import time
from monitoring.metrics import store
from monitoring.metrics.samples import label_set
from monitoring.metrics.tasks import apply_retention, rollup_trends
now = time.time()
r1 = label_set(device="R1", ip="127.0.0.1")
store.write([r1.sample("sep_db_test", now - 5400 + i * 60, float(i)) for i in range(60)])
print(len(store.query("sep_db_test", {"device": "R1"})), rollup_trends(), apply_retention())
"""


def server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def sql(url: str, query: str) -> list:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(query)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def two_databases():
    names = [f"wf_sep_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("config", "metrics")]
    admin = server_url("postgres")
    for name in names:
        sql(admin, f'CREATE DATABASE "{name}"')
    try:
        yield [server_url(name) for name in names]
    finally:
        for name in names:
            sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, f"manage.py {' '.join(args)} failed:\n{run.stderr[-3000:]}"
    return run.stdout


def test_migrate_database_metrics_makes_the_store_tables_only_and_the_store_uses_them(
    two_databases, tmp_path
):
    config_url, metrics_url = two_databases
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wardflux.settings",
        "DATABASE_URL": config_url,
        "METRICS_DATABASE_URL": metrics_url,
        "METRICS_BACKEND": "sql",
        "WARD_VAR_DIR": str(tmp_path),
    }
    manage(env, "migrate", "-v0")
    manage(env, "migrate", "--database=metrics", "-v0")
    tables = {
        t
        for (t,) in sql(metrics_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    assert tables == {
        "django_migrations", "metrics_metricseries", "metrics_metricsample",
        "metrics_metrictrend", "metrics_rollupstate",
    }  # fmt: skip
    beat = {n for (n,) in sql(config_url, "SELECT name FROM django_celery_beat_periodictask")}
    assert {"metrics:rollup", "metrics:retention", "metrics:replay-spool"} <= beat

    printed = manage(env, "shell", "-c", WRITE).splitlines()[-1].split()
    assert printed[0] == "1"  # the series is read back
    count = "SELECT count(*) FROM metrics_metricsample"
    assert sql(metrics_url, count) == [(60,)]
    assert sql(config_url, count) == [(0,)]  # nothing in the configuration database
    assert sql(metrics_url, "SELECT count(*) FROM metrics_metrictrend")[0][0] >= 1

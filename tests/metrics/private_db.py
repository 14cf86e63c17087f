"""The SQL metrics store on a private PostgreSQL cluster that a test may stop.

The store is pointed at it through METRICS_SQL_DATABASE (a separate metrics database,
a real configuration), under an alias added for the module only: the project's own
test database stays on the shared server and untouched. Statements run in autocommit,
not inside a test transaction, so foreign keys are checked at real commits.
"""

from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from monitoring.metrics import hooks
from monitoring.metrics.models import MetricSample, MetricSeries, MetricTrend, RollupState
from tests.servers.ports import LOOPBACK
from tests.servers.postgres import PostgresServer, start_or_fail

ALIAS = "metrics_private"
# The store's tables only: `migrate` would also run other apps' post_migrate handlers,
# some of which (django-celery-beat's unique checks) query the default database.
MODELS = (MetricSeries, MetricSample, MetricTrend, RollupState)


@dataclass
class PrivateMetricsDB:
    pg: PostgresServer
    alias: str
    spool_dir: Path

    def empty(self) -> None:
        tables = [m._meta.db_table for m in MODELS]
        with connections[self.alias].cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)}")


def _add_alias(port: int) -> None:
    config = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "metrics",
        "USER": "postgres",
        "HOST": LOOPBACK,
        "PORT": port,
    }
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, ALIAS: config})
    connections.settings[ALIAS] = configured[ALIAS]


def _drop_alias() -> None:
    connections[ALIAS].close()
    del connections.settings[ALIAS]
    if hasattr(connections._connections, ALIAS):
        delattr(connections._connections, ALIAS)


@pytest.fixture(scope="module")
def private_metrics_db(django_db_blocker, tmp_path_factory):
    pg = start_or_fail()
    spool_dir = tmp_path_factory.mktemp("spool")
    try:
        with psycopg.connect(pg.url(), autocommit=True) as admin:
            admin.execute('CREATE DATABASE "metrics"')
        _add_alias(pg.port)
        with (
            django_db_blocker.unblock(),
            override_settings(
                METRICS_BACKEND="sql", METRICS_SQL_DATABASE=ALIAS, METRICS_SPOOL_DIR=spool_dir
            ),
        ):
            with connections[ALIAS].schema_editor() as editor:
                for model in MODELS:
                    editor.create_model(model)
            yield PrivateMetricsDB(pg, ALIAS, spool_dir)
    finally:
        if ALIAS in connections.settings:
            _drop_alias()
        pg.cleanup()


@pytest.fixture
def metrics_db(private_metrics_db, monkeypatch):
    """The private metrics database, emptied, with the server running.

    After-write hooks (the alert engine) read the configuration database, which these
    tests do not set up: they are off here, and tested with the default database.
    """
    monkeypatch.setattr(hooks, "AFTER_WRITE", [])
    if not (private_metrics_db.pg.data / "postmaster.pid").exists():
        private_metrics_db.pg.start()
    private_metrics_db.empty()
    return private_metrics_db

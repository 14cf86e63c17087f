"""Which database the SQL metrics store uses: settings.METRICS_SQL_DATABASE (an alias).

"default" keeps metrics history beside the configuration; another alias puts it in its
own database (METRICS_DATABASE_URL), so a large history never slows configuration
queries and the two can be backed up and sized apart. A metrics database that goes
away only sends samples to the spool.

sql.py uses `connection` and `transaction.atomic()` as it would Django's; the two
names below resolve to the metrics alias at each use (like django.db.connection does
for "default"), so every statement of the store, including code written against
Django's defaults, reaches one database, and a settings override takes effect at once.
MetricsRouter does the same for the ORM (MetricSeries, RollupState, ...).
"""

from django.conf import settings
from django.db import connections
from django.db import transaction as django_transaction

__all__ = ["MetricsRouter", "alias", "connection", "transaction"]


def alias() -> str:
    return getattr(settings, "METRICS_SQL_DATABASE", "default")


class _MetricsConnection:
    """connections[alias()], looked up at each attribute access."""

    def __getattr__(self, name):
        return getattr(connections[alias()], name)

    def __setattr__(self, name, value):
        setattr(connections[alias()], name, value)

    def __eq__(self, other):
        return connections[alias()] == other

    def __hash__(self):
        return hash(connections[alias()])


class _MetricsTransaction:
    """transaction.atomic() on the metrics alias unless told otherwise."""

    @staticmethod
    def atomic(using=None, savepoint=True, durable=False):
        return django_transaction.atomic(using or alias(), savepoint, durable)


connection = _MetricsConnection()
transaction = _MetricsTransaction()


class MetricsRouter:
    """Reads and writes of the `metrics` app's models go to the metrics alias.

    A separate metrics database (`manage.py migrate --database=metrics`) gets the
    metrics app's tables only: the other apps' tables, data migrations and post-migrate
    rows (beat schedules, permissions, cache table) belong to the configuration
    database, and creating them there would make a second, unused copy (or fail, where
    a model's checks read the default database). The default database gets every app,
    the metrics tables too, so METRICS_SQL_DATABASE can be switched back.
    """

    def db_for_read(self, model, **hints):
        return alias() if model._meta.app_label == "metrics" else None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        metrics = alias()
        if metrics == "default" or db != metrics:
            return None  # Django's default: every app
        return app_label == "metrics"

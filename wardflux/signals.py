"""Keep the database cache table and the heartbeat schedule present wherever migrations run."""

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def after_migrate(sender, using: str = "default", **kwargs) -> None:
    if sender.name != "wardflux":
        return
    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)
    if using != DEFAULT_DB_ALIAS:
        return  # the heartbeat row is the configuration database's (a metrics database's isn't)
    from .liveness import ensure_heartbeat_schedule

    ensure_heartbeat_schedule()


@receiver(post_migrate)
def sync_role_groups(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Runs after each app's permissions exist; the last app's run sees them all.
    # Groups live in the default database: migrating another (METRICS_SQL_DATABASE's)
    # must not touch them.
    if using != DEFAULT_DB_ALIAS:
        return
    from .role_permissions import sync_role_permissions

    sync_role_permissions()

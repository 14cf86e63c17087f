"""Keep the database cache table present wherever migrations run (tests included)."""

from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_cache_table(sender, using: str = "default", **kwargs) -> None:
    if sender.name != "wardflux":
        return
    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


@receiver(post_migrate)
def sync_role_groups(sender, **kwargs) -> None:
    # Runs after each app's permissions exist; the last app's run sees them all.
    from .role_permissions import sync_role_permissions

    sync_role_permissions()

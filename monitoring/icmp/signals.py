"""Keep the ICMP beat row present wherever migrations run (connected in MonitoringConfig)."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from monitoring.icmp.schedule import ensure_icmp_schedule


@receiver(post_migrate, dispatch_uid="monitoring.icmp.ensure_icmp_schedule")
def create_icmp_schedule(sender, using: str = "default", **kwargs) -> None:
    if sender.name != "monitoring" or using != DEFAULT_DB_ALIAS:
        return  # beat reads the configuration database (not a separate metrics one)
    ensure_icmp_schedule(using)

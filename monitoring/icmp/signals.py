"""Keep the ICMP beat row present wherever migrations run (connected in MonitoringConfig)."""

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from monitoring.icmp.schedule import ensure_icmp_schedule


@receiver(post_migrate, dispatch_uid="monitoring.icmp.ensure_icmp_schedule")
def create_icmp_schedule(sender, using: str = "default", **kwargs) -> None:
    if sender.name != "monitoring":
        return
    ensure_icmp_schedule(using)

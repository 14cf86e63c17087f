"""Rule changes move their beat schedule with them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import DiscoveryRule
from .schedule import remove_rule_schedule, sync_rule_schedule


@receiver(post_save, sender=DiscoveryRule, dispatch_uid="discovery_rule_schedule")
def rule_saved(sender, instance: DiscoveryRule, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    sync_rule_schedule(instance)


@receiver(post_delete, sender=DiscoveryRule, dispatch_uid="discovery_rule_unschedule")
def rule_deleted(sender, instance: DiscoveryRule, **kwargs) -> None:
    remove_rule_schedule(instance.pk)

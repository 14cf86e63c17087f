from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from . import hooks, snapshot

        hooks.register()
        _watch_for_snapshot(snapshot.changed)


def _watch_for_snapshot(receiver) -> None:
    """What the engine's per-process snapshot holds: rules with their scopes and channels,
    channels (enabled), devices with their tags, and items (templates a scope names)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from monitoring.models import Device, MonitoringItem

    from .models import AlertRule, NotificationChannel

    for model in (AlertRule, NotificationChannel, Device, MonitoringItem):
        uid = f"alerts_snapshot_{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}_saved", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_deleted", weak=False)
    for through in (
        AlertRule.devices.through,
        AlertRule.tags.through,
        AlertRule.templates.through,
        AlertRule.channels.through,
        Device.tags.through,
    ):
        uid = f"alerts_snapshot_{through.__name__}"
        m2m_changed.connect(receiver, sender=through, dispatch_uid=uid, weak=False)

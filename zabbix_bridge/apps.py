from django.apps import AppConfig


class ZabbixBridgeConfig(AppConfig):
    name = "zabbix_bridge"
    verbose_name = "Zabbix bridge"

    def ready(self) -> None:
        from alerts.signals import alert_acknowledged

        from . import health, signals  # noqa: F401 - registers the receivers and the check
        from .acks import on_alert_acknowledged

        alert_acknowledged.connect(on_alert_acknowledged, dispatch_uid="zabbix_bridge_ack")

from django.apps import AppConfig


class ZabbixBridgeConfig(AppConfig):
    name = "zabbix_bridge"
    verbose_name = "Zabbix bridge"

    def ready(self) -> None:
        from . import health, signals  # noqa: F401 - registers the receivers and the check

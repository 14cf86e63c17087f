from django.apps import AppConfig


class ZabbixBridgeConfig(AppConfig):
    name = "zabbix_bridge"
    verbose_name = "Zabbix bridge"

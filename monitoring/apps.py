from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from .icmp import health, signals  # noqa: F401 - @health_check("icmp"), post_migrate

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the schedule receivers)
        from .icmp import health as icmp_health  # noqa: F401  (@health_check("icmp"))
        from .icmp import signals as icmp_signals  # noqa: F401  (post_migrate: beat row)

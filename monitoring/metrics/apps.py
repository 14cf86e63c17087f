from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """The metrics store as its own app (label `metrics`), so its migrations never
    collide with the inventory's in monitoring/migrations."""

    name = "monitoring.metrics"
    label = "metrics"
    verbose_name = "Metrics store"

    def ready(self) -> None:
        from . import health  # noqa: F401  (registers the `metrics` health check)

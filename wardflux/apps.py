from django.apps import AppConfig


class WardfluxConfig(AppConfig):
    name = "wardflux"
    verbose_name = "WARD FLUX"

    def ready(self) -> None:
        from . import liveness, signals  # noqa: F401  (register health checks and receivers)

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Web console"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the live-board receivers)

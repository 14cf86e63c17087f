"""Console display choices: the board's tile states and their colours."""

from django.db import models

from alerts.choices import Severity


class TileState(models.TextChoices):
    """A device's state on the board: its ICMP status, or maintenance when a window covers it."""

    DOWN = "down", "Down"
    UNREACHABLE = "unreachable", "Unreachable"
    UP = "up", "Up"
    UNKNOWN = "unknown", "Unknown"
    MAINTENANCE = "maintenance", "In maintenance"


# Worst first: the board sorts and counts in this order.
TILE_ORDER = [
    TileState.DOWN,
    TileState.UNREACHABLE,
    TileState.UNKNOWN,
    TileState.MAINTENANCE,
    TileState.UP,
]
SEVERITY_ORDER = [
    Severity.DISASTER,
    Severity.HIGH,
    Severity.AVERAGE,
    Severity.WARNING,
    Severity.INFO,
]
SEVERITY_RANK = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}

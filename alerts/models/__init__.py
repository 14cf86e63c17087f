from .alerts import Alert, AlertSeries, NotificationAttempt, SeriesLastSeen
from .channels import SECRET_KEYS, NotificationChannel
from .maintenance import MaintenanceWindow
from .rules import AlertRule

__all__ = [
    "SECRET_KEYS",
    "Alert",
    "AlertRule",
    "AlertSeries",
    "MaintenanceWindow",
    "NotificationAttempt",
    "NotificationChannel",
    "SeriesLastSeen",
]

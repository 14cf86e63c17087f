"""Choices for alert fields: compare with the constants, never bare strings."""

from django.db import models


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    AVERAGE = "average", "Average"
    HIGH = "high", "High"
    DISASTER = "disaster", "Disaster"


class Operator(models.TextChoices):
    GT = ">", ">"
    GE = ">=", ">="
    LT = "<", "<"
    LE = "<=", "<="
    EQ = "==", "=="
    NE = "!=", "!="


class BuiltinCondition(models.TextChoices):
    """Conditions a rule names in `metric` instead of a metric name."""

    DEVICE_DOWN = "device_down", "Device down (ICMP)"
    SNMP_UNREACHABLE = "snmp_unreachable", "Device unreachable by SNMP"
    INTERFACE_DOWN = "interface_down", "Interface down"
    NO_DATA = "no_data", "Item missing data"


class AlertState(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


OPEN_STATES = (AlertState.PENDING, AlertState.FIRING)


class SuppressedReason(models.TextChoices):
    PARENT_DOWN = "parent_down", "Parent device down"
    MAINTENANCE = "maintenance", "In a maintenance window"
    FLAPPING = "flapping", "Flapping"


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    TELEGRAM = "telegram", "Telegram"
    SMS = "sms", "SMS gateway"


class NotificationEvent(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"
    TEST = "test", "Test"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed, not sent"


class Recurrence(models.TextChoices):
    NONE = "none", "Once"
    WEEKLY = "weekly", "Weekly"

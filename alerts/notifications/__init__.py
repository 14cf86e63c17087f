"""Transports: one module per kind, each with `notify(channel, alert, event) -> None`.

A transport raises PermanentError when retrying cannot help (a 4xx, a refused address,
bad settings) and TransientError when it may (timeouts, 5xx, connection refused), so the
task knows whether to back off and retry or stop. Error messages never carry secrets.
"""

from importlib import import_module


class NotificationError(Exception):
    pass


class PermanentError(NotificationError):
    """Retrying will not help."""


class TransientError(NotificationError):
    """Retrying later may help."""


KINDS = ("email", "webhook", "slack", "teams", "telegram", "sms")


def transport(kind: str):
    if kind not in KINDS:
        raise PermanentError(f"unknown channel kind {kind!r}")
    return import_module(f"{__name__}.{kind}")


def notify(channel, alert, event: str) -> None:
    transport(channel.kind).notify(channel, alert, event)


def settings_errors(kind: str, settings: dict) -> dict[str, str]:
    """Field-keyed problems with a channel's (plain) settings; empty when usable."""
    if kind not in KINDS:
        return {"kind": f"One of {', '.join(KINDS)}."}
    if not isinstance(settings, dict):
        return {"settings": "An object."}
    return transport(kind).settings_errors(settings)

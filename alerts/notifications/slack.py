"""Slack incoming webhook: a coloured attachment with the facts as fields."""

from . import message
from .http import post_to_webhook_url, webhook_url_errors


def body(alert, event: str) -> dict:
    p = message.payload(alert, event)
    fields = [
        {"title": "Device", "value": f"{p['device']} ({p['ip']})", "short": True},
        {"title": "Severity", "value": p["severity"], "short": True},
        {"title": "Value", "value": str(p["value"]), "short": True},
        {"title": "Rule", "value": p["rule"], "short": True},
    ]
    return {
        "text": message.headline(alert, event),
        "attachments": [
            {
                "color": message.colour(alert, event),
                "title": message.headline(alert, event),
                "title_link": p["url"],
                "fields": fields,
                "footer": "WARD FLUX",
            }
        ],
    }


def notify(channel, alert, event: str) -> None:
    post_to_webhook_url(channel, body(alert, event))


settings_errors = webhook_url_errors

"""Microsoft Teams (Workflows or connector webhook): an Adaptive Card in a message."""

from . import message
from .http import post_to_webhook_url, webhook_url_errors


def body(alert, event: str) -> dict:
    p = message.payload(alert, event)
    facts = [
        {"title": "Device", "value": f"{p['device']} ({p['ip']})"},
        {"title": "Rule", "value": p["rule"]},
        {"title": "Severity", "value": p["severity"]},
        {"title": "Value", "value": str(p["value"])},
        {"title": "Started", "value": str(p["started_at"])},
    ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": message.headline(alert, event),
                "weight": "Bolder",
                "wrap": True,
                "color": "Good" if event == "resolved" else "Attention",
            },
            {"type": "FactSet", "facts": facts},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open in WARD FLUX", "url": p["url"]}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def notify(channel, alert, event: str) -> None:
    post_to_webhook_url(channel, body(alert, event))


settings_errors = webhook_url_errors

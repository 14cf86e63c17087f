"""Slack incoming webhook: a coloured attachment with the facts as fields."""

from . import message
from .http import body_of, post, url_error


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
    conf = channel.plain_settings()
    post(conf.get("webhook_url", ""), body_of(body(alert, event)), https_only=True)


def settings_errors(conf: dict) -> dict[str, str]:
    problem = url_error(conf.get("webhook_url"), https_only=True)
    return {"webhook_url": problem} if problem else {}

"""SMS through a configurable HTTP gateway: POST {"to": [...], "text": ...}.

`api_key`, when set, goes as a bearer token. The short text fits one SMS where it can.
"""

from . import message
from .http import body_of, post, url_error

SMS_LENGTH = 160


def notify(channel, alert, event: str) -> None:
    conf = channel.plain_settings()
    text = message.headline(alert, event)
    value = message.payload(alert, event)["value"]
    if value is not None:
        text = f"{text} value={value}"
    headers = {"Authorization": f"Bearer {conf['api_key']}"} if conf.get("api_key") else {}
    body = body_of({"to": list(conf.get("to") or []), "text": text[:SMS_LENGTH]})
    post(conf.get("url", ""), body, headers)


def settings_errors(conf: dict) -> dict[str, str]:
    errors = {}
    problem = url_error(conf.get("url"))
    if problem:
        errors["url"] = problem
    to = conf.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(n, str) and n for n in to):
        errors["to"] = "A list of phone numbers."
    return errors

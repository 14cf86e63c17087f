"""Generic webhook: the JSON facts, signed with HMAC-SHA256 of the exact body bytes."""

import hashlib
import hmac

from . import message
from .http import body_of, post, url_error

SIGNATURE_HEADER = "X-Wardflux-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notify(channel, alert, event: str) -> None:
    conf = channel.plain_settings()
    body = body_of(message.payload(alert, event))
    headers = {"X-Wardflux-Event": event}
    if conf.get("secret"):
        headers[SIGNATURE_HEADER] = sign(conf["secret"], body)
    post(conf.get("url", ""), body, headers)


def settings_errors(conf: dict) -> dict[str, str]:
    problem = url_error(conf.get("url"))
    return {"url": problem} if problem else {}

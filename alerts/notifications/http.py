"""HTTP for transports: http(s) URLs only, no redirects, status mapped to retry or stop."""

import ipaddress
import json
from urllib.parse import urlsplit

import requests
from django.conf import settings

from . import PermanentError, TransientError

USER_AGENT = "WARD FLUX alerts"
# Worth retrying: timeouts, rate limits and server errors.
RETRY_STATUSES = frozenset({408, 425, 429})


def url_error(url, *, https_only: bool = False) -> str:
    """Why `url` may not be used ('' when fine). Plain http is allowed to loopback only
    for https-only services (Slack, Teams, Telegram), so they can be tested locally."""
    if not isinstance(url, str) or not url:
        return "A URL is required."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "Only http and https URLs are allowed."
    if not parts.hostname:
        return "The URL has no host."
    if https_only and parts.scheme == "http" and not is_loopback(parts.hostname):
        return "This service needs an https URL."
    return ""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str).encode()


def post(url: str, body: bytes, headers: dict | None = None, https_only: bool = False) -> None:
    problem = url_error(url, https_only=https_only)
    if problem:
        raise PermanentError(problem)
    host = urlsplit(url).hostname
    all_headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
    try:
        resp = requests.post(
            url,
            data=body,
            headers=all_headers,
            timeout=settings.ALERTS_HTTP_TIMEOUT_S,
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise TransientError(f"timed out talking to {host}") from exc
    except requests.RequestException as exc:
        # The exception text may hold the full URL (a Slack URL is a secret): name the host.
        raise TransientError(f"cannot reach {host}: {type(exc).__name__}") from exc
    status = resp.status_code
    if 200 <= status < 300:
        return
    if status >= 500 or status in RETRY_STATUSES:
        raise TransientError(f"HTTP {status} from {host}")
    raise PermanentError(f"HTTP {status} from {host}")


def post_to_webhook_url(channel, payload: dict) -> None:
    """Chat services' incoming webhooks (Slack, Teams): the URL is the secret setting."""
    conf = channel.plain_settings()
    post(conf.get("webhook_url", ""), body_of(payload), https_only=True)


def webhook_url_errors(conf: dict) -> dict[str, str]:
    problem = url_error(conf.get("webhook_url"), https_only=True)
    return {"webhook_url": problem} if problem else {}

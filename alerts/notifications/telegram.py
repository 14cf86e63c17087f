"""Telegram Bot API sendMessage, HTML formatted. `api_url` exists for tests and proxies."""

from html import escape

from . import message
from .http import body_of, post, url_error

DEFAULT_API_URL = "https://api.telegram.org"


def body(alert, event: str, chat_id) -> dict:
    p = message.payload(alert, event)
    html = (
        f"<b>{escape(message.headline(alert, event))}</b>\n"
        f"Device: {escape(p['device'])} ({escape(str(p['ip']))})\n"
        f"Value: {escape(str(p['value']))}\n"
        f'<a href="{escape(p["url"])}">Open in WARD FLUX</a>'
    )
    return {
        "chat_id": chat_id,
        "text": html,
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
    }


def notify(channel, alert, event: str) -> None:
    conf = channel.plain_settings()
    base = (conf.get("api_url") or DEFAULT_API_URL).rstrip("/")
    url = f"{base}/bot{conf.get('token', '')}/sendMessage"
    post(url, body_of(body(alert, event, conf.get("chat_id"))), https_only=True)


def settings_errors(conf: dict) -> dict[str, str]:
    errors = {}
    if not conf.get("token"):
        errors["token"] = "The bot token is required."
    if not conf.get("chat_id"):
        errors["chat_id"] = "The chat id is required."
    if conf.get("api_url"):
        problem = url_error(conf["api_url"], https_only=True)
        if problem:
            errors["api_url"] = problem
    return errors

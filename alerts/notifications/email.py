"""Email through Django's mail backend (SMTP in production)."""

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from . import PermanentError, TransientError, message


def notify(channel, alert, event: str) -> None:
    conf = channel.plain_settings()
    mail = EmailMessage(
        subject=message.headline(alert, event),
        body=message.text(alert, event),
        from_email=conf.get("from") or settings.ALERTS_EMAIL_FROM,
        to=list(conf.get("to") or []),
    )
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"recipients refused: {', '.join(exc.recipients)}") from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is a final answer from the server; 4xx asks us to try again later.
        error = PermanentError if exc.smtp_code >= 500 else TransientError
        raise error(f"SMTP {exc.smtp_code}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP: {type(exc).__name__}") from exc


def settings_errors(conf: dict) -> dict[str, str]:
    to = conf.get("to")
    if not isinstance(to, list) or not to:
        return {"to": "A list of email addresses."}
    try:
        for address in to:
            validate_email(address)
    except ValidationError:
        return {"to": "A list of email addresses."}
    return {}

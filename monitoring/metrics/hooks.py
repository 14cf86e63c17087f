"""What runs after samples are stored: a registry other apps append to.

The alert engine calls register_after_write(evaluate) from its AppConfig.ready();
by default the list is empty and after_write does nothing. Hooks get the batch as
written (validated, `ip` added); a failing hook is logged and never undoes a write.
"""

import logging
from collections.abc import Callable

from .samples import Sample

log = logging.getLogger(__name__)

AFTER_WRITE: list[Callable[[list[Sample]], None]] = []


def register_after_write(hook: Callable[[list[Sample]], None]) -> None:
    if hook not in AFTER_WRITE:
        AFTER_WRITE.append(hook)


def unregister_after_write(hook: Callable[[list[Sample]], None]) -> None:
    if hook in AFTER_WRITE:
        AFTER_WRITE.remove(hook)


def after_write(samples: list[Sample]) -> None:
    for hook in list(AFTER_WRITE):
        try:
            hook(samples)
        except Exception:
            log.exception("metrics after_write hook %r failed", hook)

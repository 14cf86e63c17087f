"""Default settings: the embedded default unless the environment says otherwise."""

from .base import *  # noqa: F401,F403

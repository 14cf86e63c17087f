"""kombu's filesystem transport with atomic writes: the embedded default's broker.

kombu writes a message straight into the queue folder (open, then write), while a consumer
in another process may already have moved the new, still empty file away and parsed it:
JSONDecodeError, and the worker's consumer dies ("Unrecoverable error"). Seen under
`make demo` within minutes, with beat and a worker publishing at once. Here the message is
written to a staging folder beside the queue folder and renamed into it: rename within one
file system is atomic, so a consumer sees a complete file or none.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

STAGING = ".staging"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        staging = os.path.join(os.path.dirname(self.data_folder_out.rstrip("/")), STAGING)
        os.makedirs(staging, exist_ok=True)
        temp = os.path.join(staging, name)
        try:
            with open(temp, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(temp, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make filesystem:// URLs use this transport (kombu resolves transports by alias)."""
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"

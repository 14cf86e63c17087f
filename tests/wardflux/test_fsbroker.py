"""The embedded broker under a concurrent publisher: every message arrives whole.

kombu's own filesystem transport lets a consumer take a message file before its writer
has written it (JSONDecodeError kills the worker's consumer); ours renames finished files in.
"""

import multiprocessing
import time
from pathlib import Path

from kombu import Connection

from wardflux.fsbroker import STAGING

MESSAGES = 1500
DEADLINE_S = 60


def options(root: Path) -> dict:
    for sub in ("queue", "processed"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
    }


def publish(root: str, count: int) -> None:
    with Connection(
        transport="wardflux.fsbroker:Transport", transport_options=options(Path(root))
    ) as conn:
        queue = conn.SimpleQueue("race")
        for n in range(count):
            queue.put({"n": n, "pad": "x" * 200_000})
        queue.close()


def test_a_consumer_racing_a_publisher_gets_every_message_whole(tmp_path):
    publisher = multiprocessing.get_context("spawn").Process(
        target=publish, args=(str(tmp_path), MESSAGES)
    )
    seen: set[int] = set()
    with Connection(
        transport="wardflux.fsbroker:Transport", transport_options=options(tmp_path)
    ) as conn:
        queue = conn.SimpleQueue("race")
        publisher.start()
        deadline = time.monotonic() + DEADLINE_S
        try:
            while len(seen) < MESSAGES and time.monotonic() < deadline:
                try:
                    message = queue.get(timeout=0.01)
                except queue.Empty:
                    continue
                seen.add(message.payload["n"])
                message.ack()
        finally:
            publisher.join(DEADLINE_S)
            queue.close()
    assert len(seen) == MESSAGES
    assert list((tmp_path / STAGING).iterdir()) == []

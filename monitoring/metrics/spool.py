"""The on-disk spool: batches the back end refused or could not be reached for.

Each batch is one file, written to a temporary name, fsync'ed, renamed into place
and the directory fsync'ed: once append() returns, a killed worker loses nothing.
File names start with the time in ns, so sorting them replays batches in the order
they were spooled; a batch is deleted only after the back end acknowledged it.
Samples keep their original timestamps. The spool is bounded (METRICS_SPOOL_MAX_BYTES):
when full the batch is refused with SpoolFull and an ERROR log line.
"""

import fcntl
import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from .samples import Sample

log = logging.getLogger(__name__)

SUFFIX = ".batch"
REJECTED_DIR = "rejected"
_seq = itertools.count()


class SpoolFull(Exception):
    """The spool is at METRICS_SPOOL_MAX_BYTES: this batch could not be kept."""


def encode(samples: list[Sample]) -> bytes:
    """Each series once, then (series index, timestamp, value) per sample."""
    index: dict[tuple, int] = {}
    series, points = [], []
    for s in samples:
        key = (s.name, *s.labels.items())
        i = index.get(key)
        if i is None:
            i = index[key] = len(series)
            series.append([s.name, s.labels])
        points.append([i, s.timestamp, s.value])
    return json.dumps({"v": 1, "series": series, "points": points}).encode()


def decode(data: bytes) -> list[Sample]:
    body = json.loads(data)
    series = body["series"]
    return [Sample(series[i][0], series[i][1], ts, value) for i, ts, value in body["points"]]


class Spool:
    def __init__(self, directory: Path | str, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls) -> "Spool":
        return cls(settings.METRICS_SPOOL_DIR, settings.METRICS_SPOOL_MAX_BYTES)

    def batches(self) -> list[Path]:
        try:
            names = sorted(e.name for e in os.scandir(self.directory) if e.name.endswith(SUFFIX))
        except FileNotFoundError:
            return []
        return [self.directory / n for n in names]

    def depth(self) -> tuple[int, int]:
        """(batches, bytes) waiting."""
        count = size = 0
        for path in self.batches():
            try:
                size += path.stat().st_size
                count += 1
            except FileNotFoundError:  # replayed by another process meanwhile
                pass
        return count, size

    def is_empty(self) -> bool:
        return not self.batches()

    def append(self, samples: list[Sample]) -> Path:
        data = encode(samples)
        used = self.depth()[1]
        if used + len(data) > self.max_bytes:
            log.error(
                "metrics spool full: %s holds %d bytes, limit METRICS_SPOOL_MAX_BYTES=%d; "
                "a batch of %d samples (%d bytes) was NOT kept",
                self.directory,
                used,
                self.max_bytes,
                len(samples),
                len(data),
            )
            raise SpoolFull(f"metrics spool full ({used} of {self.max_bytes} bytes)")
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid():07d}-{next(_seq):08d}{SUFFIX}"
        final = self.directory / name
        tmp = self.directory / f".tmp-{name}"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        self._fsync_dir()
        log.warning("metrics: spooled %d samples to %s", len(samples), final.name)
        return final

    def read(self, path: Path) -> list[Sample]:
        return decode(path.read_bytes())

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._fsync_dir()

    def reject(self, path: Path, reason: str) -> None:
        """Move a batch the back end refuses for good aside, so it no longer blocks replay."""
        target = self.directory / REJECTED_DIR
        target.mkdir(exist_ok=True)
        os.replace(path, target / path.name)
        self._fsync_dir()
        log.error(
            "metrics: back end refused spooled batch %s for good (%s); kept in %s",
            path.name,
            reason,
            target,
        )

    @contextmanager
    def locked(self) -> Iterator[bool]:
        """Hold the replay lock if no other process does; yields whether we got it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""History of mirrored items -> samples for the metrics store, streamed page by page."""

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from monitoring.metrics.samples import Sample

from .client import ZabbixClient
from .mapping import metric_name

log = logging.getLogger(__name__)

ITEMS_PER_HISTORY_CALL = 500
# Samples kept in memory while the metrics store is not installed (bounded: newest kept).
UNSTORED: deque = deque(maxlen=100_000)

Writer = Callable[[list[Sample]], None]


@dataclass(frozen=True, slots=True)
class ItemSeries:
    """What a sample needs to know about its item: built in the items phase."""

    name: str
    labels: dict


def default_writer() -> Writer:
    """The metrics store's write, or a bounded in-memory collector until the store lands."""
    try:
        from monitoring.metrics.store import write
    except ImportError:
        log.warning("monitoring.metrics.store is not installed: keeping samples in memory")
        return UNSTORED.extend
    return write


def series_for(device_name: str, ip: str, key: str) -> ItemSeries:
    return ItemSeries(metric_name(key), {"device": device_name, "ip": ip, "key": key})


def rows_to_samples(rows: Iterable[dict], series: dict[str, ItemSeries]) -> list[Sample]:
    samples = []
    for row in rows:
        s = series.get(row["itemid"])
        if s is None:
            continue
        timestamp = int(row["clock"]) + int(row.get("ns") or 0) / 1e9
        samples.append(Sample(s.name, s.labels, timestamp, float(row["value"])))
    return samples


def sync_history(
    client: ZabbixClient,
    items_by_type: dict[int, list[str]],
    series: dict[str, ItemSeries],
    time_from: int,
    time_till: int,
    write: Writer,
    progress=None,
) -> int:
    """Fetch history.get per value type in item chunks and pages; write each page at once.

    Memory holds one page of values, never the whole range. Returns the values written.
    """
    written = 0
    for value_type, itemids in items_by_type.items():
        for start in range(0, len(itemids), ITEMS_PER_HISTORY_CALL):
            chunk = itemids[start : start + ITEMS_PER_HISTORY_CALL]
            for rows in client.iter_history(chunk, value_type, time_from, time_till):
                samples = rows_to_samples(rows, series)
                if samples:
                    write(samples)
                written += len(samples)
                if progress is not None:
                    progress.update(len(samples))
    return written

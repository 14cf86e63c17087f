"""History of mirrored items -> samples in the metrics store, streamed page by page.

history.get values keep their own clocks (seconds + ns). On a server's first sync, the
range older than the history backfill comes from trend.get (hourly rows): the hour's
average is written as the item's own metric at the hour's clock (so a graph runs on from
trends into history), its min and max as `<metric>_trend_min` / `<metric>_trend_max`
with the same labels.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from queue import Full, Queue

from monitoring.metrics import store
from monitoring.metrics.samples import Sample

from .client import ZabbixClient
from .mapping import metric_name

log = logging.getLogger(__name__)

ITEMS_PER_HISTORY_CALL = 500
PREFETCH_PAGES = 2
FETCH_TIMEOUT_S = 600  # one page, at worst: the client's own timeout fires long before
TREND_ROWS_PER_CALL = 10_000
HOUR_S = 3600
TREND_MIN_SUFFIX = "_trend_min"
TREND_MAX_SUFFIX = "_trend_max"

Writer = Callable[[list[Sample]], None]


@dataclass(frozen=True, slots=True)
class ItemSeries:
    """What a sample needs to know about its item: built in the items phase."""

    name: str
    labels: dict


def default_writer() -> Writer:
    """The metrics store's write: validated, spooled to disk if the back end is down."""
    return store.write


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


def _pages(client: ZabbixClient, items_by_type: dict, time_from: int, time_till: int):
    for value_type, itemids in items_by_type.items():
        for start in range(0, len(itemids), ITEMS_PER_HISTORY_CALL):
            chunk = itemids[start : start + ITEMS_PER_HISTORY_CALL]
            yield from client.iter_history(chunk, value_type, time_from, time_till)


def _prefetch(pages: Iterator[list[dict]], depth: int = PREFETCH_PAGES) -> Iterator[list[dict]]:
    """Fetch the next pages in a thread while the caller writes this one.

    The queue holds at most `depth` pages, so memory stays bounded; an error in the fetching
    thread is raised here. Only the thread talks to Zabbix, only the caller to the database.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        queue.put(("page", page), timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("done", None))
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(("error", exc))

    thread = threading.Thread(target=produce, name="zabbix-history-fetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get(timeout=FETCH_TIMEOUT_S)
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join(timeout=FETCH_TIMEOUT_S)


def sync_history(
    client: ZabbixClient,
    items_by_type: dict[int, list[str]],
    series: dict[str, ItemSeries],
    time_from: int,
    time_till: int,
    write: Writer,
    progress=None,
) -> int:
    """history.get per value type, item chunk and page; each page written as it arrives.

    Memory holds a few pages of values, never the whole range. Returns the values written.
    """
    written = 0
    for rows in _prefetch(_pages(client, items_by_type, time_from, time_till)):
        samples = rows_to_samples(rows, series)
        if samples:
            write(samples)
        written += len(samples)
        if progress is not None:
            progress.update(len(samples))
    return written


def trend_rows_to_samples(rows: Iterable[dict], series: dict[str, ItemSeries]) -> list[Sample]:
    samples = []
    for row in rows:
        s = series.get(row["itemid"])
        if s is None:
            continue
        clock = int(row["clock"])
        samples.append(Sample(s.name, s.labels, clock, float(row["value_avg"])))
        samples.append(Sample(s.name + TREND_MIN_SUFFIX, s.labels, clock, float(row["value_min"])))
        samples.append(Sample(s.name + TREND_MAX_SUFFIX, s.labels, clock, float(row["value_max"])))
    return samples


def sync_trends(
    client: ZabbixClient,
    itemids: list[str],
    series: dict[str, ItemSeries],
    time_from: int,
    time_till: int,
    write: Writer,
) -> int:
    """Hourly trends with clocks in [time_from, time_till]; returns the trend rows written.

    trend.get neither pages nor sorts: item chunks are sized so one answer holds at most
    TREND_ROWS_PER_CALL rows.
    """
    if time_till < time_from or not itemids:
        return 0
    hours = (time_till - time_from) // HOUR_S + 1
    per_call = max(1, TREND_ROWS_PER_CALL // hours)
    output = ["itemid", "clock", "value_min", "value_avg", "value_max"]
    written = 0
    for start in range(0, len(itemids), per_call):
        rows = client.get(
            "trend",
            {
                "itemids": itemids[start : start + per_call],
                "time_from": time_from,
                "time_till": time_till,
                "output": output,
            },
        )
        samples = trend_rows_to_samples(rows, series)
        if samples:
            write(samples)
        written += len(samples) // 3
    return written

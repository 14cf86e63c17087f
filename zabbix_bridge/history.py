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
from queue import Full, Queue

from monitoring.metrics import store
from monitoring.metrics.samples import Sample, Series, SeriesSample

from .client import ZabbixClient
from .mapping import metric_name

log = logging.getLogger(__name__)

ITEMS_PER_HISTORY_CALL = 500
# Rows per history.get answer: each call costs the PHP frontend ~0.1 s before the first
# row, so fewer, larger pages (measured in bench/zabbix_sync.py); ~100 bytes a value once
# turned into samples.
HISTORY_PAGE_ROWS = 20_000
PREFETCH_PAGES = 2
FETCH_THREADS = 2
FETCH_TIMEOUT_S = 600  # one page, at worst: the client's own timeout fires long before
TREND_ROWS_PER_CALL = 10_000
HOUR_S = 3600
TREND_MIN_SUFFIX = "_trend_min"
TREND_MAX_SUFFIX = "_trend_max"

Writer = Callable[[list[Sample]], None]


def default_writer() -> Writer:
    """The metrics store's write: validated, spooled to disk if the back end is down."""
    return store.write


def series_for(device_name: str, ip: str, key: str) -> Series:
    """The item's series, made in the items phase: checked and rendered once for the whole
    sync, so the store checks only each row's value and time (monitoring.metrics.samples).
    Raises InvalidSample when the item cannot be a series (the caller skips it)."""
    return Series(metric_name(key), {"device": device_name, "ip": str(ip), "key": key})


def rows_to_samples(rows: Iterable[dict], series: dict[str, Series]) -> list[Sample]:
    """history.get rows -> samples (the hot loop of a sync: a million rows an hour)."""
    samples = []
    append, find = samples.append, series.get
    for row in rows:
        s = find(row["itemid"])
        if s is None:
            continue
        ns = row.get("ns")
        clock = float(row["clock"])
        timestamp = clock + int(ns) / 1e9 if ns and ns != "0" else clock
        append(SeriesSample(s, timestamp, float(row["value"])))
    return samples


def _chunk_pages(
    client: ZabbixClient,
    series: dict[str, Series],
    value_type: int,
    chunk: list[str],
    time_from: int,
    time_till: int,
) -> Iterator[list[Sample]]:
    """One item chunk's history, page by page, already turned into samples.

    Converting in the fetching thread keeps what waits in the queue compact (a sample is a
    fraction of the size of the API's row dict of four strings).
    """
    for rows in client.iter_history(chunk, value_type, time_from, time_till, HISTORY_PAGE_ROWS):
        yield rows_to_samples(rows, series)


def prefetch(sources: Iterable[Iterator], depth: int = PREFETCH_PAGES, workers: int = 1):
    """Pages from `sources` (lazy iterators) fetched in `workers` threads; yields each page.

    A thread takes the next source when it has finished one, so up to `workers` calls to
    Zabbix run at once (its PHP frontend serves them in parallel). The queue holds at most
    `depth` pages and each thread one more in hand: memory stays bounded whatever the range.
    Pages of different sources interleave. The first error in a thread is raised here;
    only the threads talk to Zabbix, only the caller to the database.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    pending = iter(sources)
    take = threading.Lock()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.5)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            while not stop.is_set():
                with take:
                    source = next(pending, None)
                if source is None:
                    break
                for page in source:
                    if not put(("page", page)):
                        return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))

    threads = [
        threading.Thread(target=produce, name=f"zabbix-fetch-{n}", daemon=True)
        for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        running = workers
        while running:
            kind, value = queue.get(timeout=FETCH_TIMEOUT_S)
            if kind == "done":
                running -= 1
            elif kind == "error":
                raise value
            else:
                yield value
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=FETCH_TIMEOUT_S)


def sync_history(
    client: ZabbixClient,
    items_by_type: dict[int, list[str]],
    series: dict[str, Series],
    time_from: int,
    time_till: int,
    write: Writer,
    progress=None,
) -> int:
    """history.get per value type, item chunk and page; each page written as it arrives.

    Memory holds a few pages of values, never the whole range. Returns the values written.
    """
    sources = [
        _chunk_pages(client, series, value_type, itemids[i : i + ITEMS_PER_HISTORY_CALL],
                     time_from, time_till)
        for value_type, itemids in items_by_type.items()
        for i in range(0, len(itemids), ITEMS_PER_HISTORY_CALL)
    ]  # fmt: skip
    written = 0
    for samples in prefetch(sources, workers=FETCH_THREADS):
        if samples:
            write(samples)
        written += len(samples)
        if progress is not None:
            progress.update(len(samples))
    return written


def trend_rows_to_samples(rows: Iterable[dict], series: dict[str, Series]) -> list[Sample]:
    samples = []
    for row in rows:
        s = series.get(row["itemid"])
        if s is None:
            continue
        clock = int(row["clock"])
        samples.append(SeriesSample(s, clock, float(row["value_avg"])))
        samples.append(Sample(s.name + TREND_MIN_SUFFIX, s.labels, clock, float(row["value_min"])))
        samples.append(Sample(s.name + TREND_MAX_SUFFIX, s.labels, clock, float(row["value_max"])))
    return samples


def sync_trends(
    client: ZabbixClient,
    itemids: list[str],
    series: dict[str, Series],
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

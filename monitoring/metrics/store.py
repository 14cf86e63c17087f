"""The metrics store interface: what pollers, the API and the alert engine call.

    from monitoring.metrics import store
    store.write(samples)                                      # one batch, nothing lost
    store.query("ping_rtt_ms", {"device": "R1"})              # latest value per series
    store.query_range("cpu", {"device": "~R.*"}, start, end, 60, agg="max")

Matches are described in matchers.py. Results are Prometheus' shapes (results.py),
the same from both back ends. The back end is settings.METRICS_BACKEND ("sql" or
"victoriametrics"), one instance per process (get_store()).
"""

import logging
import os
import time
from collections.abc import Collection

from django.conf import settings

from . import hooks
from .matchers import LabelMatcher, parse_match
from .samples import METRIC_NAME_RE, CheckedBatch, InvalidSample, Sample, check_batch
from .spool import Spool, SpoolFull

log = logging.getLogger(__name__)

AGGREGATIONS = ("avg", "min", "max", "last")
MAX_POINTS = 11_000
DEFAULT_LOOKBACK_S = 3600
# write() replays at most this many spooled batches before its own; the periodic task drains.
REPLAY_BATCHES_PER_WRITE = 20

__all__ = [
    "AGGREGATIONS",
    "BackendUnavailable",
    "BatchRejected",
    "InvalidSample",
    "MetricsStore",
    "NotSupported",
    "QueryError",
    "SpoolFull",
    "get_store",
    "promql",
    "query",
    "query_range",
    "replay_spool",
    "write",
]


class BackendUnavailable(Exception):
    """The back end is unreachable or failed (5xx, timeout): retry later."""


class BatchRejected(BackendUnavailable):
    """The back end refused this batch's content (HTTP 400/413/422): retrying won't help."""


class QueryError(ValueError):
    """A query the store cannot answer; `parameter` names the bad one."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


class NotSupported(Exception):
    """The configured back end does not offer this (PromQL on the sql store)."""


class MetricsStore:
    """Base class: write() with validation, spooling and hooks; back ends add the rest."""

    name = "base"

    def write(self, samples: list[Sample]) -> None:
        """Validate all, then write in one batch; spool it if the back end fails.

        Raises InvalidSample (nothing written) or SpoolFull (back end down and spool full).
        Returns once the batch is acknowledged by the back end or by the spool.
        """
        samples = list(samples)
        checked = check_batch(samples)
        if not samples:
            return
        spool = Spool.from_settings()
        if not replay_spool(self, spool, max_batches=REPLAY_BATCHES_PER_WRITE):
            spool.append(samples)  # older batches still wait: keep the order
        else:
            try:
                self.write_batch(samples, checked)
            except BackendUnavailable as exc:
                log.warning("metrics %s write failed (%s): spooling", self.name, exc)
                spool.append(samples)
        hooks.after_write(samples)

    # --- for back ends --------------------------------------------------------------
    def write_batch(self, samples: list[Sample], checked: CheckedBatch | None = None) -> None:
        """Store validated samples; raise BackendUnavailable (or BatchRejected).

        `checked` is what check_batch made of them (their series texts, and the values
        and times it gathered) when the caller has it, as write() does; None (a batch
        replayed from the spool): the back end looks the series texts up.
        """
        raise NotImplementedError

    def query(
        self,
        metric: str,
        match=None,
        at: float | None = None,
        lookback_s: float = DEFAULT_LOOKBACK_S,
        devices: Collection[str] | None = None,
    ) -> list[dict]:
        raise NotImplementedError

    def query_range(
        self,
        metric: str,
        match,
        start: float,
        end: float,
        step: float,
        agg: str = "avg",
        devices: Collection[str] | None = None,
    ) -> list[dict]:
        raise NotImplementedError

    def promql(self, expr: str, **params) -> dict:
        raise NotSupported(f"PromQL needs METRICS_BACKEND=victoriametrics, not {self.name!r}")

    def check(self) -> dict:
        raise NotImplementedError


def check_query(metric: str, match) -> list[LabelMatcher]:
    if not isinstance(metric, str) or not METRIC_NAME_RE.match(metric):
        raise QueryError("metric", f"metric {metric!r} is not a valid metric name")
    from .matchers import InvalidMatcher

    try:
        return parse_match(match)
    except InvalidMatcher as exc:
        raise QueryError(exc.label, str(exc)) from exc


def check_range(start: float, end: float, step: float, agg: str) -> tuple[int, int, int]:
    """Validate and align a range: (start_ms, end_ms, step_ms), both ends multiples of step.

    Step i covers (t_i - step, t_i]; aligning makes both back ends use the same t_i.
    """
    if agg not in AGGREGATIONS:
        raise QueryError("agg", f"agg must be one of {', '.join(AGGREGATIONS)}")
    if not step or step <= 0:
        raise QueryError("step", "step must be a positive duration")
    if end < start:
        raise QueryError("end", "end is before start")
    step_ms = max(1000, round(step * 1000))
    if (end - start) * 1000 / step_ms + 1 > MAX_POINTS:
        raise QueryError("step", f"more than {MAX_POINTS} points per series: use a longer step")
    start_ms = int(start * 1000) // step_ms * step_ms
    end_ms = int(end * 1000) // step_ms * step_ms
    return start_ms, end_ms, step_ms


def replay_spool(
    store: MetricsStore | None = None, spool: Spool | None = None, max_batches: int | None = None
) -> bool:
    """Replay spooled batches oldest first; True when the spool is empty afterwards.

    One process replays at a time (a lock file); the others see a non-empty spool
    and append behind it. A batch is deleted only after the back end acknowledged it.
    """
    store = store or get_store()
    spool = spool or Spool.from_settings()
    if spool.is_empty():
        return True
    with spool.locked() as mine:
        if not mine:
            return False
        deadline = time.monotonic() + 60
        for done, path in enumerate(spool.batches()):
            if (max_batches is not None and done >= max_batches) or time.monotonic() > deadline:
                break
            try:
                samples = spool.read(path)
            except FileNotFoundError:
                continue
            except ValueError as exc:  # a torn or foreign file: keep it, out of the way
                spool.reject(path, f"unreadable: {exc}")
                continue
            try:
                store.write_batch(samples)
            except BatchRejected as exc:
                spool.reject(path, str(exc))
                continue
            except BackendUnavailable as exc:
                log.info("metrics spool replay stopped: %s", exc)
                return False
            spool.remove(path)
            log.info("metrics: replayed %d spooled samples from %s", len(samples), path.name)
    return spool.is_empty()


_STORES: dict[tuple, MetricsStore] = {}


def get_store() -> MetricsStore:
    """The configured back end, one per process (and per settings, for tests)."""
    backend = settings.METRICS_BACKEND
    # Series ids cached by an SQLStore belong to one database: one store per alias.
    sql_db = getattr(settings, "METRICS_SQL_DATABASE", "default")
    key = (os.getpid(), backend, settings.VICTORIA_URL, sql_db)
    found = _STORES.get(key)
    if found is None:
        if backend == "sql":
            from .sql import SQLStore

            found = SQLStore()
        elif backend == "victoriametrics":
            from .victoria import VictoriaStore

            found = VictoriaStore(settings.VICTORIA_URL)
        else:
            raise ValueError(f"METRICS_BACKEND={backend!r}: use 'sql' or 'victoriametrics'")
        _STORES[key] = found
    return found


def write(samples: list[Sample]) -> None:
    get_store().write(samples)


def query(metric: str, match=None, **kwargs) -> list[dict]:
    return get_store().query(metric, match, **kwargs)


def query_range(metric: str, match, start, end, step, agg: str = "avg", **kwargs) -> list[dict]:
    return get_store().query_range(metric, match, start, end, step, agg=agg, **kwargs)


def promql(expr: str, **params) -> dict:
    return get_store().promql(expr, **params)

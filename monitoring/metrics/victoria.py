"""The VictoriaMetrics back end: batched HTTP writes, PromQL reads.

Writes use /api/v1/import/prometheus (Prometheus exposition text, ms timestamps),
not InfluxDB line protocol, because the text carries our sample exactly: one metric
name, string labels, one float, a ms timestamp. Line protocol would turn a name
into measurement + field (VictoriaMetrics stores `measurement_field`), has no place
for ':' in names, escapes commas, spaces and '=' in tags by other rules, and uses
ns timestamps, so names and labels would need a mapping of their own. The text is
also what our push endpoint (POST /api/v1/metrics/import) accepts, so what a script
pushes, what we store and what we send agree line for line.

One requests.Session per process (connection reuse, the environment's proxy settings
read once), timeouts on every call.

Bodies over GZIP_MIN_BYTES are gzipped at level 1, unless VictoriaMetrics is on a
loopback address. Measured on a 10,000-sample batch (857 KiB of text): level 1 gives
59 KiB in 1.6 ms, level 6 54 KiB in 11 ms, level 9 44 KiB in 66 ms, so level 1 saves
93% of the bytes for a seventh of level 6's CPU. Below 64 KiB (~750 samples) a body is
a few dozen packets and compressing saves under a millisecond on any link. Over
loopback there are no bytes worth saving: compressing costs us 1.6 ms and
VictoriaMetrics its inflating per 10,000 samples, for nothing.

Batches over STREAM_CHUNK_SAMPLES go as a chunked body, rendered a chunk at a time:
VictoriaMetrics parses each chunk as it comes, on another core, while we render the
next, so a batch costs about max(rendering, ingestion) instead of their sum. The whole
batch is validated before the first byte leaves (store.write), so a bad one is still
refused whole. Gzip, when on, packs the stream with one zlib.compressobj.

A write that fails mid-stream (or times out after sending) is spooled whole, although
VictoriaMetrics may have stored part of it; the replay stores that part again. Identical
samples (same series, time and value) are then kept twice unless VictoriaMetrics runs
with -dedup.minScrapeInterval=1ms (measured on Debian's 1.79.5: the export shows
both; with the flag, one). Our reads don't mind: avg/min/max/last of a step are
unchanged by a repeated value; PromQL count_over_time or sum_over_time would count it
twice. The same was true before streaming of a POST cut or timed out mid-body.
"""

import gzip
import ipaddress
import math
import time
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from . import results
from .matchers import LabelMatcher, devices_matcher, selector
from .samples import CheckedBatch, Sample, series_texts, value_texts
from .store import (
    DEFAULT_LOOKBACK_S,
    BackendUnavailable,
    BatchRejected,
    MetricsStore,
    QueryError,
    check_query,
    check_range,
)

GZIP_MIN_BYTES = 64 * 1024
CONNECT_TIMEOUT_S = 3.0
WRITE_TIMEOUT_S = 30.0
READ_TIMEOUT_S = 60.0
REJECT_STATUSES = frozenset({400, 413, 422})
# Bigger batches are sent as a chunked body of this many samples a chunk (~85 KiB).
STREAM_CHUNK_SAMPLES = 1000


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: assume the network
        return False


def _number(value: float) -> str:
    """A value in Prometheus text: +Inf / -Inf spelled so; a number of a subclass (an
    IntEnum member, a numpy float, which validation lets through) by its plain number."""
    if type(value) is not float and type(value) is not int:
        value = int(value) if isinstance(value, int) else float(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def _lines(texts: list[str], values: list[str], times: list[float], stamps: dict) -> str:
    """The text of samples given by their series texts, value texts and times.

    Built as one join of [series, " ", value, " time\n", ...]: `stamps` holds each
    distinct time's text (a batch has one or a few per poll cycle). A third of an
    f-string per line.
    """
    parts: list = [" "] * (4 * len(texts))
    parts[0::4] = texts
    parts[2::4] = values
    parts[3::4] = map(stamps.__getitem__, times)
    return "".join(parts)


def _gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    for chunk in chunks:
        if packed := packer.compress(chunk):
            yield packed
    yield packer.flush()


class VictoriaStore(MetricsStore):
    name = "victoriametrics"

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # With trust_env, requests reads the environment's proxies and CA bundle again on
        # every call (~0.3 ms of a batch's POST); VICTORIA_URL does not change, so read
        # them once, for it, and keep them.
        env = self.session.merge_environment_settings(self.url, {}, None, None, None)
        self.session.trust_env = False
        self.session.proxies.update(env["proxies"])
        self.session.verify = env["verify"]
        self.gzip = not is_loopback(self.url)

    # --- write ------------------------------------------------------------------------
    def render(self, samples: list[Sample], checked: CheckedBatch | None = None) -> bytes:
        """Prometheus text, one line a sample: name{labels} value timestamp_ms.

        `checked` is what check_batch made of the samples (write() passes it on): their
        series texts, and the values and times it gathered. Without it the texts come
        from the same per-process cache. A line then costs the formatting of its value.
        """
        return b"".join(self.chunks(samples, checked, len(samples) or 1))

    def chunks(
        self, samples: list[Sample], checked: CheckedBatch | None, size: int = 0
    ) -> Iterator[bytes]:
        """render() `size` samples (STREAM_CHUNK_SAMPLES) at a time, for a streamed body."""
        size = size or STREAM_CHUNK_SAMPLES
        if checked is None:
            checked = CheckedBatch(series_texts(samples))
        texts, values, times = checked.texts, checked.value_texts, checked.times
        if values is None:
            raw = checked.values
            if raw is None:  # not gathered by check_batch, nor tried by value_texts
                raw = [s.value for s in samples]
                values = value_texts(raw)
            if values is None:  # an Inf, or a subclass: spelled one by one
                values = list(map(_number, raw))
        if times is None:
            times = [s.timestamp for s in samples]
        stamps = {ts: f" {round(ts * 1000)}\n" for ts in set(times)}
        for start in range(0, len(samples), size):
            end = start + size
            yield _lines(texts[start:end], values[start:end], times[start:end], stamps).encode()

    def write_batch(self, samples: list[Sample], checked: CheckedBatch | None = None) -> None:
        """POST the batch; over STREAM_CHUNK_SAMPLES samples, as a chunked body rendered
        while VictoriaMetrics parses what came before (see the module's docstring)."""
        if len(samples) <= STREAM_CHUNK_SAMPLES:
            self.post_import(self.render(samples, checked))
        else:
            self.post_import(self.chunks(samples, checked))

    def post_import(self, body: bytes | Iterator[bytes]) -> None:
        """POST Prometheus text, whole (bytes) or streamed (an iterator of chunks).

        Failing anywhere, even after VictoriaMetrics took part of a streamed body, raises
        BackendUnavailable: the caller spools the whole batch, and its replay writes the
        part already taken again (same series, times and values: see the module docstring).
        """
        headers = {"Content-Type": "text/plain"}
        if isinstance(body, bytes):
            if self.gzip and len(body) > GZIP_MIN_BYTES:
                body = gzip.compress(body, compresslevel=1)
                headers["Content-Encoding"] = "gzip"
        elif self.gzip:  # streamed bodies are over STREAM_CHUNK_SAMPLES lines: big
            body = _gzipped(body)
            headers["Content-Encoding"] = "gzip"
        try:
            resp = self.session.post(
                f"{self.url}/api/v1/import/prometheus",
                data=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT_S, WRITE_TIMEOUT_S),
            )
        except requests.RequestException as exc:
            raise BackendUnavailable(f"VictoriaMetrics at {self.url}: {exc}") from exc
        if resp.status_code in REJECT_STATUSES:
            raise BatchRejected(f"VictoriaMetrics refused: {resp.status_code} {resp.text[:300]}")
        if resp.status_code >= 300:
            raise BackendUnavailable(f"VictoriaMetrics: {resp.status_code} {resp.text[:300]}")

    # --- read -------------------------------------------------------------------------
    def _get(self, path: str, params: dict, parameter: str = "query") -> dict:
        try:
            resp = self.session.get(
                f"{self.url}{path}", params=params, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
            )
        except requests.RequestException as exc:
            raise BackendUnavailable(f"VictoriaMetrics at {self.url}: {exc}") from exc
        if 400 <= resp.status_code < 500:
            try:
                message = resp.json().get("error", resp.text)
            except ValueError:
                message = resp.text
            raise QueryError(parameter, f"VictoriaMetrics: {message[:500]}")
        if resp.status_code >= 300:
            raise BackendUnavailable(f"VictoriaMetrics: {resp.status_code} {resp.text[:300]}")
        return resp.json()["data"]

    @staticmethod
    def _selector(metric: str, matchers: list[LabelMatcher], devices) -> str | None:
        if devices is not None:
            if not devices:
                return None
            matchers = [*matchers, devices_matcher(devices)]
        return selector(metric, matchers)

    def query(self, metric, match=None, at=None, lookback_s=DEFAULT_LOOKBACK_S, devices=None):
        matchers = check_query(metric, match)
        at_ms = int((time.time() if at is None else at) * 1000)
        sel = self._selector(metric, matchers, devices)
        if sel is None:
            return []
        expr = f"last_over_time({sel}[{int(lookback_s * 1000)}ms])"
        data = self._get("/api/v1/query", {"query": expr, "time": at_ms / 1000, "nocache": 1})
        points = [(r["metric"], float(r["value"][1])) for r in data["result"]]
        return results.vector(metric, points, at_ms)

    def query_range(self, metric, match, start, end, step, agg="avg", devices=None):
        matchers = check_query(metric, match)
        start_ms, end_ms, step_ms = check_range(start, end, step, agg)
        sel = self._selector(metric, matchers, devices)
        if sel is None:
            return []
        expr = f"{agg}_over_time({sel}[{step_ms}ms])"
        params = {
            "query": expr,
            "start": start_ms / 1000,
            "end": end_ms / 1000,
            "step": f"{step_ms}ms",
            "nocache": 1,
        }
        data = self._get("/api/v1/query_range", params)
        series = [
            (r["metric"], [(round(float(t) * 1000), float(v)) for t, v in r["values"]])
            for r in data["result"]
        ]
        return results.matrix(metric, series)

    def promql(self, expr, time=None, start=None, end=None, step=None, devices=None) -> dict:
        """Pass a PromQL expression through; `devices` limits every selector to them
        (VictoriaMetrics' extra_filters). Returns VictoriaMetrics' `data` as is."""
        params: dict = {"query": expr, "nocache": 1}
        if devices is not None:
            if not devices:
                return {"resultType": "vector" if start is None else "matrix", "result": []}
            params["extra_filters[]"] = "{" + devices_matcher(devices).to_promql() + "}"
        if start is None:
            if time is not None:
                params["time"] = time
            return self._get("/api/v1/query", params)
        params.update(start=start, end=end, step=step)
        return self._get("/api/v1/query_range", params)

    def check(self) -> dict:
        try:
            resp = self.session.get(f"{self.url}/health", timeout=(CONNECT_TIMEOUT_S, 5))
        except requests.RequestException as exc:
            return {"ok": False, "backend": self.name, "error": str(exc)[:300]}
        return {"ok": resp.status_code == 200, "backend": self.name}

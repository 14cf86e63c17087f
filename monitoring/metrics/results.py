"""Prometheus' response shapes, built the same way for both back ends.

vector: [{"metric": {"__name__": ..., labels}, "value": [t, "v"]}]
matrix: [{"metric": {...}, "values": [[t, "v"], ...]}]
Times are Unix seconds (an int when whole), values strings formatted as Prometheus
does ("100", "1.5", "+Inf"), series sorted by their labels.
"""

import math


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def format_time(ts_ms: int) -> int | float:
    return ts_ms // 1000 if ts_ms % 1000 == 0 else ts_ms / 1000


def series_metric(metric: str, labels: dict) -> dict:
    return {"__name__": metric, **{k: labels[k] for k in sorted(labels) if k != "__name__"}}


def sort_series(result: list[dict]) -> list[dict]:
    return sorted(result, key=lambda s: sorted(s["metric"].items()))


def vector(metric: str, points: list[tuple[dict, float]], at_ms: int) -> list[dict]:
    t = format_time(at_ms)
    return sort_series(
        [{"metric": series_metric(metric, lbl), "value": [t, format_value(v)]} for lbl, v in points]
    )


def matrix(metric: str, series: list[tuple[dict, list[tuple[int, float]]]]) -> list[dict]:
    out = []
    for labels, points in series:
        if points:
            values = [[format_time(ts), format_value(v)] for ts, v in sorted(points)]
            out.append({"metric": series_metric(metric, labels), "values": values})
    return sort_series(out)


def response(result_type: str, result: list) -> dict:
    return {"status": "success", "data": {"resultType": result_type, "result": result}}

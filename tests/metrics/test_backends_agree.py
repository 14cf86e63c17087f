"""Both back ends give the same answers, byte for byte, to the same questions."""

import pytest
from django.test import override_settings

from monitoring.metrics.store import get_store

from .test_contract import T0, make_samples


@pytest.mark.parametrize("agg", ["avg", "min", "max", "last"])
def test_sql_and_victoriametrics_answer_identically(db, victoria, tmp_path, metric, agg):
    samples = make_samples(metric)
    answers = {}
    for backend in ("sql", "victoriametrics"):
        with override_settings(
            METRICS_BACKEND=backend,
            VICTORIA_URL=victoria.url,
            METRICS_SPOOL_DIR=tmp_path / backend,
        ):
            store = get_store()
            if backend == "sql":
                store.forget_series()
            store.write(samples)
            victoria.flush()
            answers[backend] = (
                store.query(metric, {"device": "~R.*"}, at=T0 + 300),
                store.query_range(metric, {}, T0, T0 + 600, 120, agg=agg),
            )
    assert answers["sql"] == answers["victoriametrics"]
    assert len(answers["sql"][1]) == 3

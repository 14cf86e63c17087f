"""Self-metrics across processes.

The web, the worker and beat are separate processes; prometheus-client's multiprocess
mode lets each write its counters to files in one folder that /metrics aggregates. It
must be configured before prometheus_client is first imported, hence this module is the
first import of the wardflux package. Workers on other machines expose their own figures
(see deploy/README.md).
"""

import os
from pathlib import Path

if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    _var = Path(os.environ.get("WARD_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    _dir = _var / "prometheus"
    _dir.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_dir)

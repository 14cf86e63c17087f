"""The `metrics` component of /api/v1/health: back end reachable, spool depth."""

from wardflux.health import health_check

from .spool import Spool
from .store import get_store


@health_check("metrics")
def check_metrics() -> dict:
    result = get_store().check()
    batches, size = Spool.from_settings().depth()
    result.update(spool_batches=batches, spool_bytes=size)
    return result

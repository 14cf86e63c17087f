"""API request latency for the self-metrics."""

import time

from .selfmetrics import API_LATENCY


class ApiLatencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        API_LATENCY.labels(request.method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

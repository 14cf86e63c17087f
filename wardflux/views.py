"""/metrics: WARD FLUX's own figures for scraping, behind a bearer token or an allow-list."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from .selfmetrics import render


def is_scrape_allowed(request: HttpRequest) -> bool:
    header = request.headers.get("Authorization", "")
    if settings.METRICS_TOKEN and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:], settings.METRICS_TOKEN)
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOW_FROM


def metrics(request: HttpRequest) -> HttpResponse:
    if not is_scrape_allowed(request):
        return HttpResponse("forbidden: bearer token or allowed address required\n", status=403)
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)

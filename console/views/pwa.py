"""The PWA's manifest and service worker, served from the site root so the worker's scope
is the whole console. Neither holds data, so neither needs a login."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

SW_VERSION = "wardflux-console-1"


@cache_control(max_age=3600)
def manifest(request):
    body = {
        "name": "WARD FLUX console",
        "short_name": "WARD FLUX",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#0f172a",
        "theme_color": "#0f172a",
        "icons": [
            {"src": static("console/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("console/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("console/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json")


@cache_control(no_cache=True)
def service_worker(request):
    path = finders.find("console/sw.js")
    with open(path, encoding="utf-8") as handle:
        code = handle.read()
    assets = [
        static(name)
        for name in (
            "console/console.css",
            "console/console.js",
            "console/vendor/htmx.min.js",
            "console/icon.svg",
        )
    ]
    code = code.replace("__VERSION__", SW_VERSION).replace("__ASSETS__", repr(assets))
    response = HttpResponse(code, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    if settings.DEBUG:
        response["Cache-Control"] = "no-store"
    return response

"""Console pages, mounted at the site root after admin/ and api/ (so nothing is shadowed)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import board, devices, diagnostics, problems, pwa, reports

urlpatterns = [
    path("", board.board, name="console-board"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html"),
        name="console-login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="console-logout"),
    path("problems/", problems.problems, name="console-problems"),
    path("problems/<int:alert_id>/ack/", problems.acknowledge_problem, name="console-ack"),
    path("devices/<int:device_id>/", devices.device_page, name="console-device"),
    path("diagnostics/", diagnostics.diagnostics_page, name="console-diagnostics"),
    path("diagnostics/stream/", diagnostics.diagnostics_stream, name="console-diagnostics-stream"),
    path("reports/", reports.reports_page, name="console-reports"),
    path("reports/<slug:kind>.csv", reports.report_csv, name="console-report-csv"),
    path("manifest.webmanifest", pwa.manifest, name="console-manifest"),
    path("sw.js", pwa.service_worker, name="console-sw"),
]

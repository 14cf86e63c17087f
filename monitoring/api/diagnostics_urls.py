from django.urls import path

from . import diagnostics

urlpatterns = [
    path("ping/", diagnostics.PingView.as_view(), name="diagnostics-ping"),
    path("traceroute/", diagnostics.TracerouteView.as_view(), name="diagnostics-traceroute"),
    path("mtr/", diagnostics.MtrView.as_view(), name="diagnostics-mtr"),
]

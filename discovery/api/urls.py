from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()  # the API root belongs to wardflux.urls
router.register("discovery/jobs", views.DiscoveryJobViewSet, basename="discovery-job")
router.register("discovery/results", views.DiscoveryResultViewSet, basename="discovery-result")
router.register("discovery/rules", views.DiscoveryRuleViewSet, basename="discovery-rule")

urlpatterns = [
    # The path the seed names, beside the monitoring API.
    path("monitoring/discovery/scan", views.ScanView.as_view(), name="discovery-scan"),
    path("monitoring/discovery/scan/", views.ScanView.as_view(schema=None)),  # same, not in schema
    *router.urls,
]

from rest_framework.routers import SimpleRouter

from . import views

# The sub-collections first: "alerts/rules/" must not reach the alert detail route
# (which also only takes digits).
router = SimpleRouter()
router.register("alerts/rules", views.AlertRuleViewSet, basename="alert-rule")
router.register("alerts/channels", views.NotificationChannelViewSet, basename="alert-channel")
router.register("alerts/maintenance", views.MaintenanceWindowViewSet, basename="maintenance")
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = router.urls

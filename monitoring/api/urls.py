from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("devices", views.DeviceViewSet, basename="device")
router.register("credentials", views.SNMPCredentialViewSet, basename="credential")
router.register("templates", views.MonitoringTemplateViewSet, basename="template")
router.register("items", views.MonitoringItemViewSet, basename="item")
router.register("profiles", views.MonitoringProfileViewSet, basename="profile")

urlpatterns = router.urls

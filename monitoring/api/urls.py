from wardflux.api.routers import WardRouter

from . import views

router = WardRouter()
router.register("devices", views.DeviceViewSet, basename="device")
router.register("credentials", views.SNMPCredentialViewSet, basename="credential")
router.register("templates", views.MonitoringTemplateViewSet, basename="template")
router.register("items", views.MonitoringItemViewSet, basename="item")
router.register("profiles", views.MonitoringProfileViewSet, basename="profile")

urlpatterns = router.urls

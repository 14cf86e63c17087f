from wardflux.api.routers import WardRouter

from . import views

router = WardRouter()
router.register("zabbix/servers", views.ZabbixServerViewSet, basename="zabbix-server")

urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("zabbix/servers", views.ZabbixServerViewSet, basename="zabbix-server")

urlpatterns = router.urls

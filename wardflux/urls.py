from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from . import views as root_views
from .api import views
from .api.routers import WardRouter

router = WardRouter()
router.register("users", views.UserViewSet, basename="user")

api_v1 = [
    path("auth/token/", views.ThrottledTokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("auth/token/verify/", TokenVerifyView.as_view(), name="token_verify"),
    path("health", views.health, name="health"),
    path("me/", views.MeView.as_view(), name="me"),
    path("", include(router.urls)),
    path("", include("monitoring.api.urls")),
    path("metrics/", include("monitoring.metrics.urls")),
    path("diagnostics/", include("monitoring.api.diagnostics_urls")),
    path("", include("discovery.api.urls")),
    path("", include("zabbix_bridge.api.urls")),
    path("", include("alerts.api.urls")),
    path("reports/", include("console.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", root_views.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="swagger-ui",
    ),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("console.urls")),
]

# JSON error bodies under /api/ (wardflux/errors.py).
handler400 = "wardflux.errors.bad_request"
handler404 = "wardflux.errors.page_not_found"
handler500 = "wardflux.errors.server_error"

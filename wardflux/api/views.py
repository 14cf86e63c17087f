from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from ..health import run_checks
from ..permissions import ADMIN_ONLY, ALL_ROLES
from ..roles import role_of


class ThrottledTokenObtainPairView(TokenObtainPairView):
    """Token endpoint with a per-client rate limit against password guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


@extend_schema(responses={200: dict, 503: dict})
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([])
def health(request):
    ok, components = run_checks()
    return Response(
        {"status": "ok" if ok else "degraded", "components": components}, status=200 if ok else 503
    )


class UserSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name", "is_active", "role"]

    def get_role(self, obj) -> str | None:
        return role_of(obj)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users and their roles (admins only: managers do not manage users)."""

    queryset = get_user_model().objects.prefetch_related("groups").order_by("username")
    serializer_class = UserSerializer
    search_fields = ["username", "email"]
    read_roles = ADMIN_ONLY


class MeView(APIView):
    """Who am I and what may I do."""

    read_roles = ALL_ROLES

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

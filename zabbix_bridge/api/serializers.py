from rest_framework import serializers

from wardflux.api.fields import WriteOnlySecretField, keep_blank_secrets

from ..models import ZabbixServer, server_errors

SECRETS = ["api_token", "username", "password"]


class ZabbixServerSerializer(serializers.ModelSerializer):
    api_token = WriteOnlySecretField()
    username = WriteOnlySecretField()
    password = WriteOnlySecretField()
    has_api_token = serializers.SerializerMethodField()
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = ZabbixServer
        fields = [
            "id",
            "name",
            "url",
            "api_token",
            "username",
            "password",
            "verify_tls",
            "timeout",
            "sync_interval",
            "enabled",
            "version",
            "last_sync_at",
            "last_sync_error",
            "last_sync_summary",
            "has_api_token",
            "has_password",
        ]
        read_only_fields = ["version", "last_sync_at", "last_sync_error", "last_sync_summary"]

    def get_has_api_token(self, obj) -> bool:
        return bool(obj.api_token)

    def get_has_password(self, obj) -> bool:
        return bool(obj.password)

    def validate(self, attrs: dict) -> dict:
        attrs = keep_blank_secrets(self.instance, attrs, SECRETS)
        current = {n: getattr(self.instance, n) for n in SECRETS} if self.instance else {}
        merged = ZabbixServer(**{**current, **{n: attrs[n] for n in SECRETS if n in attrs}})
        errors = server_errors(merged)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

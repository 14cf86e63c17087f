from rest_framework import serializers

from monitoring.models import Device, MonitoringTemplate, Tag

from ..choices import ChannelKind
from ..maintenance import window_errors
from ..models import (
    SECRET_KEYS,
    Alert,
    AlertRule,
    MaintenanceWindow,
    NotificationAttempt,
    NotificationChannel,
)
from ..models.rules import rule_errors
from ..notifications import settings_errors


class AlertRuleSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(
        slug_field="name", many=True, required=False, queryset=Tag.objects.all()
    )
    devices = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Device.objects.all()
    )
    templates = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=MonitoringTemplate.objects.all()
    )
    channels = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=NotificationChannel.objects.all()
    )

    class Meta:
        model = AlertRule
        fields = [
            "id", "name", "metric", "watch_metric", "operator", "threshold", "recovery_threshold",
            "for_seconds", "for_evaluations", "severity", "devices", "sites", "device_types",
            "tags", "templates", "channels", "flap_changes", "flap_window_s", "enabled",
            "created", "updated",
        ]  # fmt: skip
        read_only_fields = ["created", "updated"]

    def validate(self, attrs: dict) -> dict:
        scalar = {
            k: v for k, v in attrs.items() if k not in ("tags", "devices", "templates", "channels")
        }
        current = {}
        if self.instance is not None:
            names = [f.attname for f in AlertRule._meta.concrete_fields if f.attname != "id"]
            current = {n: getattr(self.instance, n) for n in names}
        errors = rule_errors(AlertRule(**{**current, **scalar}))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class NotificationAttemptSerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", default=None, read_only=True)
    time = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = NotificationAttempt
        fields = ["channel", "channel_name", "event", "attempt", "time", "outcome", "error"]


class AlertSerializer(serializers.ModelSerializer):
    rule_name = serializers.SerializerMethodField()
    device_name = serializers.CharField(source="device.name", read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, read_only=True
    )
    suppressed = serializers.SerializerMethodField()
    notifications = NotificationAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "rule", "rule_name", "device", "device_name", "labels", "state", "severity",
            "source", "external_id", "value", "last_value", "started_at", "fired_at",
            "resolved_at", "acknowledged", "acknowledged_by", "acknowledged_at", "comment",
            "suppressed", "flapping", "timeline", "notifications",
        ]  # fmt: skip
        read_only_fields = fields

    def get_rule_name(self, obj) -> str:
        return obj.rule.name if obj.rule is not None else obj.title

    def get_suppressed(self, obj) -> str | None:
        """Why it is not being sent (parent_down, maintenance, flapping), or null."""
        return obj.suppressed or None


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class NotificationChannelSerializer(serializers.ModelSerializer):
    settings = serializers.JSONField(
        required=False,
        help_text=f"Secret keys ({', '.join(sorted(SECRET_KEYS))}) are write-only.",
    )
    secrets_set = serializers.SerializerMethodField()

    class Meta:
        model = NotificationChannel
        fields = ["id", "name", "kind", "settings", "secrets_set", "enabled"]

    def get_secrets_set(self, obj) -> list[str]:
        return obj.secrets_set()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["settings"] = instance.public_settings()
        return data

    def validate(self, attrs: dict) -> dict:
        kind = attrs.get("kind") or getattr(self.instance, "kind", None)
        incoming = attrs.get("settings", None)
        if incoming is not None and not isinstance(incoming, dict):
            raise serializers.ValidationError({"settings": "An object."})
        stored = self.instance.plain_settings() if self.instance is not None else {}
        if incoming is None:
            merged = stored
        else:
            kept = {k: v for k, v in stored.items() if k in SECRET_KEYS}
            merged = {**kept, **{k: v for k, v in incoming.items() if v not in (None, "")}}
        if kind not in ChannelKind.values:
            raise serializers.ValidationError({"kind": f"One of {', '.join(ChannelKind.values)}."})
        errors = settings_errors(kind, merged)
        if errors:
            raise serializers.ValidationError({"settings": errors})
        return attrs

    def create(self, validated_data):
        plain = validated_data.pop("settings", {}) or {}
        channel = NotificationChannel(**validated_data)
        channel.set_settings(plain)
        channel.save()
        return channel

    def update(self, instance, validated_data):
        plain = validated_data.pop("settings", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        if plain is not None:
            instance.set_settings(plain)
        instance.save()
        return instance


class MaintenanceWindowSerializer(serializers.ModelSerializer):
    devices = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Device.objects.all()
    )

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id", "name", "devices", "sites", "start", "end", "recurrence", "until", "comment",
        ]  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        def pick(name, default=None):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, default) if self.instance else default

        errors = window_errors(
            pick("start"), pick("end"), pick("recurrence", "none"), pick("sites", [])
        )
        devices = attrs.get("devices")
        if devices is None and self.instance is not None:
            devices = list(self.instance.devices.all())
        if not errors and not devices and not pick("sites", []):
            errors["devices"] = "Name devices or sites: a window covers something."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

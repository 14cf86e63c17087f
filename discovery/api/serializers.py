from django.db import transaction
from rest_framework import serializers

from monitoring.models import SNMPCredential
from monitoring.models.devices import poller_group_validator

from ..choices import AutoAdd
from ..models import DiscoveryJob, DiscoveryResult, DiscoveryRule, DiscoveryRuleCredential
from ..scanner import RangeError, expand


def check_ranges(ranges, exclude) -> None:
    try:
        expand(ranges, exclude or [])
    except RangeError as err:
        raise serializers.ValidationError({err.field: [err.message]}) from err


class ScanRequestSerializer(serializers.Serializer):
    ranges = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    exclude = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )
    credentials = serializers.PrimaryKeyRelatedField(
        queryset=SNMPCredential.objects.all(), many=True, required=False, default=list
    )
    rule = serializers.PrimaryKeyRelatedField(
        queryset=DiscoveryRule.objects.all(), required=False, allow_null=True
    )
    auto_add = serializers.ChoiceField(choices=AutoAdd.choices, default=AutoAdd.OFF)
    site = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    poller_group = serializers.CharField(
        max_length=50, required=False, default="default", validators=[poller_group_validator]
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("rule") is None and not attrs.get("ranges"):
            raise serializers.ValidationError({"ranges": ["Give ranges or a rule."]})
        if attrs.get("rule") is None:
            check_ranges(attrs["ranges"], attrs.get("exclude"))
        else:
            check_ranges(attrs["rule"].ranges, attrs["rule"].exclude)
        return attrs


class DiscoveryJobSerializer(serializers.ModelSerializer):
    credentials = serializers.ListField(source="credential_ids", read_only=True)
    progress_pct = serializers.FloatField(read_only=True)

    class Meta:
        model = DiscoveryJob
        fields = [
            "id", "rule", "ranges", "exclude", "credentials", "auto_add", "site", "poller_group",
            "state", "total", "swept", "alive", "classified", "progress_pct",
            "created_at", "started_at", "finished_at", "error",
        ]  # fmt: skip
        read_only_fields = fields


class DiscoveryResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscoveryResult
        fields = [
            "id", "job", "ip_address", "dns_name", "rtt_ms", "snmp", "credential", "sys_name",
            "sys_descr", "sys_object_id", "vendor", "device_type", "template", "device",
        ]  # fmt: skip
        read_only_fields = fields


class AddResultsSerializer(serializers.Serializer):
    results = serializers.PrimaryKeyRelatedField(
        queryset=DiscoveryResult.objects.select_related("job"), many=True, allow_empty=False
    )
    site = serializers.CharField(max_length=100, required=False, allow_blank=True)
    poller_group = serializers.CharField(
        max_length=50, required=False, validators=[poller_group_validator]
    )
    apply_templates = serializers.BooleanField(default=True)


class DiscoveryRuleSerializer(serializers.ModelSerializer):
    credentials = serializers.PrimaryKeyRelatedField(
        queryset=SNMPCredential.objects.all(), many=True, required=False
    )
    ranges = serializers.ListField(child=serializers.CharField(max_length=64))
    exclude = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )

    class Meta:
        model = DiscoveryRule
        fields = [
            "id", "name", "ranges", "exclude", "credentials", "interval_minutes", "enabled",
            "auto_add", "site", "poller_group", "created", "updated",
        ]  # fmt: skip
        read_only_fields = ["created", "updated"]

    def to_representation(self, instance: DiscoveryRule) -> dict:
        data = super().to_representation(instance)
        data["credentials"] = instance.credential_ids()  # in the order they are tried
        return data

    def validate(self, attrs: dict) -> dict:
        ranges = attrs.get("ranges", getattr(self.instance, "ranges", None))
        exclude = attrs.get("exclude", getattr(self.instance, "exclude", []))
        check_ranges(ranges, exclude)
        return attrs

    @transaction.atomic
    def create(self, validated: dict) -> DiscoveryRule:
        credentials = validated.pop("credentials", [])
        rule = DiscoveryRule.objects.create(**validated)
        _set_credentials(rule, credentials)
        return rule

    @transaction.atomic
    def update(self, rule: DiscoveryRule, validated: dict) -> DiscoveryRule:
        credentials = validated.pop("credentials", None)
        rule = super().update(rule, validated)
        if credentials is not None:
            _set_credentials(rule, credentials)
        return rule


def _set_credentials(rule: DiscoveryRule, credentials: list) -> None:
    rule.credential_links.all().delete()
    DiscoveryRuleCredential.objects.bulk_create(
        DiscoveryRuleCredential(rule=rule, credential=c, position=i)
        for i, c in enumerate(dict.fromkeys(credentials))
    )

from django.contrib.auth import get_user_model
from rest_framework import serializers

from wardflux.api.fields import WriteOnlySecretField, keep_blank_secrets
from wardflux.api.representation import FastReadMixin

from ..models import (
    Device,
    MonitoringItem,
    MonitoringProfile,
    MonitoringTemplate,
    SNMPCredential,
    Tag,
    TemplateItem,
)
from ..models.credentials import credential_errors

SECRETS = ["community", "auth_key", "priv_key"]


class SNMPCredentialSerializer(serializers.ModelSerializer):
    community = WriteOnlySecretField()
    auth_key = WriteOnlySecretField()
    priv_key = WriteOnlySecretField()
    has_community = serializers.SerializerMethodField()
    has_auth_key = serializers.SerializerMethodField()
    has_priv_key = serializers.SerializerMethodField()

    class Meta:
        model = SNMPCredential
        fields = [
            "id", "name", "version", "community", "username", "security_level",
            "auth_protocol", "auth_key", "priv_protocol", "priv_key", "context",
            "port", "timeout", "retries", "has_community", "has_auth_key", "has_priv_key",
        ]  # fmt: skip

    def get_has_community(self, obj) -> bool:
        return bool(obj.community)

    def get_has_auth_key(self, obj) -> bool:
        return bool(obj.auth_key)

    def get_has_priv_key(self, obj) -> bool:
        return bool(obj.priv_key)

    def validate(self, attrs: dict) -> dict:
        attrs = keep_blank_secrets(self.instance, attrs, SECRETS)
        merged = SNMPCredential(**{**self._current(), **attrs})
        errors = credential_errors(merged)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        names = [f.attname for f in SNMPCredential._meta.concrete_fields if f.attname != "id"]
        return {n: getattr(self.instance, n) for n in names}


class UnsavedCredentialTestSerializer(SNMPCredentialSerializer):
    """A credential exactly as a create takes it, plus the address to try it on.

    Validated like a create (same fields, same v3 combination rules) so a 200 here means
    saving it would be accepted too; the name may be left out or repeat an existing one,
    since nothing is saved.
    """

    address = serializers.IPAddressField(
        write_only=True, help_text="the agent to try the credential on"
    )

    class Meta(SNMPCredentialSerializer.Meta):
        fields = [*SNMPCredentialSerializer.Meta.fields, "address"]
        extra_kwargs = {"name": {"required": False, "validators": []}}

    def validate(self, attrs: dict) -> dict:
        address = attrs.pop("address")
        return {**super().validate(attrs), "address": address}

    def unsaved(self) -> tuple[SNMPCredential, str]:
        """The credential (never saved: plain secrets on the instance) and the address."""
        fields = dict(self.validated_data)
        address = fields.pop("address")
        return SNMPCredential(**fields), address


class TagListField(serializers.ListField):
    """Tags as a list of names; unknown names are created."""

    child = serializers.SlugField(max_length=50)

    def get_attribute(self, instance):
        # A list page attaches the names up front (attach_relations); else ask the database.
        names = getattr(instance, "_tag_names", None)
        return names if names is not None else [t.name for t in instance.tags.all()]

    def to_representation(self, value):
        return list(value)


class AssignedUsersField(serializers.ManyRelatedField):
    """User ids; a list page attaches them up front (attach_relations)."""

    def get_attribute(self, instance):
        ids = getattr(instance, "_assigned_ids", None)
        return ids if ids is not None else sorted(u.pk for u in instance.assigned_to.all())

    def to_representation(self, iterable):
        return list(iterable)


def attach_relations(devices: list[Device]) -> None:
    """Give a page of devices their tag names and user ids in two queries.

    Cheaper than prefetch_related, which builds a related manager and a model per row.
    """
    tags = {d.pk: [] for d in devices}
    users = {d.pk: [] for d in devices}
    through = Device.tags.through.objects.filter(device_id__in=tags)
    for device_id, name in through.order_by("tag__name").values_list("device_id", "tag__name"):
        tags[device_id].append(name)
    assigned = Device.assigned_to.through.objects.filter(device_id__in=users)
    for device_id, user_id in assigned.order_by("user_id").values_list("device_id", "user_id"):
        users[device_id].append(user_id)
    for d in devices:
        d._tag_names, d._assigned_ids = tags[d.pk], users[d.pk]


class DeviceSerializer(FastReadMixin, serializers.ModelSerializer):
    tags = TagListField(required=False)
    assigned_to = AssignedUsersField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all()),
        required=False,
    )

    class Meta:
        model = Device
        fields = [
            "id", "name", "ip_address", "hostname", "device_type", "vendor", "model", "site",
            "poller_group", "parent", "snmp_credential", "enabled", "assigned_to", "tags",
            "status", "status_changed", "snmp_reachable", "last_polled", "last_error",
            "sys_name", "sys_descr", "sys_object_id", "uptime_s", "source", "created", "updated",
            "zabbix_hostid", "poll_locally",
        ]  # fmt: skip
        read_only_fields = [
            "status", "status_changed", "snmp_reachable", "last_polled", "last_error",
            "sys_name", "sys_descr", "sys_object_id", "uptime_s", "source", "created", "updated",
            "zabbix_hostid",
        ]  # fmt: skip

    def validate_parent(self, parent):
        node, seen = parent, set()
        while node is not None:
            if self.instance is not None and node.pk == self.instance.pk:
                raise serializers.ValidationError("A device cannot depend on itself.")
            if node.pk in seen:
                break
            seen.add(node.pk)
            node = node.parent
        return parent

    def create(self, validated_data):
        tags = validated_data.pop("tags", None)
        device = super().create(validated_data)
        if tags is not None:
            set_tags(device, tags)
        return device

    def update(self, instance, validated_data):
        tags = validated_data.pop("tags", None)
        device = super().update(instance, validated_data)
        if tags is not None:
            set_tags(device, tags)
        return device


def set_tags(device: Device, names: list[str]) -> None:
    names = list(dict.fromkeys(names))
    found = {t.name: t for t in Tag.objects.filter(name__in=names)}
    # get_or_create only for the new ones: one query for the usual case of known tags.
    tags = [found.get(n) or Tag.objects.get_or_create(name=n)[0] for n in names]
    device.tags.set(tags)


ITEM_FIELDS = ["id", "name", "key", "oid", "value_type", "units", "interval", "enabled"]


class TemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateItem
        fields = ITEM_FIELDS


class MonitoringTemplateSerializer(serializers.ModelSerializer):
    items = TemplateItemSerializer(many=True, required=False)

    class Meta:
        model = MonitoringTemplate
        fields = ["id", "name", "description", "items"]

    def validate_items(self, items):
        keys = [i["key"] for i in items]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise serializers.ValidationError(f"Duplicate item keys: {', '.join(dupes)}.")
        return items

    def create(self, validated_data):
        items = validated_data.pop("items", [])
        template = MonitoringTemplate.objects.create(**validated_data)
        TemplateItem.objects.bulk_create(TemplateItem(template=template, **i) for i in items)
        return template

    def update(self, instance, validated_data):
        items = validated_data.pop("items", None)
        instance = super().update(instance, validated_data)
        if items is not None:
            instance.items.exclude(key__in=[i["key"] for i in items]).delete()
            for i in items:
                TemplateItem.objects.update_or_create(template=instance, key=i["key"], defaults=i)
        return instance


class ApplyTemplateSerializer(serializers.Serializer):
    devices = serializers.PrimaryKeyRelatedField(many=True, queryset=Device.objects.all())

    def validate_devices(self, devices):
        if not devices:
            raise serializers.ValidationError("Name at least one device.")
        return devices


class MonitoringItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringItem
        fields = ["device", "template", *ITEM_FIELDS, "source", "last_value", "last_clock"]
        read_only_fields = ["source", "last_value", "last_clock"]


class MonitoringProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringProfile
        fields = ["id", "name", "mode", "is_active"]


class CredentialTestSerializer(serializers.Serializer):
    address = serializers.IPAddressField(help_text="the agent to try the credential on")

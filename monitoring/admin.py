from django import forms
from django.contrib import admin, messages

from wardflux.admin_forms import SecretsForm

from .admin_actions import is_trial, poll_now, test_credentials, trial_form
from .models import (
    Device,
    DeviceInterface,
    MonitoringItem,
    MonitoringProfile,
    MonitoringTemplate,
    SNMPCredential,
    Tag,
    TemplateItem,
)
from .templates import apply_template


class SNMPCredentialForm(SecretsForm):
    secret_fields = ("community", "auth_key", "priv_key")
    test_address = forms.GenericIPAddressField(
        required=False,
        label="Address to test",
        help_text="Used by “Test before saving” only; not stored.",
    )

    class Meta:
        model = SNMPCredential
        fields = "__all__"


@admin.register(SNMPCredential)
class SNMPCredentialAdmin(admin.ModelAdmin):
    form = SNMPCredentialForm
    list_display = [
        "name",
        "version",
        "username",
        "security_level",
        "auth_protocol",
        "priv_protocol",
        "port",
    ]
    list_filter = ["version", "security_level"]
    search_fields = ["name", "username"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return trial_form(form, request) if is_trial(request) else form


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class MonitoringItemInline(admin.TabularInline):
    model = MonitoringItem
    extra = 0
    fields = ["name", "key", "oid", "value_type", "units", "interval", "enabled", "last_value"]
    readonly_fields = ["last_value"]
    show_change_link = True


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "name", "ip_address", "device_type", "vendor", "site", "poller_group", "status",
        "snmp_reachable", "enabled", "last_polled", "source",
    ]  # fmt: skip
    list_filter = [
        "device_type",
        "site",
        "poller_group",
        "status",
        "snmp_reachable",
        "enabled",
        "source",
        "vendor",
        "tags",
    ]
    search_fields = ["name", "ip_address", "hostname", "sys_name", "site"]
    list_select_related = ["snmp_credential"]
    autocomplete_fields = ["parent", "snmp_credential"]
    filter_horizontal = ["assigned_to", "tags"]
    readonly_fields = [
        "status", "status_changed", "snmp_reachable", "snmp_failures", "icmp_failures",
        "last_polled", "last_error", "sys_name", "sys_descr", "sys_object_id", "uptime_s", "source",
    ]  # fmt: skip
    inlines = [MonitoringItemInline]
    list_per_page = 100
    actions = [poll_now, test_credentials]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("monitoring.change_device"):
            return actions
        for template in MonitoringTemplate.objects.only("pk", "name"):
            name = f"apply_template_{template.pk}"
            actions[name] = (_apply_action(template.pk), name, f"Apply template: {template.name}")
        return actions


def _apply_action(template_pk: int):
    def action(modeladmin, request, queryset):
        template = MonitoringTemplate.objects.get(pk=template_pk)
        counts = apply_template(template, queryset)
        messages.success(
            request,
            f"{template.name}: {counts['created']} items created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged.",
        )

    return action


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0
    fields = ["name", "key", "oid", "value_type", "units", "interval", "enabled"]


@admin.register(MonitoringTemplate)
class MonitoringTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    inlines = [TemplateItemInline]


@admin.register(MonitoringItem)
class MonitoringItemAdmin(admin.ModelAdmin):
    list_display = [
        "device",
        "name",
        "key",
        "oid",
        "value_type",
        "interval",
        "enabled",
        "last_value",
        "source",
    ]
    list_filter = ["value_type", "interval", "enabled", "source", "template"]
    search_fields = ["device__name", "name", "key", "oid"]
    list_select_related = ["device"]
    autocomplete_fields = ["device"]


@admin.register(MonitoringProfile)
class MonitoringProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "mode", "is_active"]
    list_filter = ["mode", "is_active"]


@admin.register(DeviceInterface)
class DeviceInterfaceAdmin(admin.ModelAdmin):
    """Kept by the poller: read-only here."""

    list_display = ["device", "if_name", "if_index", "if_alias", "if_speed_bps", "if_oper_status"]
    list_filter = ["if_oper_status", "if_admin_status"]
    search_fields = ["device__name", "if_name", "if_alias", "if_descr"]
    list_select_related = ["device"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

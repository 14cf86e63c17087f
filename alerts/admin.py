"""Admin: rules (with a preview), alerts (acknowledge), channels (secrets write-only, test)."""

import json

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from wardflux.admin_forms import SecretInput
from wardflux.permissions import ACTING_ROLES
from wardflux.roles import role_of

from .actions import NotOpen, acknowledge, preview, send_test
from .models import (
    SECRET_KEYS,
    Alert,
    AlertRule,
    MaintenanceWindow,
    NotificationAttempt,
    NotificationChannel,
)
from .notifications import settings_errors


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "metric", "operator", "threshold", "recovery_threshold",
                    "for_seconds", "severity", "enabled"]  # fmt: skip
    list_filter = ["severity", "enabled", "metric"]
    search_fields = ["name", "metric"]
    filter_horizontal = ["devices", "tags", "templates", "channels"]
    actions = ["preview_rules"]

    @admin.action(description="Preview: which devices would fire now")
    def preview_rules(self, request, queryset):
        previews = [{"rule": rule, "rows": preview(rule)} for rule in queryset]
        context = {**self.admin_site.each_context(request), "previews": previews,
                   "title": "Rule preview"}  # fmt: skip
        return TemplateResponse(request, "admin/alerts/alertrule/preview.html", context)


class NotificationAttemptInline(admin.TabularInline):
    model = NotificationAttempt
    extra = 0
    can_delete = False
    fields = ["created_at", "channel", "event", "attempt", "outcome", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["__str__", "device", "state", "severity", "suppressed", "flapping",
                    "acknowledged", "started_at", "resolved_at", "source"]  # fmt: skip
    list_filter = ["state", "severity", "suppressed", "flapping", "acknowledged", "source"]
    search_fields = ["device__name", "rule__name", "title", "comment"]
    list_select_related = ["rule", "device"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in Alert._meta.fields]
    inlines = [NotificationAttemptInline]
    actions = ["acknowledge_alerts"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Acknowledge selected alerts")
    def acknowledge_alerts(self, request, queryset):
        if role_of(request.user) not in ACTING_ROLES:
            self.message_user(request, "Viewers cannot acknowledge.", messages.ERROR)
            return
        done = 0
        for alert in queryset:
            try:
                acknowledge(alert, request.user, f"acknowledged in the admin by {request.user}")
                done += 1
            except NotOpen:
                pass
        self.message_user(request, f"Acknowledged {done} open alert(s).", messages.SUCCESS)


class NotificationChannelForm(forms.ModelForm):
    """Settings as JSON without secrets; each secret has its own write-only input."""

    settings = forms.JSONField(required=False, help_text="Non-secret settings as JSON.")

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin lists `settings` among the form's fields, so Django would fill it from
        # the model (secrets included): set the initial value ourselves.
        self.initial["settings"] = self.instance.public_settings()
        self._stored = dict(self.instance.settings or {})
        stored = set(self.instance.secrets_set()) if self.instance.pk else set()
        for key in sorted(SECRET_KEYS):
            self.fields[f"secret_{key}"] = forms.CharField(
                required=False,
                widget=SecretInput(),
                label=f"{key} (secret)",
                help_text="A secret is stored; leave empty to keep it." if key in stored else "",
            )

    def clean(self):
        data = super().clean()
        public = data.get("settings") or {}
        if not isinstance(public, dict):
            raise forms.ValidationError({"settings": "A JSON object."})
        secrets = {k: data.get(f"secret_{k}") for k in SECRET_KEYS if data.get(f"secret_{k}")}
        stored = self.instance.plain_settings() if self.instance.pk else {}
        kept = {k: v for k, v in stored.items() if k in SECRET_KEYS}
        plain = {**kept, **{k: v for k, v in public.items() if k not in SECRET_KEYS}, **secrets}
        errors = settings_errors(data.get("kind"), plain)
        if errors:
            raise forms.ValidationError({"settings": [f"{k}: {v}" for k, v in errors.items()]})
        self._plain = {**{k: v for k, v in public.items() if k not in SECRET_KEYS}, **secrets}
        return data

    def save(self, commit=True):
        # The ModelForm copied the public JSON onto the instance; merge from what was stored.
        self.instance.settings = self._stored
        self.instance.set_settings(self._plain)
        return super().save(commit)


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    form = NotificationChannelForm
    list_display = ["name", "kind", "enabled", "public_settings_json"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    actions = ["send_test_message"]

    @admin.display(description="settings")
    def public_settings_json(self, obj) -> str:
        return json.dumps(obj.public_settings())

    @admin.action(description="Send a test message")
    def send_test_message(self, request, queryset):
        for channel in queryset:
            error = send_test(channel)
            if error:
                self.message_user(request, f"{channel}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{channel}: test sent.", messages.SUCCESS)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end", "recurrence", "until"]
    list_filter = ["recurrence"]
    search_fields = ["name", "comment"]
    filter_horizontal = ["devices"]

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from .adding import add_results
from .jobs import cancel_job, job_from_rule
from .models import DiscoveryJob, DiscoveryResult, DiscoveryRule, DiscoveryRuleCredential


class RuleCredentialInline(admin.TabularInline):
    model = DiscoveryRuleCredential
    extra = 1
    fields = ["position", "credential"]
    autocomplete_fields = ["credential"]


@admin.register(DiscoveryRule)
class DiscoveryRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "ranges", "interval_minutes", "enabled", "auto_add", "site"]
    list_filter = ["enabled", "auto_add", "site", "poller_group"]
    search_fields = ["name", "site"]
    inlines = [RuleCredentialInline]
    actions = ["run_now"]

    @admin.action(description="Run now")
    def run_now(self, request, queryset):
        from .api.views import enqueue

        for rule in queryset:
            enqueue(job_from_rule(rule, requested_by=request.user))
        self.message_user(request, f"{queryset.count()} discovery job(s) queued.")


@admin.register(DiscoveryJob)
class DiscoveryJobAdmin(admin.ModelAdmin):
    list_display = ["id", "rule", "ranges", "state", "progress", "alive", "classified",
                    "started_at", "finished_at"]  # fmt: skip
    list_filter = ["state", "rule"]
    readonly_fields = [f.name for f in DiscoveryJob._meta.fields]
    actions = ["cancel"]

    @admin.display(description="progress")
    def progress(self, job: DiscoveryJob) -> str:
        pct = job.progress_pct
        return format_html(
            '<progress value="{}" max="100" title="{} / {}"></progress> {}%',
            f"{pct:.0f}",
            job.swept,
            job.total,
            f"{pct:.0f}",
        )

    @admin.action(description="Cancel")
    def cancel(self, request, queryset):
        cancelled = sum(cancel_job(job.pk) for job in queryset)
        self.message_user(request, f"{cancelled} job(s) cancelled.")

    def has_add_permission(self, request) -> bool:
        return False  # jobs start from a rule or the API


class MonitoredFilter(admin.SimpleListFilter):
    title = "already monitored"
    parameter_name = "monitored"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(device__isnull=False)
        if self.value() == "no":
            return queryset.filter(Q(device__isnull=True))
        return queryset


@admin.register(DiscoveryResult)
class DiscoveryResultAdmin(admin.ModelAdmin):
    list_display = ["ip_address", "sys_name", "dns_name", "vendor", "device_type", "template",
                    "snmp", "rtt_ms", "device", "job"]  # fmt: skip
    list_filter = ["device_type", "vendor", MonitoredFilter, "snmp", "job"]
    search_fields = ["ip_address", "sys_name", "dns_name", "sys_descr"]
    list_select_related = ["device", "job"]
    readonly_fields = [f.name for f in DiscoveryResult._meta.fields]
    actions = ["add_to_monitoring"]

    @admin.action(description="Add to monitoring")
    def add_to_monitoring(self, request, queryset):
        report = add_results(queryset.select_related("job"))
        self.message_user(
            request,
            f"{len(report.added)} device(s) added, "
            f"{len(report.already_monitored)} already monitored.",
            messages.SUCCESS,
        )

    def has_add_permission(self, request) -> bool:
        return False

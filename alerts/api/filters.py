import django_filters
from django.db.models import Q

from ..choices import AlertState, Severity
from ..models import Alert


class AlertFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=AlertState.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    site = django_filters.CharFilter(field_name="device__site")
    device_name = django_filters.CharFilter(field_name="device__name")
    since = django_filters.IsoDateTimeFilter(method="filter_since", label="changed since")

    class Meta:
        model = Alert
        fields = ["state", "severity", "device", "site", "rule", "acknowledged", "source"]

    def filter_since(self, queryset, name, value):
        """Alerts that started or resolved at or after `since`: history pages from there."""
        return queryset.filter(Q(started_at__gte=value) | Q(resolved_at__gte=value))

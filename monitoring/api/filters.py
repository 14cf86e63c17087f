import django_filters
from django import forms

from ..models import Device, MonitoringItem


class IPAddressFilter(django_filters.Filter):
    """Validated as an address (400 naming the field): a bare CharFilter let "abc" reach
    the query on the GenericIPAddressField, a 500."""

    field_class = forms.GenericIPAddressField


class DeviceFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(method="filter_tag")
    name = django_filters.CharFilter(lookup_expr="icontains")
    ip_address = IPAddressFilter()

    class Meta:
        model = Device
        fields = [
            "name", "ip_address", "device_type", "vendor", "site", "poller_group", "status",
            "enabled", "source", "parent", "snmp_credential", "tag", "snmp_reachable",
        ]  # fmt: skip

    def filter_tag(self, queryset, name: str, value: str):
        # A subquery, not a join: no DISTINCT over every column (slow on 10,000 devices).
        tagged = Device.tags.through.objects.filter(tag__name=value).values("device_id")
        return queryset.filter(pk__in=tagged)


class MonitoringItemFilter(django_filters.FilterSet):
    class Meta:
        model = MonitoringItem
        fields = ["device", "template", "key", "value_type", "enabled", "interval", "source"]

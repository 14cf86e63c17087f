import django_filters

from ..models import Device, MonitoringItem


class DeviceFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(field_name="tags__name", distinct=True)
    name = django_filters.CharFilter(lookup_expr="icontains")
    ip_address = django_filters.CharFilter()

    class Meta:
        model = Device
        fields = [
            "name", "ip_address", "device_type", "vendor", "site", "poller_group", "status",
            "enabled", "source", "parent", "snmp_credential", "tag", "snmp_reachable",
        ]  # fmt: skip


class MonitoringItemFilter(django_filters.FilterSet):
    class Meta:
        model = MonitoringItem
        fields = ["device", "template", "key", "value_type", "enabled", "interval", "source"]

"""The sync against the real Zabbix: hosts, items, history fed through the trapper, removals,
idempotence, and an outage in the middle."""

import threading
import time

import pytest

from monitoring.choices import Source
from monitoring.models import Device, MonitoringItem
from tests.zabbix.zbx import make_host, send_values, wait_history
from zabbix_bridge import sync as sync_module
from zabbix_bridge.client import ZabbixClient
from zabbix_bridge.mapping import REMOVED_ERROR
from zabbix_bridge.service import run_sync
from zabbix_bridge.sync import SyncFailed, sync_server


def test_hosts_and_numeric_items_become_devices_and_read_only_items(zserver, zapi):
    host = make_host(zapi, name="edge-1", ip="127.0.0.21")
    summary = sync_server(zserver, write=lambda s: None)
    device = Device.objects.get(zabbix_hostid=host["hostid"])
    assert (device.name, device.ip_address, device.site) == (
        "edge-1",
        "127.0.0.21",
        "Linux servers",
    )
    assert device.source == Source.ZABBIX and device.enabled
    items = {i.key: i for i in device.items.all()}
    assert set(items) == {"temp", "octets"}
    assert items["temp"].units == "C" and items["temp"].source == Source.ZABBIX
    assert summary["hosts"]["created"] >= 1 and summary["items"]["created"] >= 2


def test_a_second_sync_changes_nothing(zserver, zapi):
    make_host(zapi)
    sync_server(zserver, write=lambda s: None)
    before = list(Device.objects.values_list("pk", "updated"))
    second = sync_server(zserver, write=lambda s: None)
    assert second["hosts"]["created"] == second["hosts"]["updated"] == 0
    assert second["hosts"]["removed"] == 0
    assert second["items"]["created"] == second["items"]["updated"] == 0
    assert second["items"]["deleted"] == 0
    assert list(Device.objects.values_list("pk", "updated")) == before


def test_a_disabled_host_disables_its_device(zserver, zapi):
    host = make_host(zapi)
    sync_server(zserver, write=lambda s: None)
    zapi.host.update(hostid=host["hostid"], status=1)
    summary = sync_server(zserver, write=lambda s: None)
    assert summary["hosts"]["updated"] == 1
    assert Device.objects.get(zabbix_hostid=host["hostid"]).enabled is False


def test_a_host_deleted_in_zabbix_is_marked_removed(zserver, zapi):
    host = make_host(zapi)
    sync_server(zserver, write=lambda s: None)
    zapi.host.delete(host["hostid"])
    summary = sync_server(zserver, write=lambda s: None)
    device = Device.objects.get(zabbix_hostid=host["hostid"])
    assert summary["hosts"]["removed"] == 1
    assert device.enabled is False and device.last_error == REMOVED_ERROR
    assert device.zabbix_host.removed is True


def test_history_sent_through_the_trapper_becomes_samples_with_their_own_timestamps(
    zserver, zapi, zabbix
):
    host = make_host(zapi, name="core-1", ip="127.0.0.31")
    now = int(time.time())
    sent = [
        (host["host"], "temp", 21.5, now - 30),
        (host["host"], "temp", 22.25, now - 20),
        (host["host"], "octets", 1000, now - 30),
        (host["host"], "octets", 2500, now - 20),
    ]
    send_values(zabbix, sent)
    itemids = [i["itemid"] for i in zapi.item.get(hostids=host["hostid"], output=["itemid"])]
    wait_history(zapi, itemids, 0, 2)
    wait_history(zapi, itemids, 3, 2)
    samples = []
    summary = sync_server(zserver, write=samples.extend)
    mine = sorted((s.name, s.timestamp, s.value) for s in samples if s.labels["device"] == "core-1")
    assert mine == [
        ("zabbix_octets", now - 30, 1000.0),
        ("zabbix_octets", now - 20, 2500.0),
        ("zabbix_temp", now - 30, 21.5),
        ("zabbix_temp", now - 20, 22.25),
    ]
    sample = next(s for s in samples if s.labels["device"] == "core-1")
    assert sample.labels == {"device": "core-1", "ip": "127.0.0.31", "key": sample.labels["key"]}
    assert summary["history"]["values"] == len(samples)
    item = MonitoringItem.objects.get(device__name="core-1", key="temp")
    assert item.last_value == "22.25"
    # The next sync starts where this one ended: nothing twice.
    again = []
    sync_server(zserver, write=again.extend, now=time.time() + 1)
    assert [s for s in again if s.labels["device"] == "core-1"] == []


class OutageAfter(ZabbixClient):
    """A client that stops the real API (the php server) before its n-th call of a method."""

    def __init__(self, zabbix, method: str, calls_before_outage: int, **kwargs):
        super().__init__(zabbix.url, **kwargs)
        self.zabbix, self.method, self.left = zabbix, method, calls_before_outage
        self.counting = threading.Lock()  # history.get runs in several fetch threads

    def get(self, obj, params):
        if obj == self.method:
            with self.counting:
                if self.left == 0:
                    self.zabbix.stop_frontend()
                self.left -= 1
        return super().get(obj, params)


@pytest.fixture
def restart_frontend(zabbix):
    yield
    zabbix.start_frontend()


def test_an_outage_mid_items_writes_no_item_and_the_next_sync_catches_up(
    zserver, zapi, zabbix, monkeypatch, restart_frontend
):
    monkeypatch.setattr(sync_module, "HOSTS_PER_ITEM_CALL", 1)  # one item.get per host
    made = [make_host(zapi, name=f"out-{n}") for n in range(3)]
    client = OutageAfter(zabbix, "item", 2, username="Admin", password="zabbix", timeout=3)
    summary = run_sync(zserver, client=client, write=lambda s: None)
    assert summary["phase"] == "items" and "unreachable" in summary["error"]
    zserver.refresh_from_db()
    assert "items phase failed" in zserver.last_sync_error
    # Hosts (an earlier, complete phase) are in; no item of the failed phase is.
    assert Device.objects.filter(name__startswith="out-").count() == 3
    assert not MonitoringItem.objects.filter(device__name__startswith="out-").exists()
    assert zserver.history_until_s is None
    zabbix.start_frontend()
    summary = run_sync(zserver, write=lambda s: None)
    assert "error" not in summary
    assert MonitoringItem.objects.filter(device__name__startswith="out-").count() == 2 * len(made)


def test_an_outage_mid_history_keeps_the_watermark_so_nothing_is_lost(
    zserver, zapi, zabbix, restart_frontend
):
    host = make_host(zapi, name="hist-out")
    now = int(time.time())
    send_values(zabbix, [(host["host"], "temp", 5.0, now - 10)])
    itemids = [i["itemid"] for i in zapi.item.get(hostids=host["hostid"], output=["itemid"])]
    wait_history(zapi, itemids, 0, 1)
    client = OutageAfter(zabbix, "history", 0, username="Admin", password="zabbix", timeout=3)
    with pytest.raises(SyncFailed) as caught:
        sync_server(zserver, client=client, write=lambda s: None)
    assert caught.value.phase == "history"
    zserver.refresh_from_db()
    assert zserver.history_until_s is None
    zabbix.start_frontend()
    samples = []
    sync_server(zserver, write=samples.extend)
    assert [(s.value, s.timestamp) for s in samples if s.labels["device"] == "hist-out"] == [
        (5.0, now - 10)
    ]


def test_severities_map_zero_to_five_onto_ours():
    from zabbix_bridge.problems import severity_of

    assert [severity_of(n) for n in range(6)] == [
        "info",
        "info",
        "warning",
        "average",
        "high",
        "disaster",
    ]


def test_metric_names_follow_prometheus_rules():
    from monitoring.metrics.samples import METRIC_NAME_RE
    from zabbix_bridge.mapping import metric_name

    name = metric_name("vfs.fs.size[/var/log,pfree]")
    assert name == "zabbix_vfs_fs_size_var_log_pfree" and METRIC_NAME_RE.match(name)

"""The three modes: schedules switch with the profile, and who polls which device."""

import pytest
from django.db import IntegrityError, transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from monitoring.choices import ProfileMode, Source
from monitoring.models import Device, MonitoringProfile
from zabbix_bridge.models import ZabbixServer
from zabbix_bridge.modes import is_polled_locally


@pytest.fixture
def schedules(db):
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    for name in ("poll:1:60s", "poll:2:300s", "icmp:all:30s", "other:task"):
        PeriodicTask.objects.create(name=name, task="x", interval=every)
    ZabbixServer.objects.create(
        name="z", url="http://127.0.0.1:1/api_jsonrpc.php", username="u", password="p"
    )


def enabled() -> dict[str, bool]:
    return dict(PeriodicTask.objects.values_list("name", "enabled"))


def test_zabbix_mode_schedules_no_local_polling(schedules):
    MonitoringProfile.objects.create(name="p", mode=ProfileMode.ZABBIX, is_active=True)
    state = enabled()
    assert not any(v for k, v in state.items() if k.startswith(("poll:", "icmp:")))
    assert state["other:task"] is True
    assert state[f"zabbix-sync:{ZabbixServer.objects.get().pk}"] is True


def test_standalone_mode_turns_the_bridge_off_and_polling_on(schedules):
    profile = MonitoringProfile.objects.create(name="p", mode=ProfileMode.ZABBIX, is_active=True)
    profile.mode = ProfileMode.STANDALONE
    profile.save()
    state = enabled()
    assert all(v for k, v in state.items() if k.startswith(("poll:", "icmp:")))
    assert not any(v for k, v in state.items() if k.startswith("zabbix-sync:"))


def test_hybrid_runs_both(schedules):
    MonitoringProfile.objects.create(name="p", mode=ProfileMode.HYBRID, is_active=True)
    assert all(enabled().values())


def test_the_switch_rolls_back_with_a_failed_profile_save(schedules):
    MonitoringProfile.objects.create(name="p", mode=ProfileMode.HYBRID, is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringProfile.objects.create(name="q", mode=ProfileMode.ZABBIX, is_active=True)
        MonitoringProfile.objects.create(name="p", mode=ProfileMode.ZABBIX)  # duplicate name
    assert all(enabled().values())


def test_hybrid_splits_devices_by_source_and_the_operators_switch(db):
    MonitoringProfile.objects.create(name="p", mode=ProfileMode.HYBRID, is_active=True)
    ours = Device(name="a", ip_address="127.0.0.1", source=Source.WARDFLUX)
    mirrored = Device(name="b", ip_address="127.0.0.2", source=Source.ZABBIX, zabbix_hostid="1")
    flipped = Device(
        name="c", ip_address="127.0.0.3", source=Source.ZABBIX, zabbix_hostid="2", poll_locally=True
    )
    assert [is_polled_locally(d) for d in (ours, mirrored, flipped)] == [True, False, True]


def test_zabbix_mode_polls_nothing_and_standalone_everything(db):
    device = Device(name="a", ip_address="127.0.0.1", source=Source.WARDFLUX)
    assert is_polled_locally(device, ProfileMode.ZABBIX) is False
    mirrored = Device(name="b", ip_address="127.0.0.2", source=Source.ZABBIX)
    assert is_polled_locally(mirrored, ProfileMode.STANDALONE) is True


def test_hybrid_sync_does_not_import_items_of_a_device_polled_here(zserver, zapi):
    from tests.zabbix.zbx import make_host
    from zabbix_bridge.sync import sync_server

    MonitoringProfile.objects.update(mode=ProfileMode.HYBRID)
    make_host(zapi, name="keep")
    flipped = make_host(zapi, name="flip")
    sync_server(zserver, write=lambda s: None)
    Device.objects.filter(zabbix_hostid=flipped["hostid"]).update(poll_locally=True)
    Device.objects.get(name="flip").items.all().delete()
    sync_server(zserver, write=lambda s: None)
    assert Device.objects.get(name="keep").items.count() == 2
    assert Device.objects.get(name="flip").items.count() == 0


# --- end to end: the SNMP engine's schedules, the ICMP dispatch and the poller ----------------


def polled_device(name: str, ip: str, **fields) -> Device:
    from monitoring.models import MonitoringItem, SNMPCredential

    cred, _ = SNMPCredential.objects.get_or_create(name="c", defaults={"community": "public"})
    device = Device.objects.create(name=name, ip_address=ip, snmp_credential=cred, **fields)
    MonitoringItem.objects.create(device=device, key="sysUpTime", oid="1.3.6.1.2.1.1.3.0")
    return device


def enabled_polls() -> set[int]:
    """Devices with an enabled `poll:` beat task."""
    names = PeriodicTask.objects.filter(name__startswith="poll:", enabled=True)
    return {int(n.split(":")[1]) for n in names.values_list("name", flat=True)}


def test_a_switch_to_zabbix_mode_leaves_no_enabled_poll_task_and_back(db):
    from django_celery_beat.models import PeriodicTasks

    profile = MonitoringProfile.objects.create(
        name="p", mode=ProfileMode.STANDALONE, is_active=True
    )
    device = polled_device("sw-a", "127.0.0.61")
    assert enabled_polls() == {device.pk}
    before = PeriodicTasks.last_change()
    with transaction.atomic():
        profile.mode = ProfileMode.ZABBIX
        profile.save()
        # Inside the save's transaction already: beat sees the change at its next tick.
        assert enabled_polls() == set()
        assert not PeriodicTask.objects.filter(name="icmp:dispatch", enabled=True).exists()
    assert PeriodicTasks.last_change() != before
    device.save()  # an edit in zabbix mode schedules nothing either
    assert enabled_polls() == set()
    profile.mode = ProfileMode.STANDALONE
    profile.save()
    assert enabled_polls() == {device.pk}


def test_the_mode_switches_through_the_api(api):
    profile = MonitoringProfile.objects.create(
        name="p", mode=ProfileMode.STANDALONE, is_active=True
    )
    polled_device("sw-b", "127.0.0.62")
    answer = api("admin").patch(
        f"/api/v1/profiles/{profile.pk}/", {"mode": ProfileMode.ZABBIX}, format="json"
    )
    assert answer.status_code == 200, answer.data
    assert enabled_polls() == set()


def test_hybrid_polls_our_devices_and_zabbix_ones_only_once_flipped(api):
    from monitoring.icmp.dispatch import icmp_device_ids

    MonitoringProfile.objects.create(name="p", mode=ProfileMode.HYBRID, is_active=True)
    ours = polled_device("ours", "127.0.0.63")
    theirs = polled_device("theirs", "127.0.0.64", source=Source.ZABBIX, zabbix_hostid="77")
    assert enabled_polls() == {ours.pk}
    assert icmp_device_ids() == [ours.pk]
    answer = api("admin").patch(
        f"/api/v1/devices/{theirs.pk}/", {"poll_locally": True}, format="json"
    )
    assert answer.status_code == 200 and answer.data["source"] == "zabbix"
    assert enabled_polls() == {ours.pk, theirs.pk}
    assert sorted(icmp_device_ids()) == [ours.pk, theirs.pk]


def test_a_poll_sent_before_the_switch_to_zabbix_mode_polls_nothing(db):
    from monitoring.polling import poll_many

    MonitoringProfile.objects.create(name="p", mode=ProfileMode.ZABBIX, is_active=True)
    device = polled_device("late", "127.0.0.65")
    [result] = poll_many([device.pk])
    assert result.skipped == "polled by Zabbix" and result.samples == []


def test_hybrid_stops_importing_history_of_a_device_flipped_to_local_polling(
    zserver, zapi, zabbix, metrics_store
):
    import time

    from tests.zabbix.zbx import make_host, send_values, wait_history
    from zabbix_bridge.sync import sync_server

    MonitoringProfile.objects.filter(is_active=True).update(mode=ProfileMode.HYBRID)
    keep, flip = make_host(zapi, name="hy-keep"), make_host(zapi, name="hy-flip")
    sync_server(zserver)
    Device.objects.filter(name="hy-flip").update(poll_locally=True)
    now = int(time.time()) + 1  # after the first sync's watermark
    send_values(zabbix, [("hy-keep", "temp", 1.5, now), ("hy-flip", "temp", 2.5, now)])
    itemids = [
        i["itemid"]
        for i in zapi.item.get(hostids=[keep["hostid"], flip["hostid"]], output=["itemid"])
    ]
    wait_history(zapi, itemids, 0, 2)
    sync_server(zserver, now=time.time() + 2)
    found = metrics_store.query_range("zabbix_temp", {}, now - 60, now + 1, 1, agg="last")
    assert [s["metric"]["device"] for s in found] == ["hy-keep"]

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

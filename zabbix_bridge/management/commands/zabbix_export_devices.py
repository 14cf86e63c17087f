"""python manage.py zabbix_export_devices --server NAME [--group G]"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from monitoring.choices import Source
from monitoring.models import Device
from zabbix_bridge.client import ZabbixClient, ZabbixError
from zabbix_bridge.export import export_devices
from zabbix_bridge.models import ZabbixServer


class Command(BaseCommand):
    help = "Create Zabbix hosts (SNMP interface, our credentials) for devices WARD FLUX polls."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--server", required=True, help="the Zabbix server's name")
        parser.add_argument("--group", default="WARD FLUX", help="the Zabbix host group")

    def handle(self, *args, server, group, verbosity=1, **options) -> None:
        zs = ZabbixServer.objects.filter(name=server).first()
        if zs is None:
            raise CommandError(f"no Zabbix server named {server!r}")
        devices = Device.objects.filter(source=Source.WARDFLUX)
        try:
            with tqdm(
                total=devices.count(), desc="devices", file=self.stderr, disable=verbosity == 0
            ) as bar:
                counts = export_devices(ZabbixClient.for_server(zs), group, devices, bar)
        except ZabbixError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{counts['created']} hosts created, {counts['existing']} existing\n")

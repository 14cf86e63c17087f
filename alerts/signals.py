"""Signals other apps listen to; alerts never imports its listeners.

`alert_acknowledged` is sent after the acknowledgement is committed, with `alert`,
`user` and `comment`: the Zabbix bridge connects to it to acknowledge the event in Zabbix
(imports flow zabbix_bridge -> alerts, never back).
"""

from django.dispatch import Signal

alert_acknowledged = Signal()

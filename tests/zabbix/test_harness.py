"""The test Zabbix itself: it runs, answers the API, and stops without leaving processes."""

from tests.servers.zabbix import session_pids


def test_it_answers_the_api_and_runs_the_server_in_its_own_session(zabbix, zapi):
    assert zabbix.api_version().startswith("6.0.")
    assert zabbix.server_pid in session_pids(zabbix.server_sid)
    assert zapi.host.get(countOutput=True) is not None

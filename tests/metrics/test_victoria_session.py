"""The store's one session reads the environment's proxy settings once, for VICTORIA_URL:
a proxy set for the site still carries the writes, NO_PROXY still exempts its hosts."""

from monitoring.metrics.victoria import VictoriaStore


def test_proxy_settings_are_read_once_for_the_store_url(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "vm.local")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    remote = VictoriaStore("http://vm.example:8428")
    exempt = VictoriaStore("http://vm.local:8428")
    monkeypatch.setenv("HTTP_PROXY", "http://other.invalid:1")  # later changes: not seen
    assert not remote.session.trust_env
    assert remote.session.proxies.get("http") == "http://proxy.invalid:3128"
    assert "http" not in exempt.session.proxies

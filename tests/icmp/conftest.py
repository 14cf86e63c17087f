from tests.servers.netns import netns_lab  # noqa: F401 - fixture

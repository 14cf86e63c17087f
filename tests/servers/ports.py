"""Free loopback ports for test servers.

The OS picks a free port for a socket bound to port 0; we close it and hand the
number to the server. A tiny race remains, which is why servers are started with
a bounded retry by their helpers.
"""

import socket

LOOPBACK = "127.0.0.1"


def free_udp_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_tcp_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]

"""A malformed or hostile reply is a BerError, never another exception.

The v1/v2c codec parses datagrams from the network in Python: an agent's bug (or
anyone who can send UDP to the poller) must end one request with our protocol error,
not crash the poll with an IndexError. Deterministic mutations of real responses:
every truncation, and seeded random byte flips and insertions.
"""

import random

import pytest

from monitoring.snmp import ber

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"


def _varbind(oid: str, tag: int, raw: bytes) -> bytes:
    return ber._tlv(0x30, ber._tlv(0x06, ber.encode_oid(oid)) + ber._tlv(tag, raw))


def _response(varbinds: list[bytes], request_id: int = 4242) -> bytes:
    pdu = ber._int(request_id) + ber._int(0) + ber._int(0) + ber._tlv(0x30, b"".join(varbinds))
    message = ber._int(1) + ber._tlv(0x04, b"public") + ber._tlv(ber.RESPONSE, pdu)
    return ber._tlv(0x30, message)


WALK_REPLY = _response(
    [
        _varbind(f"{IF_DESCR}.1", 0x04, b"GigabitEthernet0/0"),
        _varbind(f"{IF_HC_IN}.1", 0x46, (2**64 - 1).to_bytes(8, "big")),
        _varbind(f"{IF_DESCR}.2", 0x04, b"x" * 200),  # long form length
        _varbind(f"{IF_HC_IN}.2", 0x46, b"\x01\x00"),
        _varbind(f"{IF_DESCR}.3", 0x44, b"\x9f\x78\x04\x3f\x80\x00\x00"),  # Opaque float
        _varbind("1.3.6.1.2.1.2.2.1.3.1", 0x06, ber.encode_oid("1.3.6.1.4.1.9")),
    ]
)


def _parse(data: bytes) -> int:
    """What the transport does with a datagram: its header, then the walk's decoding;
    returns 1 when either raised BerError, else 0."""
    try:
        _rid, _status, _index, start, end = ber.response_header(data)
        ber.ColumnWalk([IF_DESCR, IF_HC_IN], max_rows=1000).feed(data, start, end)
    except ber.BerError:
        return 1
    return 0


def _mutations(data: bytes, seed: int, count: int):
    rng = random.Random(seed)
    for cut in range(len(data)):
        yield data[:cut]
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(b))
            choice = rng.random()
            if choice < 0.6:
                b[pos] = rng.randrange(256)
            elif choice < 0.8:
                b.insert(pos, rng.choice((0x80, 0x81, 0x84, 0xFF, 0x00)))
            else:
                del b[pos]
        yield bytes(b)


def test_the_unmutated_replies_parse():
    _rid, status, _index, start, end = ber.response_header(WALK_REPLY)
    walk = ber.ColumnWalk([IF_DESCR, IF_HC_IN], max_rows=1000)
    walk.feed(WALK_REPLY, start, end)
    rows = walk.result()
    assert status == 0
    assert rows[IF_DESCR]["1"] == b"GigabitEthernet0/0"
    assert rows[IF_HC_IN]["1"] == 2**64 - 1
    assert rows[IF_DESCR]["3"] == pytest.approx(1.0)


def test_truncated_and_corrupted_replies_raise_only_ber_errors():
    tried = refused = 0
    for data in _mutations(WALK_REPLY, seed=len(WALK_REPLY), count=3000):
        tried += 1
        # Anything but BerError (IndexError, struct.error, ...) escapes and fails the test.
        refused += _parse(data)
    assert tried > 3000
    assert refused > tried // 2  # the mutations do reach the decoders' error paths

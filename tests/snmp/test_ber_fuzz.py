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
GET_REPLY = _response(
    [
        _varbind("1.3.6.1.2.1.1.3.0", 0x43, b"\x01\x02\x03"),
        _varbind("1.3.6.1.2.1.1.5.0", 0x04, b"edge-rtr-01"),
        _varbind("1.3.6.1.2.1.4.20.1.1.10.0.0.1", 0x40, b"\x0a\x00\x00\x01"),
        _varbind("1.3.6.1.2.1.1.9.0", 0x81, b""),  # noSuchInstance
    ]
)


def _parse(data: bytes) -> int:
    """What the transport does with a datagram: its header, then GET or walk decoding
    (each on its own, so one decoder's early error does not hide the other's); returns
    how many decoders raised BerError."""
    ber.request_id_of(data)
    try:
        _rid, _status, _index, start, end = ber.response_header(data)
    except ber.BerError:
        return 1
    refused = 0
    for decode in (
        lambda: ber.decode_get(data, start, end, {}),
        lambda: ber.ColumnWalk([IF_DESCR, IF_HC_IN], max_rows=1000).feed(data, start, end),
    ):
        try:
            decode()
        except ber.BerError:
            refused += 1
    return refused


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
    _rid, _status, _index, start, end = ber.response_header(GET_REPLY)
    found = ber.decode_get(GET_REPLY, start, end, {})
    assert found == {
        "1.3.6.1.2.1.1.3.0": 0x010203,
        "1.3.6.1.2.1.1.5.0": b"edge-rtr-01",
        "1.3.6.1.2.1.4.20.1.1.10.0.0.1": "10.0.0.1",
    }


@pytest.mark.parametrize("reply", [WALK_REPLY, GET_REPLY], ids=["walk", "get"])
def test_truncated_and_corrupted_replies_raise_only_ber_errors(reply):
    tried = refused = 0
    for data in _mutations(reply, seed=len(reply), count=3000):
        tried += 1
        # Anything but BerError (IndexError, struct.error, ...) escapes and fails the test.
        refused += _parse(data)
    assert tried > 3000
    assert refused > tried // 2  # the mutations do reach the decoders' error paths

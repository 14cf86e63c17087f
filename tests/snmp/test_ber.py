"""The v1/v2c codec's pure parts: OIDs and requests byte for byte as net-snmp sends them."""

import pytest

from monitoring.snmp import ber


@pytest.mark.parametrize(
    "oid",
    ["1.3.6.1.2.1.1.3.0", "1.3.6.1.4.1.2636.3.1.13.1.8", "2.999.3", "1.3.128.16384.4294967295"],
)
def test_oids_round_trip(oid):
    assert ber.decode_oid(ber.encode_oid(oid)) == oid


def test_big_sub_identifiers_use_base_128_with_continuation_bits():
    # 2636 = 20 * 128 + 76: 0x80 | 20, then 76
    assert ber.encode_oid("1.3.6.1.4.1.2636") == bytes.fromhex("2b06010401944c")


def test_getnext_of_sys_uptime_is_the_bytes_snmpgetnext_sends():
    # snmpgetnext -v2c -c public HOST 1.3.6.1.2.1.1.3.0 with request-id 1234 (0x04d2)
    # (captured from net-snmp 5.9: the same bytes around its random 4-byte request-id).
    message = ber.encode_request(
        "v2c", b"public", ber.GETNEXT, 1234, [ber.encode_oid("1.3.6.1.2.1.1.3.0")]
    )
    assert message.hex() == (
        "3027" "020101" "0406" + b"public".hex() + "a11a" "020204d2" "020100" "020100"
        "300e" "300c" "06082b06010201010300" "0500"
    )  # fmt: skip


def test_getbulk_carries_max_repetitions_and_every_column():
    columns = [ber.encode_oid("1.3.6.1.2.1.2.2.1.2"), ber.encode_oid("1.3.6.1.2.1.31.1.1.1.1")]
    message = ber.encode_request("v2c", b"public", ber.GETBULK, 7, columns, max_repetitions=25)
    assert b"\xa5" in message and message.count(b"\x05\x00") == 2
    assert b"\x02\x01\x19" in message  # max-repetitions 25


def test_an_unreadable_datagram_is_a_ber_error():
    for data in (b"\x30\x03\x02\x01", b"garbage"):
        with pytest.raises(ber.BerError):
            ber.response_header(data)


def test_not_numeric_oid_is_refused():
    with pytest.raises(ber.BerError):
        ber.encode_oid("sysName.0")

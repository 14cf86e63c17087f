"""SNMP v1/v2c messages in BER: the GETNEXT/GETBULK of a multi-column walk and their
responses. Pure.

Why our own codec: gufo-snmp 0.13 puts one OID in a GETNEXT or GETBULK, so walking
the 21 columns of the generic template took 21 PDUs (and 21 turns of the event loop)
per device. One GETBULK carrying all of a table's columns (what snmptable and
snmpbulkget do) takes one. Everything else (GETs, one-column walks, all of v3) goes
through gufo-snmp: see monitoring.snmp.client.

Values decode as gufo's do: ``int`` (INTEGER, Counter32, Gauge32, TimeTicks,
Counter64), ``bytes`` (OCTET STRING), ``str`` (OBJECT IDENTIFIER, IpAddress),
``float`` (Opaque float and double), ``None`` (NULL).

A walk response is decoded lazily: a column that has left its subtree is skipped by
its length, never decoded, and the row index is read off the bytes after the
column's own encoded prefix (BER sub-identifiers are self-delimiting, so a byte
prefix is an OID prefix).
"""

from __future__ import annotations

import struct
from functools import lru_cache

GETNEXT, RESPONSE, GETBULK = 0xA1, 0xA2, 0xA5
VERSION_CODES = {"v1": 0, "v2c": 1}
NO_SUCH_NAME, TOO_BIG = 2, 1
ERROR_NAMES = {
    1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr",
    6: "noAccess", 7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue",
    11: "noCreation", 12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed",
    15: "undoFailed", 16: "authorizationError", 17: "notWritable", 18: "inconsistentName",
}  # fmt: skip
_EXCEPTIONS = (0x80, 0x81, 0x82)  # noSuchObject, noSuchInstance, endOfMibView
_UNSIGNED = (0x41, 0x42, 0x43, 0x46)  # Counter32, Gauge32, TimeTicks, Counter64
_NULL_VARBIND_TAIL = b"\x05\x00"
_INDEX_CACHE: dict[bytes, str] = {}
_INDEX_CACHE_MAX = 100_000


class BerError(ValueError):
    """A message that is not the SNMP we can read."""


class ErrorStatus(Exception):
    """The agent answered with a non-zero error-status (index is 1-based, 0 = none)."""

    def __init__(self, status: int, index: int):
        super().__init__(f"{ERROR_NAMES.get(status, status)} at varbind {index}")
        self.status, self.index = status, index


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes((tag,)) + _length(len(content)) + content


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True))


@lru_cache(maxsize=65_536)
def encode_oid(oid: str) -> bytes:
    """The content octets of an OID (no tag, no length)."""
    try:
        arcs = [int(a) for a in oid.strip(".").split(".")]
    except ValueError:
        raise BerError(f"not a numeric OID: {oid!r}") from None
    if len(arcs) < 2 or arcs[0] > 2 or min(arcs) < 0:
        raise BerError(f"not a valid OID: {oid!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def _arcs(data: bytes) -> list[int]:
    """BER sub-identifiers: base 128, the high bit set on all but each one's last byte."""
    arcs, arc = [], 0
    for byte in data:
        arc = (arc << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(arc)
            arc = 0
    return arcs


def decode_oid(data: bytes) -> str:
    arcs = _arcs(data)
    if not arcs:
        raise BerError("empty OID")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(map(str, head + arcs[1:]))


def decode_index(suffix: bytes) -> str:
    """The dotted row index from the encoded sub-identifiers after a column's OID."""
    found = _INDEX_CACHE.get(suffix)
    if found is None:
        found = ".".join(map(str, _arcs(suffix)))
        if len(_INDEX_CACHE) >= _INDEX_CACHE_MAX:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[suffix] = found
    return found


@lru_cache(maxsize=65_536)
def _null_varbind(oid: bytes) -> bytes:
    return _tlv(0x30, b"\x06" + _length(len(oid)) + oid + _NULL_VARBIND_TAIL)


def encode_request(
    version: str,
    community: bytes,
    pdu_type: int,
    request_id: int,
    oids: list[bytes],
    max_repetitions: int = 0,
) -> bytes:
    """A GETNEXT or GETBULK message for these encoded OIDs (values NULL)."""
    varbinds = b"".join(map(_null_varbind, oids))
    second, third = (0, max_repetitions) if pdu_type == GETBULK else (0, 0)
    pdu = _int(request_id) + _int(second) + _int(third) + _tlv(0x30, varbinds)
    message = _int(VERSION_CODES[version]) + _tlv(0x04, community) + _tlv(pdu_type, pdu)
    return _tlv(0x30, message)


def _header(data: bytes, i: int) -> tuple[int, int, int]:
    """(tag, length, start of content) of the TLV at ``i``."""
    try:
        tag, n = data[i], data[i + 1]
    except IndexError:
        raise BerError("truncated message") from None
    i += 2
    if n & 0x80:
        k = n & 0x7F
        if not k or k > 4:
            raise BerError("bad length")
        n = int.from_bytes(data[i : i + k], "big")
        i += k
    if i + n > len(data):
        raise BerError("truncated message")
    return tag, n, i


def _small_int(data: bytes, i: int) -> tuple[int, int]:
    tag, n, i = _header(data, i)
    if tag != 0x02:
        raise BerError(f"expected INTEGER, got tag 0x{tag:02x}")
    return int.from_bytes(data[i : i + n], "big", signed=True), i + n


def response_header(data: bytes) -> tuple[int, int, int, int, int]:
    """(request_id, error_status, error_index, start, end) of a response's varbind list."""
    tag, n, i = _header(data, 0)
    if tag != 0x30:
        raise BerError("not an SNMP message")
    _version, i = _small_int(data, i)
    tag, n, i = _header(data, i)  # community
    i += n
    tag, n, i = _header(data, i)
    if tag != RESPONSE:
        raise BerError(f"not a Response PDU (tag 0x{tag:02x})")
    request_id, i = _small_int(data, i)
    status, i = _small_int(data, i)
    index, i = _small_int(data, i)
    tag, n, i = _header(data, i)
    if tag != 0x30:
        raise BerError("bad varbind list")
    return request_id, status, index, i, i + n


def decode_value(tag: int, raw: bytes) -> object:
    if tag == 0x04:
        return raw
    if tag in _UNSIGNED:
        return int.from_bytes(raw, "big")
    if tag == 0x02:
        return int.from_bytes(raw, "big", signed=True)
    if tag == 0x06:
        return decode_oid(raw)
    if tag == 0x40:
        return ".".join(map(str, raw))
    if tag == 0x05:
        return None
    if tag == 0x44:  # Opaque: a float or double wrapped by net-snmp, else the bytes
        if raw[:3] == b"\x9f\x78\x04" and len(raw) == 7:
            return struct.unpack(">f", raw[3:])[0]
        if raw[:3] == b"\x9f\x79\x08" and len(raw) == 11:
            return struct.unpack(">d", raw[3:])[0]
        return raw
    return raw


class ColumnWalk:
    """The state of walking several columns at once, one response after another.

    ``feed`` takes a GETNEXT/GETBULK response's varbinds (row-major: repetition r of
    the i-th requested column is varbind ``r * width + i``), keeps those still inside
    their column, and moves each column's cursor; a column is done when it leaves its
    subtree, hits endOfMibView or repeats its last OID (an agent looping).
    """

    def __init__(self, columns: list[str], max_rows: int):
        self.columns = columns
        self.prefixes = [encode_oid(column) for column in columns]
        self.cursors = list(self.prefixes)
        self.rows: list[dict[str, object]] = [{} for _ in columns]
        self.active = list(range(len(columns)))
        self.max_rows = max_rows

    def request_oids(self) -> list[bytes]:
        return [self.cursors[c] for c in self.active]

    def end(self, position: int) -> None:
        """The column at this position of the last request is done (v1 noSuchName)."""
        self.active.pop(position)

    def feed(self, data: bytes, start: int, end: int) -> None:
        try:
            self._feed(data, start, end)
        except (IndexError, OverflowError) as exc:  # lengths that point past the datagram
            raise BerError(f"malformed varbind: {exc}") from None

    def _feed(self, data: bytes, start: int, end: int) -> None:
        active, width = self.active, len(self.active)
        if not width:
            return
        done = [False] * width
        prefixes, cursors, rows = self.prefixes, self.cursors, self.rows
        index_cache = _INDEX_CACHE
        if start >= end:
            raise BerError("a walk response without varbinds")
        position = 0
        i = start
        while i < end:
            # Inline TLV walking: this loop runs once per varbind of every walk.
            n = data[i + 1]
            j = i + 2
            if n & 0x80:
                k = n & 0x7F
                n = int.from_bytes(data[j : j + k], "big")
                j += k
            next_i = j + n
            if next_i > end:
                raise BerError("truncated varbind")
            if not done[position]:
                column = active[position]
                on = data[j + 1]
                j += 2
                if on & 0x80:
                    k = on & 0x7F
                    on = int.from_bytes(data[j : j + k], "big")
                    j += k
                oid = data[j : j + on]
                j += on
                vtag, vn = data[j], data[j + 1]
                j += 2
                if vn & 0x80:
                    k = vn & 0x7F
                    vn = int.from_bytes(data[j : j + k], "big")
                    j += k
                if j + vn > next_i:
                    raise BerError("a value longer than its varbind")
                prefix = prefixes[column]
                if (
                    vtag in _EXCEPTIONS
                    or not oid.startswith(prefix)
                    or len(oid) == len(prefix)
                    or oid == cursors[column]
                ):
                    done[position] = True
                else:
                    cursors[column] = oid
                    raw = data[j : j + vn]
                    if vtag in _UNSIGNED:
                        value = int.from_bytes(raw, "big")
                    elif vtag == 0x04:
                        value = raw
                    else:
                        value = decode_value(vtag, raw)
                    suffix = oid[len(prefix) :]
                    index = index_cache.get(suffix)
                    table = rows[column]
                    table[decode_index(suffix) if index is None else index] = value
                    if len(table) > self.max_rows:
                        raise BerError(
                            f"walk of {self.columns[column]} passed {self.max_rows} rows"
                        )
            position += 1
            if position == width:
                position = 0
            i = next_i
        self.active = [c for p, c in enumerate(active) if not done[p]]

    def result(self) -> dict[str, dict[str, object]]:
        return dict(zip(self.columns, self.rows, strict=True))

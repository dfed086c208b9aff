"""kit.protowire: protobuf messages read by field number, malformed input refused."""

import pytest

from vibeusage.kit.protowire import first_bytes, first_int, message_fields, read_varint


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, value: object) -> bytes:
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    assert isinstance(value, bytes)
    return varint(number << 3 | 2) + varint(len(value)) + value


def test_varints_nested_messages_and_fixed_fields_are_read() -> None:
    inner = field(1, 1791300000)
    data = field(1, b"token") + field(4, inner) + field(1, b"again") + field(2, 300)
    data += varint(3 << 3 | 5) + b"\x01\x00\x00\x00" + varint(5 << 3 | 1) + b"\x02" + b"\0" * 7
    fields = message_fields(data)
    assert fields[1] == [b"token", b"again"]
    assert first_bytes(fields, 1) == b"token" and first_int(fields, 2) == 300
    assert fields[3] == [1] and fields[5] == [2]
    assert first_int(message_fields(first_bytes(fields, 4)), 1) == 1791300000


@pytest.mark.parametrize(
    "data",
    [
        b"\x0a\x05abc",  # length past the end
        b"\x08",  # truncated varint
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # longer than 64 bits
        b"\x0b",  # wire type 3 (groups) is not supported
        b"\x00\x01",  # field number 0
        b"\x0d\x01\x00",  # truncated fixed32
    ],
)
def test_malformed_messages_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        message_fields(data)


def test_missing_fields_raise_value_error() -> None:
    fields = message_fields(field(1, 5))
    with pytest.raises(ValueError):
        first_bytes(fields, 1)
    with pytest.raises(ValueError):
        first_int(fields, 2)
    assert read_varint(b"\xac\x02", 0) == (300, 2)

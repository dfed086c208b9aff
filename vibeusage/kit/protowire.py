"""Protocol Buffers wire format, read without a schema: a message's fields by number.

Desktop apps keep some of their state as serialised protobuf messages; reading a token out
of one needs only the wire format (varints and length-delimited fields), not the library.
"""

from typing import Dict, List, Tuple, Union

Value = Union[int, bytes]


def message_fields(data: bytes) -> Dict[int, List[Value]]:
    """Every field of one message: number -> values in order (ints, or bytes for length-delimited).

    Raises ValueError on a truncated or malformed message.
    """
    fields: Dict[int, List[Value]] = {}
    position = 0
    while position < len(data):
        key, position = read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ValueError("field number 0")
        value: Value
        if wire_type == 0:
            value, position = read_varint(data, position)
        elif wire_type == 1:
            value, position = _fixed(data, position, 8)
        elif wire_type == 2:
            length, position = read_varint(data, position)
            if position + length > len(data):
                raise ValueError("length-delimited field runs past the end")
            value, position = data[position : position + length], position + length
        elif wire_type == 5:
            value, position = _fixed(data, position, 4)
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def read_varint(data: bytes, position: int) -> Tuple[int, int]:
    """The varint at ``position`` and the position after it."""
    result = shift = 0
    while True:
        if position >= len(data):
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift >= 64:
            raise ValueError("varint longer than 64 bits")


def first_bytes(fields: Dict[int, List[Value]], number: int) -> bytes:
    """The first length-delimited value of field ``number``; ValueError when there is none."""
    for value in fields.get(number, ()):
        if isinstance(value, bytes):
            return value
    raise ValueError(f"no length-delimited field {number}")


def first_int(fields: Dict[int, List[Value]], number: int) -> int:
    """The first varint value of field ``number``; ValueError when there is none."""
    for value in fields.get(number, ()):
        if isinstance(value, int):
            return value
    raise ValueError(f"no varint field {number}")


def _fixed(data: bytes, position: int, size: int) -> Tuple[int, int]:
    if position + size > len(data):
        raise ValueError("truncated fixed-size field")
    return int.from_bytes(data[position : position + size], "little"), position + size


__all__ = ["first_bytes", "first_int", "message_fields", "read_varint"]

"""Requests generated from message descriptors: valid, malformed and hostile values for every
field, reproducible from a seed. Used by the generated-input test over every RPC."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from deedflow.type.v1 import field_rules_pb2
from tests.support import INVALID, VALID, message_class, rules

INT32 = (0, 1, -1, 7, 500, 501, 2**31 - 1, -(2**31))
INT64 = (*INT32, 2**53, 2**63 - 1, -(2**63), 10**15)
UINT32 = (0, 1, 2**32 - 1)
UINT64 = (0, 1, 2**64 - 1, 2**63)
# Timestamps at and beyond what anything can represent (0001-01-01, 9999-12-31, past both).
SECONDS = (0, 1_780_000_000, -62_135_596_800, 253_402_300_799, 253_402_300_800, -(2**63), 2**63 - 1)
NANOS = (0, 999_999_999, 1_000_000_000, -1)

_TYPES_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
_TYPES_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64}
_TYPES_UINT32 = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_TYPES_UINT64 = {FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64}


@dataclass
class Generator:
    """Makes requests: each field set or not, to a value drawn from valid identifiers, names of
    real objects (`known`), broken identifiers, and sizes, bytes and numbers chosen to break
    things (NUL, a megabyte, out-of-range numbers and timestamps, unknown enum values)."""

    rng: random.Random
    known: list[str] = field(default_factory=list)
    # Megabyte values are slow to send; one call in `huge_one_in` may carry one.
    huge_one_in: int = 40

    def request(self, descriptor: Descriptor) -> Message:
        """Half the time anything at all; else a plausible request with one field made hostile,
        so that calls get past the door and into the handlers."""
        message = message_class(descriptor)()
        if self.rng.random() < 0.5:
            self._fill(message, depth=0)
            return message
        self._plausible(message, depth=0)
        leaves = list(self._leaves(message))
        if leaves:
            owner, fd = self.rng.choice(leaves)
            owner.ClearField(fd.name)
            if fd.is_repeated:
                getattr(owner, fd.name).append(self._scalar(fd))
            else:
                setattr(owner, fd.name, self._scalar(fd))
        return message

    def _plausible(self, message: Message, depth: int) -> None:
        """Every field set to a value that could be right: valid identifiers, names of real
        objects, small positive numbers, declared enum values, today's timestamps."""
        if message.DESCRIPTOR.full_name == "google.protobuf.Timestamp":
            message.seconds = 1_780_000_000
            return
        for fd in message.DESCRIPTOR.fields:
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                if depth < 4:
                    child = getattr(message, fd.name).add() if fd.is_repeated else getattr(message, fd.name)
                    child.SetInParent()
                    self._plausible(child, depth + 1)
                continue
            value = self._likely(fd)
            if fd.is_repeated:
                getattr(message, fd.name).append(value)
            else:
                setattr(message, fd.name, value)

    def _likely(self, fd: FieldDescriptor):
        kind = fd.type
        if kind == FieldDescriptor.TYPE_STRING:
            fmt = rules(fd).format
            if fmt == field_rules_pb2.IDENTIFIER_FORMAT_UUID:
                return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            if fmt:
                return VALID[fmt]
            return self.rng.choice(self.known) if self.known and self.rng.random() < 0.7 else "示例"
        if kind == FieldDescriptor.TYPE_BYTES:
            return self.rng.randbytes(32)
        if kind == FieldDescriptor.TYPE_BOOL:
            return self.rng.random() < 0.5
        if kind == FieldDescriptor.TYPE_ENUM:
            declared = [v.number for v in fd.enum_type.values if v.number]
            return self.rng.choice(declared) if declared else 0
        if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
            return 1.0
        return self.rng.choice((1, 2, 50, 5000, 9000))

    def _leaves(self, message: Message):
        """(owner, field) for every scalar field set in the message, at any depth."""
        for fd, value in message.ListFields():
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                for item in value if fd.is_repeated else [value]:
                    yield from self._leaves(item)
            else:
                yield message, fd

    def _fill(self, message: Message, depth: int) -> None:
        if message.DESCRIPTOR.full_name == "google.protobuf.Timestamp":
            message.seconds = self.rng.choice(SECONDS)
            message.nanos = self.rng.choice(NANOS)
            return
        for fd in message.DESCRIPTOR.fields:
            if self.rng.random() < 0.35:
                continue
            if fd.is_repeated:
                count = self.rng.choice((0, 1, 1, 2, 3, 30, 300 if depth == 0 else 3))
                container = getattr(message, fd.name)
                for _ in range(count):
                    if fd.type == FieldDescriptor.TYPE_MESSAGE:
                        if depth < 4:
                            self._fill(container.add(), depth + 1)
                    else:
                        container.append(self._scalar(fd))
                continue
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                if depth < 4:
                    child = getattr(message, fd.name)
                    child.SetInParent()
                    self._fill(child, depth + 1)
                continue
            setattr(message, fd.name, self._scalar(fd))

    def _scalar(self, fd: FieldDescriptor):
        kind = fd.type
        if kind == FieldDescriptor.TYPE_STRING:
            return self._string(fd)
        if kind == FieldDescriptor.TYPE_BYTES:
            return self._bytes()
        if kind == FieldDescriptor.TYPE_BOOL:
            return self.rng.random() < 0.5
        if kind == FieldDescriptor.TYPE_ENUM:
            declared = [v.number for v in fd.enum_type.values]
            return self.rng.choice([*declared, *declared, 999, -1, 2**31 - 1])
        if kind in _TYPES_INT32:
            return self.rng.choice(INT32)
        if kind in _TYPES_INT64:
            return self.rng.choice(INT64)
        if kind in _TYPES_UINT32:
            return self.rng.choice(UINT32)
        if kind in _TYPES_UINT64:
            return self.rng.choice(UINT64)
        return self.rng.choice((0.0, -1.0, 1e308, float("inf"), float("nan")))

    def _string(self, fd: FieldDescriptor) -> str:
        fmt = rules(fd).format
        choices = [
            lambda: "",
            lambda: VALID.get(fmt, "x"),
            lambda: INVALID.get(fmt, "y"),
            lambda: self.rng.choice(self.known) if self.known else "projects/1",
            lambda: self.rng.choice(self.known) + "\x00" if self.known else "a\x00b",
            lambda: "a\x00b",
            lambda: "名" * self.rng.choice((1, 65, 300, 5_000)),
            lambda: "9" * self.rng.choice((1, 19, 30, 400)),
            lambda: self.rng.choice(("projects/", "purchases/-1", "../../etc", "%00", "' OR 1=1 --")),
            lambda: "\U0001f600 \u202e \ufeff",
        ]
        if self.rng.randrange(self.huge_one_in) == 0:
            return "x" * 1_100_000
        return self.rng.choice(choices)()

    def _bytes(self) -> bytes:
        if self.rng.randrange(self.huge_one_in) == 0:
            return b"\xff" * 1_100_000
        return self.rng.choice((b"", b"\x00", b"\xff\xfe", self.rng.randbytes(64), self.rng.randbytes(5_000)))

    def corrupt(self, data: bytes) -> bytes:
        """Wire bytes a client library would never send: invalid UTF-8 in a string, a truncated
        message, a flipped byte or an unknown field."""
        mode = self.rng.randrange(4)
        if mode == 0:
            # Field 1 as length-delimited (a string in most of our requests), invalid UTF-8.
            return b"\x0a\x03\xc3\x28\xff" + data
        if mode == 1 and data:
            return data[: self.rng.randrange(len(data))]
        if mode == 2 and data:
            i = self.rng.randrange(len(data))
            return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]
        return data + b"\xf8\xff\x07\x01"

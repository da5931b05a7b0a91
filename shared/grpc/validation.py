"""Checks every request at the door: the bytes must parse, and every field must keep the rules
declared in the protos (deedflow.type.v1.field) and the bounds every field has without them
(docs/authorization.md, "Every input bounded"): lengths, item counts, no NUL, integer ranges,
timestamps a calendar can hold, enum values the enum declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp

from deedflow.type.v1 import field_rules_pb2
from shared import districts, ids
from shared.errors import FieldViolation

_FORMATS: dict[int, Callable[[str], str]] = {
    field_rules_pb2.IDENTIFIER_FORMAT_UNIT_NUMBER: ids.validate_unit_number,
    field_rules_pb2.IDENTIFIER_FORMAT_RESIDENT_ID: ids.validate_resident_id,
    field_rules_pb2.IDENTIFIER_FORMAT_USCC: ids.validate_uscc,
    field_rules_pb2.IDENTIFIER_FORMAT_UUID: ids.validate_uuid,
    field_rules_pb2.IDENTIFIER_FORMAT_BUILDING_NUMBER: ids.validate_building_number,
    field_rules_pb2.IDENTIFIER_FORMAT_AUTHORITY_CODE: districts.validate_authority_code,
}

# The bounds of a field that declares none (field_rules.proto).
MAX_STRING_CHARS = 256
MAX_BYTES = 1024
MAX_ITEMS = 100
# 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z: any date a purchase, a ruling or a loan can bear,
# with room for the arithmetic on it (a term of years) to stay in range.
EARLIEST_SECONDS = -2_208_988_800
LATEST_SECONDS = 7_258_118_400

_TIMESTAMP = "google.protobuf.Timestamp"
_TEXT = (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES)


class Undecodable:
    """What a request that does not parse becomes, so the door refuses it as INVALID_ARGUMENT
    (gRPC would otherwise answer UNKNOWN or INTERNAL)."""

    def __init__(self, type_name: str, error: str) -> None:
        self.type_name = type_name
        self.error = error

    def violation(self) -> FieldViolation:
        return FieldViolation("", f"the request is not a valid {self.type_name}: {self.error}")


def tolerant(
    deserialize: Callable[[bytes], Message] | None, type_name: str = "request"
) -> Callable[[bytes], Message | Undecodable] | None:
    """`deserialize` that turns bytes it cannot parse (invalid UTF-8, truncation) into Undecodable."""
    if deserialize is None:
        return None

    def parse(data: bytes) -> Message | Undecodable:
        try:
            return deserialize(data)
        except (DecodeError, ValueError, RuntimeError) as exc:
            return Undecodable(type_name, str(exc)[:200])

    return parse


@dataclass(frozen=True)
class _FieldPlan:
    field: FieldDescriptor
    required: bool
    check: Callable[[str], str] | None
    # Whether a message-typed field is checked further down (every one is: strings have bounds).
    descend: bool
    max_len: int
    max_items: int
    minimum: int | None
    maximum: int | None
    # For an enum field, the numbers its enum declares.
    known: frozenset[int] | None = None


# protoc's stubs type an extension as a plain FieldDescriptor, which the options' typed
# Extensions map does not take.
_RULES_EXTENSION: Any = field_rules_pb2.field


def _rules(field: FieldDescriptor) -> field_rules_pb2.FieldRules:
    options = field.GetOptions()
    if options.HasExtension(_RULES_EXTENSION):
        rules: field_rules_pb2.FieldRules = options.Extensions[_RULES_EXTENSION]
        return rules
    return field_rules_pb2.FieldRules()


def _enum_numbers(field: FieldDescriptor) -> frozenset[int] | None:
    """The numbers an enum field's enum declares; None for a field of another type."""
    if field.type != FieldDescriptor.TYPE_ENUM or field.enum_type is None:
        return None
    return frozenset(v.number for v in field.enum_type.values)


@cache
def _plan(descriptor: Descriptor) -> tuple[_FieldPlan, ...]:
    plans = []
    for field in descriptor.fields:
        rules = _rules(field)
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        default_len = MAX_STRING_CHARS if field.type == FieldDescriptor.TYPE_STRING else MAX_BYTES
        plans.append(
            _FieldPlan(
                field=field,
                required=rules.required,
                check=_FORMATS.get(rules.format),
                # Our protos hold no recursive types; a self-reference would loop, so it is not
                # followed.
                descend=is_message and field.message_type is not descriptor,
                max_len=rules.max_len or default_len,
                max_items=rules.max_items or MAX_ITEMS,
                minimum=rules.min if rules.HasField("min") else None,
                maximum=rules.max if rules.HasField("max") else None,
                known=_enum_numbers(field),
            )
        )
    return tuple(plans)


def violations(message: Message, prefix: str = "") -> list[FieldViolation]:
    """Every rule the message breaks, with the field's path; normalizes values in place
    (e.g. a resident ID's lower-case x becomes X). Texts never echo the offending value."""
    if isinstance(message, Undecodable):
        return [message.violation()]
    if message.DESCRIPTOR.full_name == _TIMESTAMP:
        return _timestamp(cast(Timestamp, message), prefix.rstrip("."))
    found: list[FieldViolation] = []
    for plan in _plan(message.DESCRIPTOR):
        field = plan.field
        path = f"{prefix}{field.name}"
        if field.is_repeated:
            values = getattr(message, field.name)
            if len(values) > plan.max_items:
                found.append(FieldViolation(path, f"holds {len(values)} items; at most {plan.max_items}"))
                continue
            for i in range(len(values)):
                _one(plan, message, values, i, f"{path}[{i}]", found)
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
            if plan.required:
                found.append(FieldViolation(path, "is required"))
            continue
        _one(plan, message, None, None, path, found)
    return found


def _one(
    plan: _FieldPlan,
    message: Message,
    container: Any,
    index: int | None,
    path: str,
    found: list[FieldViolation],
) -> None:
    """Checks one value: a field of `message`, or item `index` of a repeated `container`."""
    field = plan.field
    value = getattr(message, field.name) if container is None else container[index]
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if plan.descend:
            found.extend(violations(value, f"{path}."))
        return
    if plan.known is not None:
        if value not in plan.known:
            enum_name = field.enum_type.name if field.enum_type is not None else "its enum"
            found.append(FieldViolation(path, f"{value} is not a value of {enum_name}"))
        elif plan.required and not value and container is None:
            found.append(FieldViolation(path, "is required"))
        return
    if field.type in _TEXT:
        _text(plan, message, container, index, value, path, found)
        return
    if plan.required and not value and container is None:
        found.append(FieldViolation(path, "is required"))
    if isinstance(value, int) and not isinstance(value, bool):
        if plan.minimum is not None and value < plan.minimum:
            found.append(FieldViolation(path, f"must be at least {plan.minimum}"))
        if plan.maximum is not None and value > plan.maximum:
            found.append(FieldViolation(path, f"must be at most {plan.maximum}"))


def _text(
    plan: _FieldPlan,
    message: Message,
    container: Any,
    index: int | None,
    value: str | bytes,
    path: str,
    found: list[FieldViolation],
) -> None:
    if len(value) > plan.max_len:
        unit = "characters" if isinstance(value, str) else "bytes"
        found.append(FieldViolation(path, f"is {len(value)} {unit} long; at most {plan.max_len}"))
        return
    if isinstance(value, str) and "\x00" in value:
        found.append(FieldViolation(path, "holds a NUL character"))
        return
    if not value:
        if container is not None and plan.check is not None:
            # Unset means nothing for a single field, but an empty item of a list of
            # identifiers is a value, and no identifier is empty.
            found.append(FieldViolation(path, "is empty"))
        elif plan.required and container is None:
            found.append(FieldViolation(path, "is required"))
        return
    # Formats apply to strings only (a proto's rules put them on no bytes field).
    if plan.check is None or not isinstance(value, str):
        return
    try:
        normalized = plan.check(value)
    except ids.IdentifierError as exc:
        found.append(FieldViolation(path, str(exc)))
        return
    if normalized != value:
        if container is None:
            setattr(message, plan.field.name, normalized)
        else:
            container[index] = normalized


def _timestamp(stamp: Timestamp, path: str) -> list[FieldViolation]:
    if not EARLIEST_SECONDS <= stamp.seconds < LATEST_SECONDS:
        return [FieldViolation(path, "must lie between 1900-01-01 and 2199-12-31")]
    if not 0 <= stamp.nanos <= 999_999_999:
        return [FieldViolation(f"{path}.nanos", "must be in 0..999999999")]
    return []

"""Checks every request against the field rules declared in the protos (deedflow.type.v1.field),
and every enum field against the values its enum declares (an unknown number is refused at the
door, never carried into a saga)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from deedflow.type.v1 import field_rules_pb2
from shared import ids
from shared.errors import FieldViolation

_FORMATS: dict[int, Callable[[str], str]] = {
    field_rules_pb2.IDENTIFIER_FORMAT_UNIT_NUMBER: ids.validate_unit_number,
    field_rules_pb2.IDENTIFIER_FORMAT_RESIDENT_ID: ids.validate_resident_id,
    field_rules_pb2.IDENTIFIER_FORMAT_USCC: ids.validate_uscc,
    field_rules_pb2.IDENTIFIER_FORMAT_UUID: ids.validate_uuid,
    field_rules_pb2.IDENTIFIER_FORMAT_BUILDING_NUMBER: ids.validate_building_number,
}


@dataclass(frozen=True)
class _FieldPlan:
    field: FieldDescriptor
    required: bool
    check: Callable[[str], str] | None
    # Whether a message-typed field may hold rules further down.
    descend: bool
    # For an enum field, the numbers its enum declares.
    known: frozenset[int] | None = None


def _rules(field: FieldDescriptor) -> field_rules_pb2.FieldRules | None:
    options = field.GetOptions()
    if options.HasExtension(field_rules_pb2.field):
        return options.Extensions[field_rules_pb2.field]
    return None


@cache
def _has_rules(descriptor: Descriptor) -> bool:
    return bool(_plan(descriptor))


@cache
def _plan(descriptor: Descriptor) -> tuple[_FieldPlan, ...]:
    plans = []
    for field in descriptor.fields:
        rules = _rules(field)
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE
        # Recursive message types would loop here; our protos have none, and a self-reference
        # is guarded by treating the type under construction as rule-free.
        descend = is_message and field.message_type is not descriptor and _has_rules(field.message_type)
        check = _FORMATS.get(rules.format) if rules is not None else None
        required = rules is not None and rules.required
        known = (
            frozenset(v.number for v in field.enum_type.values)
            if field.type == FieldDescriptor.TYPE_ENUM
            else None
        )
        if required or check or descend or known:
            plans.append(_FieldPlan(field, required, check, descend, known))
    return tuple(plans)


def violations(message: Message, prefix: str = "") -> list[FieldViolation]:
    """Every rule the message breaks, with the field's path; normalizes values in place
    (e.g. a resident ID's lower-case x becomes X)."""
    found: list[FieldViolation] = []
    for plan in _plan(message.DESCRIPTOR):
        field = plan.field
        path = f"{prefix}{field.name}"
        if plan.known is not None:
            values = getattr(message, field.name) if field.is_repeated else [getattr(message, field.name)]
            for i, value in enumerate(values):
                if value not in plan.known:
                    where = f"{path}[{i}]" if field.is_repeated else path
                    found.append(FieldViolation(where, f"{value} is not a value of {field.enum_type.name}"))
        if field.is_repeated:
            values = getattr(message, field.name)
            if plan.descend:
                for i, item in enumerate(values):
                    found.extend(violations(item, f"{path}[{i}]."))
            elif plan.check:
                for i, value in enumerate(values):
                    _check_value(values, i, value, plan.check, f"{path}[{i}]", found)
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if not message.HasField(field.name):
                if plan.required:
                    found.append(FieldViolation(path, "is required"))
                continue
            if plan.descend:
                found.extend(violations(getattr(message, field.name), f"{path}."))
            continue
        value = getattr(message, field.name)
        if not value:
            if plan.required:
                found.append(FieldViolation(path, "is required"))
            continue
        if plan.check:
            try:
                normalized = plan.check(value)
            except ids.IdentifierError as exc:
                found.append(FieldViolation(path, str(exc)))
            else:
                if normalized != value:
                    setattr(message, field.name, normalized)
    return found


def _check_value(container, index: int, value: str, check, path: str, found: list[FieldViolation]) -> None:
    try:
        normalized = check(value)
    except ids.IdentifierError as exc:
        found.append(FieldViolation(path, str(exc)))
    else:
        if normalized != value:
            container[index] = normalized

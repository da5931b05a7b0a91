import datetime

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as _orchestrator_service_pb2
from deedflow.type.v1 import field_rules_pb2 as _field_rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_PURCHASE_FILED: _ClassVar[EventType]
    EVENT_TYPE_CONTRACT_SIGNED: _ClassVar[EventType]
    EVENT_TYPE_CONTRACT_FILED: _ClassVar[EventType]
    EVENT_TYPE_TAX_ASSESSED: _ClassVar[EventType]
    EVENT_TYPE_PREREGISTERED: _ClassVar[EventType]
    EVENT_TYPE_PREMORTGAGED: _ClassVar[EventType]
    EVENT_TYPE_TAX_PAID: _ClassVar[EventType]
    EVENT_TYPE_BUILDING_FIRST_REGISTERED: _ClassVar[EventType]
    EVENT_TYPE_TAX_SETTLED: _ClassVar[EventType]
    EVENT_TYPE_TRANSFERRED: _ClassVar[EventType]
    EVENT_TYPE_MORTGAGE_RECORDED: _ClassVar[EventType]
    EVENT_TYPE_CERTIFICATE_READY: _ClassVar[EventType]
    EVENT_TYPE_HANDED_OVER: _ClassVar[EventType]
    EVENT_TYPE_PURCHASE_PARKED: _ClassVar[EventType]
    EVENT_TYPE_PURCHASE_RESUMED: _ClassVar[EventType]
    EVENT_TYPE_CANCELLATION_STARTED: _ClassVar[EventType]
    EVENT_TYPE_PURCHASE_CANCELLED: _ClassVar[EventType]
    EVENT_TYPE_PURCHASE_REJECTED: _ClassVar[EventType]
    EVENT_TYPE_DISCHARGE_LODGED: _ClassVar[EventType]
    EVENT_TYPE_MORTGAGE_DISCHARGED: _ClassVar[EventType]
    EVENT_TYPE_WITNESS_ALARM: _ClassVar[EventType]
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_PURCHASE_FILED: EventType
EVENT_TYPE_CONTRACT_SIGNED: EventType
EVENT_TYPE_CONTRACT_FILED: EventType
EVENT_TYPE_TAX_ASSESSED: EventType
EVENT_TYPE_PREREGISTERED: EventType
EVENT_TYPE_PREMORTGAGED: EventType
EVENT_TYPE_TAX_PAID: EventType
EVENT_TYPE_BUILDING_FIRST_REGISTERED: EventType
EVENT_TYPE_TAX_SETTLED: EventType
EVENT_TYPE_TRANSFERRED: EventType
EVENT_TYPE_MORTGAGE_RECORDED: EventType
EVENT_TYPE_CERTIFICATE_READY: EventType
EVENT_TYPE_HANDED_OVER: EventType
EVENT_TYPE_PURCHASE_PARKED: EventType
EVENT_TYPE_PURCHASE_RESUMED: EventType
EVENT_TYPE_CANCELLATION_STARTED: EventType
EVENT_TYPE_PURCHASE_CANCELLED: EventType
EVENT_TYPE_PURCHASE_REJECTED: EventType
EVENT_TYPE_DISCHARGE_LODGED: EventType
EVENT_TYPE_MORTGAGE_DISCHARGED: EventType
EVENT_TYPE_WITNESS_ALARM: EventType

class Event(_message.Message):
    __slots__ = ("name", "cursor", "type", "subject", "unit_number", "event_time", "purchase", "office", "developer", "bank")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    OFFICE_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    BANK_FIELD_NUMBER: _ClassVar[int]
    name: str
    cursor: str
    type: EventType
    subject: str
    unit_number: str
    event_time: _timestamp_pb2.Timestamp
    purchase: _orchestrator_service_pb2.Purchase
    office: str
    developer: str
    bank: str
    def __init__(self, name: _Optional[str] = ..., cursor: _Optional[str] = ..., type: _Optional[_Union[EventType, str]] = ..., subject: _Optional[str] = ..., unit_number: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., purchase: _Optional[_Union[_orchestrator_service_pb2.Purchase, _Mapping]] = ..., office: _Optional[str] = ..., developer: _Optional[str] = ..., bank: _Optional[str] = ...) -> None: ...

class ListEventsRequest(_message.Message):
    __slots__ = ("after_cursor", "page_size")
    AFTER_CURSOR_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    after_cursor: str
    page_size: int
    def __init__(self, after_cursor: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events", "next_cursor")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_cursor: str
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ("after_cursor",)
    AFTER_CURSOR_FIELD_NUMBER: _ClassVar[int]
    after_cursor: str
    def __init__(self, after_cursor: _Optional[str] = ...) -> None: ...

class WatchEventsResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

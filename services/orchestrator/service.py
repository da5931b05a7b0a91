"""Purchase use cases: file once, read, watch, complete a building, hand over, cancel, resume."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import asyncpg
from google.rpc import status_pb2

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.orchestrator import repository
from services.orchestrator.building_table import BuildingTable
from services.orchestrator.clients import Clients
from services.orchestrator.domain import STATE_DURING, PurchaseState, StepKind, StepState
from services.orchestrator.engine import save
from services.orchestrator.notifier import Notifier
from services.orchestrator.records import BuildingCompletion, Purchase, PurchaseStep
from services.orchestrator.render import purchase_message
from services.orchestrator.saga import FORWARD, PIVOT
from shared import statements, tracing
from shared.auth import Caller, Role, caller, parse_identity_uri
from shared.context import subject_var
from shared.durable import step_request_id
from shared.errors import Aborted, AnsweredBefore, FailedPrecondition, NotFound
from shared.idempotency import Answer, claim_answered, lookup, request_fingerprint
from shared.ids import building_of, request_derived_id
from shared.journal import Journal, Operation, Refused, Render
from shared.names import parse_uuid_name
from shared.outcomes import REFUSALS
from shared.parties import is_party
from shared.purchase_terms import contract_terms
from shared.timestamps import from_timestamp, to_timestamp
from shared.transactions import Transactions

# How long a watcher waits for a notification before it reads again anyway.
WATCH_POLL_SECONDS = 5.0
TERMINAL = frozenset({PurchaseState.HANDED_OVER, PurchaseState.CANCELLED, PurchaseState.REJECTED})
_NAMESPACE = uuid.UUID("3b9e7d5c-1a2f-4e6d-8c0b-7a5f3e1d9c24")


def parse_purchase_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "purchases")


def _refused(last_error: bytes | None) -> int:
    """1 if a step's last error was a refusal of its application (so resuming applies anew)."""
    if not last_error:
        return 0
    code = status_pb2.Status.FromString(last_error).code
    return int(any(code == refusal.value[0] for refusal in REFUSALS))


def _unit_taken(unit_number: str) -> FailedPrecondition:
    return FailedPrecondition(
        Reason.UNIT_ALREADY_CONTRACTED, f"unit {unit_number} is already being sold to another buyer"
    )


def _state_of(step: PurchaseStep | None) -> str:
    """A step's state as recorded ('' before it has a record)."""
    return "" if step is None else step.state


def _as_filed(row: dict[str, Any]) -> Purchase:
    """The purchase as the door writes it (`row`, its columns), with what the table then holds
    in the others: nothing yet."""
    return Purchase(
        **row,
        leased_by=None,
        lease_until=None,
        problem=None,
        cancellation=None,
        handover_time=None,
        contract=None,
        tax_words=0,
    )


class Purchases:
    def __init__(self, journal: Journal, clients: Clients, notifier: Notifier) -> None:
        self.tx = Transactions(journal, "deedflow.orchestrator.v1.PurchaseService")
        self.clients = clients
        self.notifier = notifier
        self.building_table = BuildingTable(clients)
        journal.driver("CompleteBuilding", self._building_completed)
        journal.driver("ConfirmHandover", self.hand_over)

    # Use cases: each opens its transactions around the named units of work below.

    async def find(self, name: str, who: Caller) -> Purchase:
        """The caller's purchase as recorded (NOT_FOUND to anyone not a party to it)."""
        return await self.tx.read(self.load, name, who)

    async def get_purchase(self, name: str, who: Caller) -> pb.Purchase:
        return await self.tx.read(self._shown, name, who)

    async def list_purchases(
        self,
        developer: str,
        bank: str,
        building_number: str,
        state: str,
        after: uuid.UUID | None,
        size: int,
    ) -> tuple[list[pb.Purchase], bool]:
        """A page of purchases, and whether more follow."""
        return await self.tx.read(self._page, developer, bank, building_number, state, after, size)

    async def complete_building(
        self, request: pb.CompleteBuildingRequest, who: Caller
    ) -> pb.CompleteBuildingResponse | bytes:
        """The building's completion: its first registration and the release of its purchases,
        as an operation of the journal; once first-registered, a call only releases the
        purchases filed since."""
        building = request.building_number
        if await self.tx.read(repository.completion, building) is not None:
            return await self.tx.write(
                "CompleteBuilding", request, pb.CompleteBuildingResponse, self._released, building, who
            )
        begin = partial(self._completion_begun, building=building, who=who)
        return await self.tx.operate("CompleteBuilding", request, "CompleteBuilding", begin)

    async def get_building_completion(self, building_number: str) -> pb.BuildingCompletion:
        return await self.tx.read(self.completion, building_number)

    async def confirm_handover(
        self, request: pb.ConfirmHandoverRequest, who: Caller
    ) -> pb.ConfirmHandoverResponse | bytes:
        begin = partial(self.begin_handover, request=request, who=who)
        return await self.tx.operate("ConfirmHandover", request, "ConfirmHandover", begin)

    async def cancel_purchase(
        self, request: pb.CancelPurchaseRequest, who: Caller
    ) -> pb.CancelPurchaseResponse:
        return await self.tx.write(
            "CancelPurchase", request, pb.CancelPurchaseResponse, self._cancelled, request, who
        )

    async def resume_purchase(
        self, request: pb.ResumePurchaseRequest, who: Caller
    ) -> pb.ResumePurchaseResponse:
        return await self.tx.write(
            "ResumePurchase", request, pb.ResumePurchaseResponse, self._resumed, request, who
        )

    # Units of work, each in the transaction its use case opened.

    async def _shown(self, connection: asyncpg.Connection, name: str, who: Caller) -> pb.Purchase:
        row = await self.load(connection, name, who)
        return await self.render(connection, row.id)

    async def _page(
        self,
        connection: asyncpg.Connection,
        developer: str,
        bank: str,
        building_number: str,
        state: str,
        after: uuid.UUID | None,
        size: int,
    ) -> tuple[list[pb.Purchase], bool]:
        rows = await repository.list_purchases(
            connection, developer, bank, building_number, state, after, size + 1
        )
        shown = [purchase_message(r, await repository.steps(connection, r.id)) for r in rows[:size]]
        return shown, len(rows) > size

    async def _released(
        self, connection: asyncpg.Connection, at: dt.datetime, building: str, who: Caller
    ) -> pb.CompleteBuildingResponse:
        await self.check_building(connection, building, who)
        return pb.CompleteBuildingResponse(completion=await self.release_building(connection, at, building))

    async def _completion_begun(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        operation: uuid.UUID,
        building: str,
        who: Caller,
    ) -> str:
        await self.check_building(connection, building, who)
        return f"building-completions/{building}"

    async def _building_completed(self, op: Operation) -> Render:
        """CompleteBuilding's driver: the first registration, then the answer."""
        request = pb.CompleteBuildingRequest.FromString(op.input)
        await self.first_register(op)
        return partial(self._completion_answer, building=request.building_number)

    async def _completion_answer(
        self, connection: asyncpg.Connection, building: str
    ) -> pb.CompleteBuildingResponse:
        return pb.CompleteBuildingResponse(completion=await self.completion(connection, building))

    async def _cancelled(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.CancelPurchaseRequest, who: Caller
    ) -> pb.CancelPurchaseResponse:
        return pb.CancelPurchaseResponse(purchase=await self.cancel(connection, at, request, who))

    async def _resumed(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ResumePurchaseRequest, who: Caller
    ) -> pb.ResumePurchaseResponse:
        return pb.ResumePurchaseResponse(purchase=await self.resume(connection, at, request, who))

    async def render(self, connection: asyncpg.Connection, purchase_id: uuid.UUID) -> pb.Purchase:
        row = await repository.purchase(connection, purchase_id)
        if row is None:
            raise NotFound(f"no purchase purchases/{purchase_id}")
        return purchase_message(row, await repository.steps(connection, purchase_id))

    async def load(
        self, connection: asyncpg.Connection, name: str, who: Caller, lock: bool = False
    ) -> Purchase:
        row = await repository.purchase(connection, parse_purchase_name(name), lock)
        if row is None or not is_party(who, row.developer_uscc, [row.bank_uscc]):
            raise NotFound(f"no purchase {name!r}")
        return row

    @staticmethod
    def purchase_id(request_id: str) -> uuid.UUID:
        """The purchase a filing creates: the developer's request id, scoped by the developer."""
        return request_derived_id(_NAMESPACE, caller().uri, request_id)

    async def refuse_if_taken(self, request: pb.FilePurchaseRequest) -> None:
        """The cheapest refusal first: a flat another live purchase holds, read locally, before
        any signature is checked or any office asked. A replay of the same request passes."""
        unit = request.filing.unit_number
        taken = await self.tx.query(repository.unit_taken, unit, self.purchase_id(request.request_id))
        if taken:
            raise _unit_taken(unit)

    async def precheck(self, filing: pb.PurchaseFiling) -> contract_pb.Unit:
        """Refuse at once a unit no presale permit covers, or one whose permit is another
        developer's (it would not be this seller's to sell, and a filing for it would hold the
        unit from its own developer until the saga rejected it). From the building table the door
        keeps; what changes (another contract, a seizure) the contract office refuses at the first
        step, and the purchase ends REJECTED with its reason. The unit, for the tax assessment."""
        unit = await self.building_table.unit(filing.unit_number)
        if unit is None:
            raise FailedPrecondition(
                Reason.UNIT_NOT_ON_PRESALE, f"unit {filing.unit_number} is not covered by a presale permit"
            )
        if unit.developer_uscc != filing.developer.uscc:
            raise FailedPrecondition(
                Reason.UNIT_NOT_ON_PRESALE,
                f"the presale permit of unit {filing.unit_number} is held by another developer",
            )
        return unit

    async def file(self, request: pb.FilePurchaseRequest, unit: contract_pb.Unit) -> bytes:
        """The purchase, its first version (for watchers, rendered from the row about to be
        written), the notification that wakes the saga's workers and the answer to the request
        id, written in one statement, which is one transaction by itself. The answer's bytes, as
        stored; a duplicate that lost the race to the request id gets the winner's."""
        filing = request.filing
        at = self.tx.clock.now()
        purchase_id = self.purchase_id(request.request_id)
        row = self._row(purchase_id, filing, at, unit)
        tracing.annotate(purchase=f"purchases/{purchase_id}")
        purchase = purchase_message(_as_filed(row), [])
        answer = pb.FilePurchaseResponse(purchase=purchase).SerializeToString(deterministic=True)
        key = self.tx.key("FilePurchase", request.request_id)
        fingerprint = request_fingerprint(request)
        claim = claim_answered(key, fingerprint, answer, len(row) + 4)
        try:
            written = await self.tx.query(
                repository.insert_purchase, row, purchase.SerializeToString(), at, claim
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "purchase_terms_once":
                # The same signed terms filed before (a replay with a new request id).
                raise FailedPrecondition(
                    Reason.TERMS_ALREADY_USED,
                    "these signed terms were filed before; a new filing needs its own"
                    " developer_reference and signatures",
                    {"unit_number": filing.unit_number},
                ) from None
            # Another buyer's purchase of this flat is live: refused at the door, in this round
            # trip, rather than after a saga step (the index one_live_purchase_per_unit).
            raise _unit_taken(filing.unit_number) from None
        if written:
            subject_var.set(purchase.name)
            return answer
        found = await lookup(self.tx.database.pool, key, fingerprint)
        if not isinstance(found, Answer):
            raise Aborted(
                Reason.OPERATION_IN_PROGRESS,
                "the filing is being processed; retry with the same request id",
                {"request_id": request.request_id},
            )
        return found.replay()

    @staticmethod
    def _row(
        purchase_id: uuid.UUID, filing: pb.PurchaseFiling, at: dt.datetime, unit: contract_pb.Unit
    ) -> dict[str, Any]:
        return {
            "id": purchase_id,
            "developer_uscc": filing.developer.uscc,
            "bank_uscc": filing.loan.bank.uscc if filing.HasField("loan") else "",
            "building_number": building_of(filing.unit_number),
            "unit_number": filing.unit_number,
            "filing": filing.SerializeToString(deterministic=True),
            "terms_sha256": statements.terms_digest(contract_terms(filing)),
            "state": PurchaseState.FILING.value,
            "version": 1,
            "due_at": at,
            "documents": pb.PurchaseDocuments().SerializeToString(),
            "unit": unit.SerializeToString(deterministic=True),
            "create_time": at,
            "update_time": at,
            # The saga's steps go on in the filing's trace (engine.Engine._advance_safely).
            "trace_context": tracing.traceparent(),
        }

    async def check_building(self, connection: asyncpg.Connection, building_number: str, who: Caller) -> None:
        """A developer completes only its own buildings: one with another's purchases is not
        found, as if it did not exist."""
        purchases = await repository.purchases_in(connection, building_number)
        if who.role is Role.DEVELOPER and any(p.developer_uscc != who.id for p in purchases):
            raise NotFound(f"building {building_number} is not in a project of the caller")

    async def release_building(
        self, connection: asyncpg.Connection, at: dt.datetime, building_number: str
    ) -> pb.BuildingCompletion:
        """Every purchase waiting in the building goes on to transfer + mortgage now (also those
        filed after an earlier completion, which may be waiting only for their tax)."""
        await repository.make_building_due(connection, building_number, at)
        await repository.wake(connection)
        return await self.completion(connection, building_number)

    async def first_register(self, op: Operation) -> None:
        """The building's first registration (CQ 29, 41), asked of the transfer office once per
        building (its request id derives from the building), then its completion recorded and
        every waiting purchase released, in one local step."""
        request = pb.CompleteBuildingRequest.FromString(op.input)
        building = request.building_number
        purchases = await op.read(repository.purchases_in, building)
        developer_name = (
            pb.PurchaseFiling.FromString(purchases[0].filing).developer.name if purchases else "开发企业"
        )
        try:
            lodged = await op.call(
                "first-registration",
                self.clients.transfer.LodgeFirstRegistration,
                transfer_pb.LodgeFirstRegistrationRequest(
                    request_id=step_request_id(_NAMESPACE, f"first-registration/{building}"),
                    building_number=building,
                    developer=parties_pb2.Organization(
                        name=developer_name, uscc=op.caller.rsplit("/", 1)[-1]
                    ),
                    completion=transfer_pb.CompletionAcceptance(
                        record_number=request.completion_record_number, accept_time=request.accept_time
                    ),
                    units=[
                        transfer_pb.AsBuiltUnit(
                            presale_unit_number=u.presale_unit_number,
                            unit_number=u.unit_number,
                            gross_area_dm2=u.gross_area_dm2,
                        )
                        for u in request.survey
                    ],
                    common_parts=request.common_parts,
                    auto_register=True,
                ),
                transfer_pb.LodgeFirstRegistrationResponse,
                refusable=True,
            )
        except Refused as refusal:
            raise AnsweredBefore(refusal.status) from refusal
        await op.local("completed", partial(self._completed, request=request, lodged=lodged))

    @staticmethod
    async def _completed(
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.CompleteBuildingRequest,
        lodged: transfer_pb.LodgeFirstRegistrationResponse,
    ) -> None:
        """The building's completion recorded with its first registration, and every purchase
        waiting in it released."""
        building = request.building_number
        await repository.insert_completion(
            connection,
            BuildingCompletion(
                building_number=building,
                request=request.SerializeToString(deterministic=True),
                first_registration_case=lodged.case_record.name,
                first_registration_time=lodged.first_registration.register_time.ToDatetime(tzinfo=dt.UTC),
                create_time=at,
            ),
        )
        await repository.make_building_due(connection, building, at)
        await repository.wake(connection)

    async def completion(self, connection: asyncpg.Connection, building_number: str) -> pb.BuildingCompletion:
        row = await repository.completion(connection, building_number)
        if row is None:
            raise NotFound(f"building {building_number} has not been completed")
        completion = pb.BuildingCompletion(
            name=f"building-completions/{building_number}",
            building_number=building_number,
            first_registration_case=row.first_registration_case,
        )
        completion.first_registration_time.FromDatetime(row.first_registration_time)
        completion.create_time.FromDatetime(row.create_time)
        for purchase in await repository.purchases_in(connection, building_number):
            outcome = completion.outcomes.add(
                unit_number=purchase.unit_number,
                purchase=f"purchases/{purchase.id}",
                state=f"PURCHASE_STATE_{purchase.state}",
            )
            if purchase.problem:
                outcome.error.CopyFrom(status_pb2.Status.FromString(purchase.problem))
        return completion

    async def begin_handover(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        operation: uuid.UUID,
        request: pb.ConfirmHandoverRequest,
        who: Caller,
    ) -> str:
        """The handover's first transaction: the caller's purchase, its certificate ready, and no
        other handover of it under way (another request id's), so its certificates are released
        by one operation at a time. The purchase it is about."""
        row = await self.load(connection, request.name, who, lock=True)
        self.require_ready(row)
        purchase = f"purchases/{row.id}"
        if await repository.handover_under_way(connection, purchase):
            raise Aborted(Reason.HANDOVER_UNDER_WAY, "another handover of this purchase is under way")
        return purchase

    async def hand_over(self, op: Operation) -> Render:
        """交房即交证 (handover with the certificate), as an operation of the journal: the transfer
        office releases the certificates to their owners (the seller reads them no more), then
        the purchase is handed over in the transaction that answers. A crash between the two is
        finished by the sweeper; the handover time is the release's, as the transfer office keeps
        it (its first release stands), so the two offices never disagree on it."""
        request = pb.ConfirmHandoverRequest.FromString(op.input)
        who = parse_identity_uri(op.caller)
        row = await op.read(self.load, request.name, who)
        documents = pb.PurchaseDocuments.FromString(row.documents)
        asked = from_timestamp(request, "handover_time") or self.tx.clock.now()
        try:
            released = await op.call(
                "release",
                self.clients.transfer.ReleaseCertificates,
                transfer_pb.ReleaseCertificatesRequest(
                    transfer=documents.transfer, release_time=to_timestamp(asked)
                ),
                transfer_pb.ReleaseCertificatesResponse,
                refusable=True,
            )
        except Refused as refusal:
            raise AnsweredBefore(refusal.status) from refusal
        releases = (c.release_time.ToDatetime(tzinfo=dt.UTC) for c in released.certificates)
        handover = min(releases, default=asked)
        op.close_with(partial(self.record_handover, name=request.name, handover=handover, who=who))
        return partial(self._handover_answer, purchase_id=row.id)

    async def _handover_answer(
        self, connection: asyncpg.Connection, purchase_id: uuid.UUID
    ) -> pb.ConfirmHandoverResponse:
        return pb.ConfirmHandoverResponse(purchase=await self.render(connection, purchase_id))

    @staticmethod
    def require_ready(row: Purchase) -> None:
        state = PurchaseState(row.state)
        if state in (PurchaseState.CANCELLED, PurchaseState.CANCELLING, PurchaseState.REJECTED):
            raise FailedPrecondition(Reason.PURCHASE_CANCELLED, f"the purchase is {state.value.lower()}")
        if state is not PurchaseState.CERTIFICATE_READY:
            raise FailedPrecondition(
                Reason.CERTIFICATE_NOT_READY,
                f"the certificate is not ready; the purchase is {state.value.lower()}",
            )

    async def record_handover(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, handover: dt.datetime, who: Caller
    ) -> None:
        """The purchase handed over at `handover`, once its certificates are released."""
        row = await self.load(connection, name, who, lock=True)
        self.require_ready(row)
        await save(
            connection,
            row.id,
            at,
            None,
            (
                StepKind.HANDED_OVER.value,
                "FORWARD",
                {"state": StepState.SUCCEEDED.value, "start_time": at, "end_time": at},
            ),
            state=PurchaseState.HANDED_OVER.value,
            handover_time=handover,
            due_at=None,
        )

    async def cancel(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.CancelPurchaseRequest, who: Caller
    ) -> pb.Purchase:
        row = await self.load(connection, request.name, who, lock=True)
        state = PurchaseState(row.state)
        if state in (PurchaseState.CANCELLED, PurchaseState.CANCELLING):
            raise FailedPrecondition(
                Reason.PURCHASE_ALREADY_CANCELLED, f"the purchase is already {state.value.lower()}"
            )
        if state is PurchaseState.REJECTED:
            raise FailedPrecondition(
                Reason.PURCHASE_REJECTED, "the filing was rejected; there is nothing to cancel"
            )
        steps = {r.kind: r for r in await repository.steps(connection, row.id) if r.direction == "FORWARD"}
        if PIVOT.value in steps:
            raise FailedPrecondition(
                Reason.PURCHASE_PAST_PIVOT,
                "the transfer is under way or registered; nothing is undone (民法典 214)",
            )
        if row.lease_until is not None and row.lease_until > at:
            raise Aborted(Reason.PURCHASE_BUSY, "a step of this purchase is running; try again in a moment")
        if request.HasField("joint"):
            filing = pb.PurchaseFiling.FromString(row.filing)
            needed = {
                f"organizations/{filing.developer.uscc}",
                *(f"buyers/{b.resident_id}" for b in filing.buyers),
            }
            if filing.HasField("loan") and StepKind.PREMORTGAGED.value in steps:
                needed.add(f"organizations/{filing.loan.bank.uscc}")
            missing = sorted(needed - {s.signer for s in request.joint.signatures})
            if missing:
                raise FailedPrecondition(
                    Reason.CANCELLATION_CONSENT_MISSING,
                    f"consent missing from {', '.join(missing)}",
                    {"missing": ",".join(missing)},
                )
        await save(
            connection,
            row.id,
            at,
            None,
            state=PurchaseState.CANCELLING.value,
            cancellation=request.SerializeToString(deterministic=True),
            due_at=at,
            problem=None,
            # Taken from an advance whose lease ran out while it ran: its next write is fenced off.
            leased_by=None,
            lease_until=None,
        )
        await repository.wake(connection)
        return await self.render(connection, row.id)

    async def resume(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ResumePurchaseRequest, who: Caller
    ) -> pb.Purchase:
        """A clerk's resume of a parked purchase. A step whose application was refused is applied
        for anew (its request id moves to the next generation); one that failed for another
        reason is asked again with the same request id, whose answer may now be different.
        With `withdraw_cancellation`, a cancellation that parked goes back to the forward path."""
        row = await self.load(connection, request.name, who, lock=True)
        if PurchaseState(row.state) is not PurchaseState.PARKED:
            raise FailedPrecondition(
                Reason.PURCHASE_NOT_PARKED, f"the purchase is {row.state.lower()}, not parked"
            )
        records = await repository.steps(connection, row.id)
        if request.withdraw_cancellation:
            return await self._withdraw_cancellation(connection, at, row, records)
        failed = [r for r in records if r.state == StepState.FAILED.value]
        resumed_state = PurchaseState.CANCELLING if row.cancellation else PurchaseState.FILING
        step = None
        if failed:
            record = failed[0]
            refused = _refused(record.last_error)
            step = (
                record.kind,
                record.direction,
                {
                    "state": StepState.PENDING.value,
                    "last_error": None,
                    "unexplained_failures": 0,
                    "generation": record.generation + refused,
                    # A refused application is made anew, under the next generation's request
                    # id; any other failure's request is sent again as it was.
                    "intent": None if refused else record.intent,
                },
            )
            if not row.cancellation:
                resumed_state = STATE_DURING[StepKind(record.kind)]
        await save(connection, row.id, at, None, step, state=resumed_state.value, problem=None, due_at=at)
        await repository.wake(connection)
        return await self.render(connection, row.id)

    async def _withdraw_cancellation(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        row: Purchase,
        records: list[PurchaseStep],
    ) -> pb.Purchase:
        if not row.cancellation:
            raise FailedPrecondition(Reason.NO_CANCELLATION, "the purchase has no cancellation to withdraw")
        forward = {r.kind: r for r in records if r.direction == "FORWARD"}
        contract = forward.get(StepKind.CONTRACT_SIGNED.value)
        if contract is not None and contract.state == StepState.COMPENSATED.value:
            raise FailedPrecondition(
                Reason.CANCELLATION_TOO_FAR, "the contract is already cancelled; the unit is on sale again"
            )
        # Compensations begin anew if the parties cancel again, and what one undid is done again:
        # each as a new application, under the next generation of its request ids.
        for record in records:
            if record.direction == "COMPENSATE" or record.state == StepState.COMPENSATED.value:
                await repository.upsert_step(
                    connection,
                    row.id,
                    record.kind,
                    record.direction,
                    state=StepState.PENDING.value,
                    attempts=0,
                    unexplained_failures=0,
                    last_error=None,
                    generation=record.generation + 1,
                    intent=None,
                )
        done = {StepState.SUCCEEDED.value, StepState.SKIPPED.value}
        next_step = next(
            (s.kind for s in FORWARD if _state_of(forward.get(s.kind.value)) not in done),
            StepKind.HANDED_OVER,
        )
        await save(
            connection,
            row.id,
            at,
            None,
            state=STATE_DURING[next_step].value,
            cancellation=None,
            problem=None,
            due_at=at,
        )
        await repository.wake(connection)
        return await self.render(connection, row.id)

    async def watch(self, name: str, after: int, who: Caller) -> AsyncIterator[pb.Purchase]:
        """Every version after `after`; with 0, the current one first. Ends at a final state."""
        purchase_id = parse_purchase_name(name)
        with self.notifier.watching(str(purchase_id)) as changed:
            # Single reads: no BEGIN and COMMIT around them (a watch reads on every change).
            row = await self.tx.query(self.load, name, who)
            if after == 0:
                after = row.version - 1
            if after >= row.version and PurchaseState(row.state) in TERMINAL:
                # Finished, and the caller has seen its last version: nothing will come.
                return
            while True:
                changed.clear()
                versions = await self.tx.database.read(
                    partial(repository.versions_after, purchase_id=purchase_id, after=after)
                )
                for version, snapshot in versions:
                    purchase = pb.Purchase.FromString(snapshot)
                    after = version
                    yield purchase
                    state = pb.PurchaseState.Name(purchase.state).removeprefix("PURCHASE_STATE_")
                    if PurchaseState(state) in TERMINAL:
                        return
                # A notification wakes it; the timeout is the safety net for one never sent.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), WATCH_POLL_SECONDS)

"""Projects, units and contracts as the contract office answers them: the protos built from its
records, with what each caller may see."""

from __future__ import annotations

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from services.contract.domain import ContractState
from services.contract.records import ContractRecord, Project, UnitOnSale
from shared import statements
from shared.auth import caller
from shared.parties import is_party
from shared.timestamps import to_timestamp


def project_message(row: Project) -> pb.Project:
    return pb.Project(
        name=f"projects/{row.presale_permit_number}",
        display_name=row.display_name,
        presale_permit_number=row.presale_permit_number,
        developer=parties_pb2.Organization(name=row.developer_name, uscc=row.developer_uscc),
        permit_time=to_timestamp(row.permit_time),
        create_time=to_timestamp(row.create_time),
    )


SALE_STATE = {
    None: pb.UNIT_SALE_STATE_ON_SALE,
    ContractState.DRAFTED.value: pb.UNIT_SALE_STATE_CONTRACTING,
    ContractState.SIGNED.value: pb.UNIT_SALE_STATE_CONTRACTING,
    ContractState.FILED.value: pb.UNIT_SALE_STATE_CONTRACTED,
    ContractState.TRANSFERRED.value: pb.UNIT_SALE_STATE_TRANSFERRED,
}


def unit_message(row: UnitOnSale, restricted: bool = False) -> pb.Unit:
    """The unit as the caller may see it: which contract holds it is the developer's business."""
    shown = row.contract_id is not None and is_party(caller(), row.developer_uscc)
    return pb.Unit(
        name=f"units/{row.unit_number}",
        unit_number=row.unit_number,
        project=f"projects/{row.presale_permit_number}",
        room_label=row.room_label,
        gross_area_dm2=row.gross_area_dm2,
        residential=row.residential,
        sale_state=pb.UNIT_SALE_STATE_RESTRICTED if restricted else SALE_STATE[row.contract_state],
        contract=f"contracts/{row.contract_id}" if shown else "",
        developer_uscc=row.developer_uscc,
    )


def contract_message(record: ContractRecord) -> pb.Contract:
    row = record.row
    return pb.Contract(
        name=f"contracts/{row.id}",
        terms=record.terms,
        state=f"CONTRACT_STATE_{row.state}",
        canonical_bytes=statements.contract_terms(record.terms),
        digest=row.digest,
        signatures=[
            pb.SignatureEvidence(
                signature=parties_pb2.Signature(
                    signer=s.signer,
                    algorithm=f"SIGNATURE_ALGORITHM_{s.algorithm}",
                    signature=s.signature,
                    certificate_pem=s.certificate_pem,
                    sign_time=to_timestamp(s.sign_time),
                ),
                certificate_sha256=s.certificate_sha256,
                digest=s.digest,
                verify_time=to_timestamp(s.verify_time),
            )
            for s in record.signatures
        ],
        pending_signers=record.pending,
        filing_number=row.filing_number or "",
        file_time=to_timestamp(row.file_time),
        filing_due_time=to_timestamp(row.filing_due_time),
        filed_late=row.file_time is not None
        and row.filing_due_time is not None
        and row.file_time > row.filing_due_time,
        cancellation_basis=row.cancellation_basis,
        create_time=to_timestamp(row.create_time),
        update_time=to_timestamp(row.update_time),
    )

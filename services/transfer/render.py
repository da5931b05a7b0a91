"""Registrations and certificates as the transfer office answers them: the protos built from
its records, and who may read a certificate."""

from __future__ import annotations

from deedflow.transfer.v1 import transfer_service_pb2 as pb
from services.transfer.domain import may_read_certificate
from services.transfer.records import CertificateOfTransfer, FirstRegistration, SiteInspection, Transfer
from shared.auth import Caller
from shared.timestamps import to_timestamp


def site_inspection_name(row: SiteInspection) -> str:
    return f"buildings/{row.building_number}/site-inspections/{row.sequence}"


def _state(value: str) -> str:
    """The state's enum value name, which a message constructor takes (an unknown one raises)."""
    return f"REGISTRATION_STATE_{value}"


def site_inspection_message(row: SiteInspection) -> pb.SiteInspection:
    return pb.SiteInspection(
        name=site_inspection_name(row),
        building_number=row.building_number,
        outcome=f"SITE_INSPECTION_OUTCOME_{row.outcome}",
        findings=row.findings,
        inspector=row.inspector,
        inspect_time=to_timestamp(row.inspect_time),
    )


def first_registration_message(
    row: FirstRegistration, inspection: SiteInspection | None = None
) -> pb.FirstRegistration:
    request = pb.LodgeFirstRegistrationRequest.FromString(row.request)
    return pb.FirstRegistration(
        site_inspection=site_inspection_message(inspection) if inspection else None,
        name=f"first-registrations/{row.building_number}",
        building_number=row.building_number,
        developer=request.developer,
        completion=request.completion,
        units=request.units,
        common_parts=request.common_parts,
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        register_time=to_timestamp(row.register_time),
    )


def transfer_message(row: Transfer) -> pb.Transfer:
    return pb.Transfer(
        name=f"transfers/{row.id}",
        application=pb.TransferApplication.FromString(row.application),
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        ownership_entry=row.ownership_entry,
        mortgage_entry=row.mortgage_entry,
        mortgage_priority_time=to_timestamp(row.mortgage_priority_time),
        certificates=[f"certificates/{n}" for n in row.certificates],
        mortgage_proof_number=row.mortgage_proof_number,
        register_time=to_timestamp(row.register_time),
        fee_fen=row.fee_fen,
    )


def seller(row: Transfer | CertificateOfTransfer) -> str:
    """The USCC of the developer that sold the unit, from the transfer's application."""
    return pb.TransferApplication.FromString(row.application).developer.uscc


def certificate_message(row: CertificateOfTransfer) -> pb.Certificate:
    return pb.Certificate(
        name=f"certificates/{row.certificate_number}",
        certificate_number=row.certificate_number,
        unit_number=row.unit_number,
        owners=pb.Certificate.FromString(row.owners).owners,
        co_ownership=pb.Certificate.FromString(row.owners).co_ownership,
        address=row.address,
        gross_area_dm2=row.gross_area_dm2,
        use=row.use,
        right_type="国有建设用地使用权/房屋所有权",
        right_source="买卖",
        right_nature="出让/市场化商品房",
        encumbrances=row.encumbrances,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
        issue_time=to_timestamp(row.issue_time),
        release_time=to_timestamp(row.release_time) if row.release_time else None,
    )


def readable(who: Caller, row: CertificateOfTransfer) -> bool:
    owners = pb.Certificate.FromString(row.owners).owners
    return may_read_certificate(
        who, seller(row), [o.resident_id for o in owners], row.release_time is not None
    )

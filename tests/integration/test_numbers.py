"""Document numbers are allocated once: the register numbers every certificate (不动产权证书) and
registration proof (不动产登记证明) in the transaction that enters its case, from one counter per
kind, registration authority and year, whichever office issues it; no two documents share one."""

from __future__ import annotations

import asyncio

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.type.v1 import parties_pb2
from shared.db import plain_url
from shared.districts import DISTRICTS
from shared.grpc.status import bad_request
from shared.numbering import certificate_number
from tests.flows import (
    BANK,
    DEVELOPER,
    file_contract,
    first_register,
    mortgage_entered,
    pay_tax,
    premortgage,
    preregister,
    preregistration_commit,
    presale,
    rid,
    signed_mortgage,
    transfer_entered,
)
from tests.support import new_building_number


async def _issued(database_url: str, numbers: list[str]) -> dict[str, str]:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await connection.fetch(
            "SELECT number, kind FROM registry.issued_document WHERE number = ANY($1)", numbers
        )
    finally:
        await connection.close()
    return {r["number"]: r["kind"] for r in rows}


async def test_proofs_of_every_office_and_certificates_come_from_the_registers_counters(
    offices, pki, database_url
):
    """A pre-registration's and a mortgage's proofs (两个机构, one authority) never share a number,
    and every certificate and proof was issued by the book."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, _ = await preregister(o, sale)
    premort = await premortgage(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    transfer = await transfer_entered(o, sale)
    loan = parties_pb2.Loan(bank=BANK, amount_fen=500_000, term_months=12, mortgage_contract_number="DK-N")
    mortgage = await mortgage_entered(o, signed_mortgage(sale, loan))
    proofs = [
        prereg.proof_number,
        premort.proof_number,
        transfer.mortgage_proof_number,
        mortgage.proof_number,
    ]
    certificates = [c.removeprefix("certificates/") for c in transfer.certificates]
    assert len(set(proofs)) == 4, proofs
    assert all("渝北区不动产证明第" in p for p in proofs)
    issued = await _issued(database_url, proofs + certificates)
    assert issued == {**dict.fromkeys(proofs, "PROOF"), **dict.fromkeys(certificates, "CERTIFICATE")}


async def test_a_certificate_names_the_units_own_district_or_county(offices, pki):
    """条例 8 and CQ 8: each district or county's authority registers its own units, and its name
    heads the certificate: a unit in 长寿区 (500115) prints 渝(year)长寿区不动产权第…号."""
    o = offices
    building, (unit, _) = await presale(o, county="500115")
    sale = await file_contract(o, pki, unit)
    prereg, _ = await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    transfer = await transfer_entered(o, sale)
    assert "长寿区不动产证明第" in prereg.proof_number
    assert transfer.certificates
    assert all("长寿区不动产权第" in c for c in transfer.certificates), transfer.certificates


def test_every_chongqing_district_and_county_has_its_authority():
    """GB/T 2260: Chongqing's 26 districts and 12 counties (38 codes) each name their authority."""
    assert len(DISTRICTS) == 38
    assert sum(name.endswith("区") for name in DISTRICTS.values()) == 26
    assert all(code.startswith("50") and len(code) == 6 for code in DISTRICTS)
    assert (
        certificate_number(2026, "500243001002GB00001F00010001", 7)
        == "渝(2026)彭水苗族土家族自治县不动产权第0000007号"
    )


async def test_a_project_outside_any_chongqing_authority_is_refused(offices):
    """A county code that is no Chongqing district or county has no authority to register it:
    the project is refused at creation, naming the unit, and nothing is written."""
    good = f"{new_building_number()}0001"
    foreign = f"{new_building_number('500199')}0001"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await offices.housing.CreateProject(
            contract_pb.CreateProjectRequest(
                request_id=rid(),
                display_name="示例",
                presale_permit_number=f"渝住建预售({foreign[-13:]})",
                developer=DEVELOPER,
                units=[
                    contract_pb.ProjectUnit(
                        unit_number=u, room_label="1-01", gross_area_dm2=9000, residential=True
                    )
                    for u in (good, foreign)
                ],
            )
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(caught.value)).field_violations
    assert [(v.field, "500199" in v.description) for v in violations] == [("units[1].unit_number", True)]
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await offices.housing.GetUnit(contract_pb.GetUnitRequest(unit_number=good))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_concurrent_commits_never_share_a_number(offices):
    """The counter's row lock orders allocations: twenty cases entered at once get twenty numbers."""
    building = new_building_number()
    units = [f"{building}{n:04d}" for n in range(1, 21)]
    await offices.registry_clerk.CreateBuilding(
        registry_pb.CreateBuildingRequest(
            request_id=rid(),
            building_number=building,
            units=[
                registry_pb.UnitFacts(unit_number=u, address=u, gross_area_dm2=9000, use="住宅")
                for u in units
            ],
        )
    )

    async def proof(unit: str) -> str:
        reply = await offices.registry.CommitCase(preregistration_commit(unit, f"cases/N{unit[-6:]}"))
        return reply.proof_numbers[0]

    numbers = await asyncio.gather(*(proof(u) for u in units))
    assert len(set(numbers)) == 20


async def test_a_case_asks_for_a_bounded_number_of_documents(offices):
    request = registry_pb.CommitCaseRequest(
        request_id=rid(),
        unit_number="500112001002GB00001F00010001",
        registry_case="cases/X",
        disposal=registry_pb.DISPOSAL_CANCELLATION,
        issue_certificates=21,
        issue_proofs=-1,
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await offices.registry.CommitCase(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in bad_request(rpc_status.from_call(caught.value)).field_violations}
    assert fields == {"issue_certificates", "issue_proofs"}

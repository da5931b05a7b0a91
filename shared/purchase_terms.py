"""The contract terms a purchase filing stands for: what every party signs, built the same way by
the developer's system, the banks', the demo and the orchestrator."""

from __future__ import annotations

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from shared import guardians, statements


def contract_terms(filing: pb.PurchaseFiling) -> contract_pb.ContractTerms:
    terms = contract_pb.ContractTerms(
        unit_number=filing.unit_number,
        developer=filing.developer,
        buyers=filing.buyers,
        price_ex_vat_fen=filing.price_ex_vat_fen,
        vat_fen=filing.vat_fen,
        gross_area_dm2=filing.gross_area_dm2,
        with_loan=filing.HasField("loan"),
        developer_reference=filing.developer_reference,
        co_ownership=filing.co_ownership,
    )
    if filing.HasField("loan"):
        # Every buyer signs the loan's terms (bank, amount, term, contract), not just that there
        # is one (民法典 400; 条例 14); the bank's own signature is over these same bytes.
        terms.loan.CopyFrom(filing.loan)
        terms.loan.ClearField("bank_signature")
    if filing.HasField("delivery_time"):
        terms.delivery_time.CopyFrom(filing.delivery_time)
    return terms


def canonical_bytes(filing: pb.PurchaseFiling) -> bytes:
    """The bytes each party signs: the contract-terms statement over these terms."""
    return statements.contract_terms(contract_terms(filing))


def _buyer(terms: contract_pb.ContractTerms, party: str) -> parties_pb2.Buyer | None:
    return next((b for b in terms.buyers if f"buyers/{b.resident_id}" == party), None)


def signer_identity(party: str, terms: contract_pb.ContractTerms) -> str:
    """The certificate identity that must sign for a party of the contract: the developer's,
    a buyer's own, or for a minor buyer their guardian's (民法典 23, 34)."""
    kind, _, ident = party.partition("/")
    if kind == "organizations":
        return f"deedflow://developer/{ident}"
    buyer = _buyer(terms, party)
    return f"deedflow://buyer/{guardians.signing_resident_id(buyer) if buyer is not None else ident}"


def signed_statement(party: str, terms: contract_pb.ContractTerms) -> bytes:
    """The bytes a party signs to agree the terms: the contract-terms statement, or for a minor
    buyer the guardian's, which also declares the purchase serves the minor (民法典 35)."""
    buyer = _buyer(terms, party)
    if buyer is not None and buyer.HasField("guardian"):
        return statements.contract_terms_by_guardian(terms, buyer.resident_id)
    return statements.contract_terms(terms)

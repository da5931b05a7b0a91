"""The fields of the national templates (不动产权证书 and 不动产登记证明, as the Ministry of
Natural Resources prescribes them), filled from a sealed document's content: what the PDF prints
and the verification page shows (client/verifier/verifier.js renders them alike, and a browser
test holds the two to the same values). Nothing is printed that the registry did not seal; a
field the book does not hold says so."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared import timestamps
from shared.money import yuan

NOT_RECORDED = "未记载 (not recorded)"
_CO_OWNERSHIP = {
    "CO_OWNERSHIP_SOLE": "单独所有 (sole)",
    "CO_OWNERSHIP_BY_SHARES": "按份共有 (by shares)",
    "CO_OWNERSHIP_JOINT": "共同共有 (joint)",
}
TITLES = {
    "certificate": ("不动产权证书", "Real estate title certificate"),
    "proof": ("不动产登记证明", "Real estate registration proof"),
}


@dataclass(frozen=True)
class Field:
    zh: str
    en: str
    value: str


def china_time(text: str) -> str:
    """A sealed time (ISO-8601) as Beijing time to the second with its offset, the way a
    certificate dates it (shared/timestamps.py)."""
    if not text:
        return NOT_RECORDED
    return timestamps.china_time(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _person(party: dict) -> str:
    return f"{party.get('name', '')}（身份证 {party.get('resident_id', '')}）"


def _share(party: dict) -> str:
    return f"{party.get('name', '')} {int(party.get('share_basis_points', 0)) / 100:.2f}%"


# A certificate's or proof's number names the authority that issued it (shared/numbering.py).
_ISSUER = re.compile(r"^渝\(\d{4}\)(.+?)不动产(?:权|证明)第\d+号$")


def authority_name(number: str) -> str:
    """The registration authority, as the sealed number names it: 渝(2026)渝北区不动产权第…号 was
    issued by 渝北区's."""
    found = _ISSUER.match(number)
    return f"重庆市{found.group(1)}不动产登记机构" if found else NOT_RECORDED


def _co_ownership(body: dict) -> str:
    owners = body.get("owners", [])
    kind = body.get("co_ownership", "")
    if kind == "CO_OWNERSHIP_JOINT":
        return _CO_OWNERSHIP[kind]
    if len(owners) <= 1:
        return _CO_OWNERSHIP["CO_OWNERSHIP_SOLE"]
    return f"{_CO_OWNERSHIP['CO_OWNERSHIP_BY_SHARES']}：" + "，".join(_share(o) for o in owners)


def certificate_fields(content: dict) -> list[Field]:
    body = content.get("body", {})
    notes = [*body.get("encumbrances", [])]
    notes += [f"更正登记 (corrected by) {c}" for c in body.get("corrections", [])]
    notes.append("电子证照，以登记簿为准 (electronic certificate; the register prevails)")
    return [
        Field("权利人", "Right holder", "；".join(_person(o) for o in body.get("owners", []))),
        Field("共有情况", "Co-ownership", _co_ownership(body)),
        Field("坐落", "Location", body.get("address") or NOT_RECORDED),
        Field("不动产单元号", "Real estate unit number", content.get("unit_number", "")),
        Field("权利类型", "Right type", body.get("right_type") or NOT_RECORDED),
        Field("权利性质", "Nature of the right", body.get("right_nature") or NOT_RECORDED),
        Field("用途", "Use", body.get("use") or NOT_RECORDED),
        Field(
            "面积", "Area", f"建筑面积 (gross floor area) {int(body.get('gross_area_dm2', 0)) / 100:.2f} m²"
        ),
        Field("使用期限", "Term of use", body.get("land_use_term") or NOT_RECORDED),
        Field(
            "权利其他状况",
            "Other particulars",
            f"登记原因 (cause) {body.get('right_source') or NOT_RECORDED}；"
            f"登簿 (entered) {china_time(body.get('register_time', ''))}；"
            f"登记簿 (entry) {content.get('entry', '')}",
        ),
        Field("附记", "Notes", "；".join(notes)),
    ]


def proof_fields(content: dict) -> list[Field]:
    body = content.get("body", {})
    loan = body.get("loan", {})
    bank = loan.get("bank", {})
    notes = [f"顺位时间 (priority from) {china_time(body.get('priority_time', ''))}"]
    if body.get("premortgage"):
        notes.append(f"由预抵押转为抵押 (converted from) {body['premortgage']}")
    notes.append("电子证照，以登记簿为准 (electronic proof; the register prevails)")
    return [
        Field("证明权利或事项", "Right or matter proven", "抵押权 (mortgage)"),
        Field(
            "权利人（申请人）",
            "Right holder (applicant)",
            f"{bank.get('name', '')}（{bank.get('uscc', '')}）",
        ),
        Field("义务人", "Obligor", "；".join(_person(m) for m in body.get("mortgagors", []))),
        Field("坐落", "Location", body.get("address") or NOT_RECORDED),
        Field("不动产单元号", "Real estate unit number", content.get("unit_number", "")),
        Field(
            "其他",
            "Other",
            f"被担保主债权数额 (secured principal) {yuan(loan.get('amount_fen', 0))}；"
            f"债务履行期限 (term) {int(loan.get('term_months', 0))} 个月 (months)；"
            f"抵押合同 (mortgage contract) {loan.get('mortgage_contract_number', '')}；"
            f"登簿 (entered) {china_time(body.get('register_time', ''))}",
        ),
        Field("附记", "Notes", "；".join(notes)),
    ]


def document_fields(content: dict) -> list[Field]:
    """The template's fields, then the number, the authority and the issue time."""
    kind = content.get("kind")
    fields = certificate_fields(content) if kind == "certificate" else proof_fields(content)
    number_label = ("证书号", "Certificate number") if kind == "certificate" else ("证明号", "Proof number")
    return [
        *fields,
        Field(*number_label, content.get("number", "")),
        Field("登记机构", "Registration authority", authority_name(content.get("number", ""))),
        Field("发证时间", "Issued", china_time(content.get("sealed_time", ""))),
    ]


def verification_fields(document) -> list[Field]:
    """The register's data a relying party checks the document against (a SignedDocument)."""
    checkpoint = document.checkpoint
    signed_at = checkpoint.checkpoint_time.ToDatetime(dt.UTC)
    return [
        Field("叶序号", "Leaf index", str(document.leaf_index)),
        Field("树大小", "Tree size", str(checkpoint.tree_size)),
        Field("根哈希", "Root hash (SHA-256)", checkpoint.root_hash.hex()),
        Field("检查点时间", "Checkpoint time", timestamps.china_time(signed_at)),
        Field("登记机构公钥标识", "Registry key id", checkpoint.key_id.hex()),
    ]

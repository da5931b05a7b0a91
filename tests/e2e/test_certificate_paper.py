"""The certificate and the mortgage proof as a person holds them: a PDF with the national
template's fields, a QR code carrying the whole signed document and the document embedded; and
the verification page, in a real headless Chromium, which says VALID or INVALID as `deedctl
verify` does on the same bytes, served over HTTP or opened from disk."""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from cli.deedctl.main import app as deedctl
from client import verifier
from client.paper import payload
from client.paper.fields import document_fields, verification_fields
from client.paper.pdf import ATTACHMENT, render
from client.paper.reading import read_document
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.registry.v1 import document_pb2
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from shared.documents import to_file
from tests.browser import VerifierPage
from tests.e2e.test_parties_and_documents import desks  # noqa: F401 (a fixture)
from tests.pdfs import flat, pdf_text
from tests.purchases import to_certificate
from tools.chromium import headless_chromium


@dataclass(frozen=True)
class Issued:
    certificate: document_pb2.SignedDocument
    proof: document_pb2.SignedDocument


@pytest.fixture(scope="module")
async def issued(offices, pki, desks) -> Issued:  # noqa: F811
    """A purchase with bank A's loan carried to its certificate: the certificate as its
    developer fetches it, the mortgage proof as the bank does."""
    ready, unit = await to_certificate(offices, pki, await desks("developer", "orchestrator"))
    transfer = await desks("developer", "transfer")
    certificate = await transfer.GetCertificate(
        transfer_pb.GetCertificateRequest(
            name=f"certificates/{ready.documents.certificate_numbers[0]}", with_document=True
        )
    )
    bank = await desks("bank-a", "mortgage")
    mortgage = (await bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))).mortgages[0]
    proof = await bank.GetMortgage(mortgage_pb.GetMortgageRequest(name=mortgage.name, with_document=True))
    return Issued(certificate.document, proof.proof_document)


@pytest.fixture(scope="module")
def key_pem(pki) -> bytes:
    return pki.registry_public_key_path.read_bytes()


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def served(key_pem):
    with verifier.PageServer(verifier.Trust(key_pem)) as server:
        yield server


@pytest.fixture
def page(browser, served) -> VerifierPage:
    page = VerifierPage(browser, served.url)
    assert page.key_state() == "true"
    return page


def _content(document) -> dict:
    return json.loads(document.content)


# ---- the PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["certificate", "proof"])
def test_the_pdf_holds_every_field_of_the_document_and_its_verification_data(issued, kind):
    document = getattr(issued, kind)
    text = pdf_text(render(document))
    fields = document_fields(_content(document)) + verification_fields(document)
    for field in fields:
        assert flat(field.zh) in text, field
        assert flat(field.value) in text, field
    body = _content(document)["body"]
    people = body["owners"] if kind == "certificate" else body["mortgagors"]
    for person in people:
        assert person["name"] in text
        assert person["resident_id"] in text
    if kind == "certificate":
        for value in (body["address"], body["right_type"], body["right_nature"], body["use"]):
            assert flat(value) in text
        assert "不动产权证书" in text
        assert "重庆市渝北区不动产登记机构" in text
    else:
        assert body["loan"]["bank"]["name"] in text
        assert body["loan"]["mortgage_contract_number"] in text
        assert "不动产登记证明" in text
        assert body["proof_number"] in text


def test_the_certificate_says_the_nature_of_the_right_the_office_sealed(issued):
    body = _content(issued.certificate)["body"]
    assert body["right_nature"] == "出让/市场化商品房"


@pytest.mark.parametrize("kind", ["certificate", "proof"])
def test_the_pdf_embeds_the_signed_document_and_reads_back_as_it(issued, kind):
    document = getattr(issued, kind)
    pdf = render(document)
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert attachments[ATTACHMENT] == [to_file(document).encode()]
    assert read_document(pdf) == document


@pytest.mark.parametrize("kind", ["certificate", "proof"])
def test_the_qr_code_decodes_to_the_verification_payload(issued, kind, tmp_path):
    document = getattr(issued, kind)
    (tmp_path / "document.pdf").write_bytes(render(document))
    # The documented command that makes a picture of the first page (README).
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-singlefile", "document.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [c.format for c in codes] == [zxingcpp.BarcodeFormat.QRCode]
    assert codes[0].text == payload.encode(document)
    assert payload.decode(codes[0].text) == document


# ---- the page, in Chromium ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["certificate", "proof"])
def test_the_page_says_valid_for_the_json_the_pdf_and_the_qr_text(issued, page, kind, tmp_path):
    document = getattr(issued, kind)
    (tmp_path / "document.json").write_text(to_file(document))
    (tmp_path / "document.pdf").write_bytes(render(document))
    answers = [
        page.check_file(tmp_path / "document.json"),
        page.check_file(tmp_path / "document.pdf"),
        page.check_payload(payload.encode(document)),
        page.drop_file("document.pdf", (tmp_path / "document.pdf").read_bytes()),
    ]
    for answer in answers:
        assert answer.verdict == "VALID", answer.failures
        assert answer.failures == []
        assert answer.checks == dict.fromkeys(
            ("key", "checkpoint", "inclusion", "seal", "agreement", "witnessed"), True
        )


@pytest.mark.parametrize("kind", ["certificate", "proof"])
def test_the_page_shows_the_fields_the_pdf_prints(issued, page, kind):
    """verifier.js renders the template as client/paper/fields.py does, value for value."""
    document = getattr(issued, kind)
    answer = page.check_payload(payload.encode(document))
    assert answer.fields == {f.zh: f.value for f in document_fields(_content(document))}
    assert answer.data == {f.zh: f.value for f in verification_fields(document)}


def _flipped(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def _another_letter(data: bytes, at: int) -> bytes:
    """Another base64 letter in place of the one at `at`: the bytes it stands for change, and the
    file stays readable (a flipped bit may make a letter no letter at all, which is unreadable,
    not invalid, and depends on the document)."""
    changed = bytearray(data)
    changed[at] = ord("B") if data[at] == ord("A") else ord("A")
    return bytes(changed)


def test_the_page_says_invalid_for_a_changed_byte_in_the_json_and_in_the_pdf(issued, page, tmp_path):
    document = issued.certificate
    text = to_file(document).encode()
    # A letter inside the content's base64: the document says something else now.
    at = text.index(b'"content": "') + len(b'"content": "') + 40
    (tmp_path / "changed.json").write_bytes(_another_letter(text, at))
    answer = page.check_file(tmp_path / "changed.json")
    assert answer.verdict == "INVALID"
    assert "the registry's seal does not verify (the document was changed)" in answer.failures
    assert answer.checks["seal"] is False
    assert answer.checks["checkpoint"] is True
    pdf = render(document)
    at = pdf.index(b'"seal": "') + len(b'"seal": "') + 10
    (tmp_path / "changed.pdf").write_bytes(_another_letter(pdf, at))
    answer = page.check_file(tmp_path / "changed.pdf")
    assert answer.verdict == "INVALID"
    assert answer.failures == ["the registry's seal does not verify (the document was changed)"]


def test_the_page_says_invalid_against_another_registry_key(issued, page, tmp_path):
    other = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    page.use_key(other.decode())
    assert page.key_state() == "true"
    (tmp_path / "document.pdf").write_bytes(render(issued.certificate))
    answer = page.check_file(tmp_path / "document.pdf")
    assert answer.verdict == "INVALID"
    assert answer.failures == [
        "the checkpoint note does not verify with the book's key",
        "the checkpoint was signed by another key than the registry's",
        "the checkpoint's signature does not verify",
        "the registry's seal does not verify (the document was changed)",
    ]


def test_the_page_refuses_a_key_that_is_not_ed25519(page):
    p256 = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
    page.use_key(f"-----BEGIN PUBLIC KEY-----\n{p256}\n-----END PUBLIC KEY-----\n")
    assert page.key_state() == "false"


def test_the_page_works_opened_from_disk(issued, browser, key_pem, tmp_path):
    index = verifier.write(tmp_path / "verifier", verifier.Trust(key_pem))
    (tmp_path / "certificate.pdf").write_bytes(render(issued.certificate))
    page = VerifierPage(browser, index.as_uri())
    assert page.key_state() == "true"
    assert page.check_file(tmp_path / "certificate.pdf").verdict == "VALID"


def test_the_page_asks_for_nothing_beyond_its_own_files(issued, page, browser):
    page.check_payload(payload.encode(issued.certificate))
    requested = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert {Path(name).name for name in requested} <= {*verifier.PAGE_FILES, verifier.KEY_SCRIPT}


# ---- the page and deedctl verify give one answer ------------------------------------------------


def _variants(document: document_pb2.SignedDocument, other_kind: document_pb2.SignedDocument) -> dict:
    """Documents a relying party might be handed: as issued, and changed in every part."""

    def changed(**parts) -> document_pb2.SignedDocument:
        copy = document_pb2.SignedDocument()
        copy.CopyFrom(document)
        for name, value in parts.items():
            if name.startswith("checkpoint_"):
                target = name.removeprefix("checkpoint_")
                if target == "time":
                    copy.checkpoint.checkpoint_time.seconds += 1
                else:
                    setattr(copy.checkpoint, target, value)
            elif name in ("audit_path", "holder_openings"):
                del getattr(copy, name)[:]
                getattr(copy, name).extend(value)
            else:
                setattr(copy, name, value)
        return copy

    content = _content(document)
    path = list(document.audit_path)
    checkpoint = document.checkpoint
    files = {
        "as issued": to_file(document).encode(),
        "the other kind": to_file(other_kind).encode(),
        "content byte": to_file(changed(content=_flipped(document.content, 10))).encode(),
        "leaf byte": to_file(changed(leaf=_flipped(document.leaf, 30))).encode(),
        "seal byte": to_file(changed(seal=_flipped(document.seal, 5))).encode(),
        "audit path byte": to_file(changed(audit_path=[_flipped(path[0], 3), *path[1:]])).encode(),
        "audit path short": to_file(changed(audit_path=path[:-1])).encode(),
        "leaf index": to_file(changed(leaf_index=document.leaf_index + 1)).encode(),
        "tree size": to_file(changed(checkpoint_tree_size=document.checkpoint.tree_size + 1)).encode(),
        "root byte": to_file(changed(checkpoint_root_hash=_flipped(checkpoint.root_hash, 0))).encode(),
        "signature byte": to_file(changed(checkpoint_signature=_flipped(checkpoint.signature, 9))).encode(),
        "key id": to_file(changed(checkpoint_key_id=bytes(32))).encode(),
        "checkpoint time": to_file(changed(checkpoint_time=True)).encode(),
        "holders swapped": to_file(
            changed(content=json.dumps({**content, "holders": ["buyers/x"]}).encode())
        ).encode(),
        # The holders' openings: one changed, one missing, one too many (the leaf's commitments
        # must be opened by each, in order, by both readers alike).
        "opening byte": to_file(
            changed(holder_openings=[_flipped(document.holder_openings[0], 7), *document.holder_openings[1:]])
        ).encode(),
        "opening missing": to_file(changed(holder_openings=list(document.holder_openings)[1:])).encode(),
        "opening added": to_file(changed(holder_openings=[*document.holder_openings, bytes(32)])).encode(),
        "not JSON content": to_file(changed(content=b"\xff not json")).encode(),
        "empty": b"{}",
        "not a document": b'{"colour": "red"}',
        "broken JSON": b'{"content": ',
        "PDF": render(document),
        "QR text": payload.encode(document).encode(),
        "QR text changed": payload.encode(changed(seal=_flipped(document.seal, 1))).encode(),
    }
    text = to_file(document).encode()
    # A flipped bit anywhere in the file: in a key, a quote, a base64 letter, a digit.
    for at in range(0, len(text), max(1, len(text) // 40)):
        files[f"bit at {at}"] = _flipped(text, at)
    return files


def _deedctl_verify(path: Path, key_path: Path) -> tuple[str, list[str]]:
    """`deedctl verify --json` on the file: VALID, INVALID with its failures, or UNREADABLE."""
    # The session's PKI folder, not the developer's .deedflow: no witnesses.json of a demo there.
    result = CliRunner().invoke(
        deedctl,
        ["--json", "verify", str(path), "--registry-key", str(key_path)],
        env={"DEEDFLOW_PKI_DIR": str(key_path.parent)},
    )
    if result.exit_code == 4:
        return "UNREADABLE", []
    assert result.exit_code in (0, 8), result.output
    data = json.loads(result.stdout)
    return ("VALID" if data["valid"] else "INVALID"), data["failures"]


def _comparable(failures: list[str]) -> list[str]:
    """A JSON parser's own words after 'is not JSON:' differ between Python and the browser."""
    return [f.split(" is not JSON:")[0] + (" is not JSON" if " is not JSON:" in f else "") for f in failures]


def test_the_page_and_deedctl_verify_give_the_same_answer(issued, page, pki, tmp_path):
    verdicts = []
    for kind, other in (("certificate", issued.proof), ("proof", issued.certificate)):
        for name, data in _variants(getattr(issued, kind), other).items():
            path = tmp_path / f"{kind}-{name.replace(' ', '-')}"
            path.write_bytes(data)
            expected = _deedctl_verify(path, pki.registry_public_key_path)
            answer = page.check_file(path)
            assert answer.verdict == expected[0], (kind, name, answer.failures, expected)
            if expected[0] != "UNREADABLE":
                assert _comparable(answer.failures) == _comparable(expected[1]), (kind, name)
            verdicts.append(expected[0])
    # The set holds documents of every outcome, so agreement is not agreement on one answer.
    assert {v: verdicts.count(v) for v in set(verdicts)}.keys() == {"VALID", "INVALID", "UNREADABLE"}
    assert verdicts.count("INVALID") >= 20

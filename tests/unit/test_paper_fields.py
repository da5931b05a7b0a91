"""The template's fields as the PDF prints them: co-ownership in each form, times in Beijing
time, the authority the sealed number names, and a field the book does not hold said to be so."""

from __future__ import annotations

from client.paper.fields import NOT_RECORDED, authority_name, china_time, document_fields


def _certificate(**body) -> dict:
    return {
        "kind": "certificate",
        "number": "渝(2026)渝北区不动产权第0000007号",
        "unit_number": "500112001002GB00015F00010101",
        "entry": "units/500112001002GB00015F00010101/entries/4",
        "sealed_time": "2026-12-05T16:30:00.000001+00:00",
        "body": body,
    }


def _field(content: dict, label: str) -> str:
    return next(f.value for f in document_fields(content) if f.zh == label)


def test_co_ownership_reads_as_the_book_holds_it():
    one = [{"name": "甲", "resident_id": "x", "share_basis_points": 10000}]
    two = [{"name": "甲", "share_basis_points": 6000}, {"name": "乙", "share_basis_points": 4000}]
    assert _field(_certificate(owners=one), "共有情况") == "单独所有 (sole)"
    assert _field(_certificate(owners=two, co_ownership="CO_OWNERSHIP_BY_SHARES"), "共有情况") == (
        "按份共有 (by shares)：甲 60.00%，乙 40.00%"
    )
    joint = _certificate(owners=two, co_ownership="CO_OWNERSHIP_JOINT")
    assert _field(joint, "共有情况") == "共同共有 (joint)"


def test_times_are_beijing_time_and_missing_facts_say_so():
    content = _certificate(owners=[], gross_area_dm2="14350")
    assert _field(content, "发证时间") == "2026-12-06 00:30:00 +08:00"
    assert china_time("2026-12-05T05:40:57.284Z") == "2026-12-05 13:40:57 +08:00"
    assert _field(content, "面积") == "建筑面积 (gross floor area) 143.50 m²"
    for label in ("坐落", "权利性质", "使用期限", "用途"):
        assert _field(content, label) == NOT_RECORDED


def test_the_authority_is_the_one_the_sealed_number_names():
    assert authority_name("渝(2026)渝北区不动产权第0000001号") == "重庆市渝北区不动产登记机构"
    assert (
        authority_name("渝(2026)石柱土家族自治县不动产证明第0000004号")
        == "重庆市石柱土家族自治县不动产登记机构"
    )
    assert authority_name("京(2026)朝阳区不动产权第0000001号") == NOT_RECORDED


def test_a_proof_names_the_mortgagee_the_obligors_and_the_debt():
    content = {
        "kind": "proof",
        "number": "渝(2026)渝北区不动产证明第0000004号",
        "unit_number": "500112001002GB00015F00010101",
        "sealed_time": "2026-12-05T05:40:57+00:00",
        "body": {
            "loan": {
                "bank": {"name": "测试银行", "uscc": "915000007094231152"},
                "amount_fen": "100450000",
                "term_months": 360,
                "mortgage_contract_number": "DK-1",
            },
            "mortgagors": [{"name": "甲", "resident_id": "500112197301180211"}],
            "premortgage": "premortgages/1",
            "priority_time": "2026-12-01T00:00:00Z",
        },
    }
    fields = {f.zh: f.value for f in document_fields(content)}
    assert fields["权利人（申请人）"] == "测试银行（915000007094231152）"
    assert fields["义务人"] == "甲（身份证 500112197301180211）"
    assert "1,004,500.00 元" in fields["其他"]
    assert "360 个月" in fields["其他"]
    assert fields["附记"].startswith("顺位时间 (priority from) 2026-12-01 08:00:00 +08:00")
    assert fields["证明号"] == content["number"]

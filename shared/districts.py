"""The registration authorities (区县不动产登记机构) of Chongqing by the county code that heads a
unit number: who keeps a unit's book and is named on its certificates and proofs."""

from __future__ import annotations

from collections.abc import Iterable

from shared.errors import FieldViolation
from shared.ids import IdentifierError

# The registration authority (区县不动产登记机构) named on proofs and certificates, by the
# county code that heads the unit number: every district (区) and county (县) of Chongqing, by
# the national administrative division codes (GB/T 2260, as the Ministry of Civil Affairs
# publishes them). A code not here is not a Chongqing authority and is refused at the door.
DISTRICTS = {
    "500101": "万州区",
    "500102": "涪陵区",
    "500103": "渝中区",
    "500104": "大渡口区",
    "500105": "江北区",
    "500106": "沙坪坝区",
    "500107": "九龙坡区",
    "500108": "南岸区",
    "500109": "北碚区",
    "500110": "綦江区",
    "500111": "大足区",
    "500112": "渝北区",
    "500113": "巴南区",
    "500114": "黔江区",
    "500115": "长寿区",
    "500116": "江津区",
    "500117": "合川区",
    "500118": "永川区",
    "500119": "南川区",
    "500120": "璧山区",
    "500151": "铜梁区",
    "500152": "潼南区",
    "500153": "荣昌区",
    "500154": "开州区",
    "500155": "梁平区",
    "500156": "武隆区",
    "500229": "城口县",
    "500230": "丰都县",
    "500231": "垫江县",
    "500233": "忠县",
    "500235": "云阳县",
    "500236": "奉节县",
    "500237": "巫山县",
    "500238": "巫溪县",
    "500240": "石柱土家族自治县",
    "500241": "秀山土家族苗族自治县",
    "500242": "酉阳土家族苗族自治县",
    "500243": "彭水苗族土家族自治县",
}


def authority_of(unit_or_building_number: str) -> str:
    """The registration authority's county code: the first six digits of a unit or building."""
    return unit_or_building_number[:6]


def is_known_authority(unit_or_building_number: str) -> bool:
    return authority_of(unit_or_building_number) in DISTRICTS


def validate_authority_code(value: str) -> str:
    """Returns the county code if it names a Chongqing registration authority (a book)."""
    if value not in DISTRICTS:
        raise IdentifierError(f"{value!r} is not the county code of a Chongqing district or county")
    return value


def authority_violations(numbers: Iterable[tuple[str, str]]) -> list[FieldViolation]:
    """A violation for each (field, unit or building number) whose county code names no
    Chongqing registration authority: its certificates would have no authority to print."""
    return [
        FieldViolation(field, f"county code {authority_of(number)} is not a Chongqing district or county")
        for field, number in numbers
        if not is_known_authority(number)
    ]


def district_of(unit_or_building_number: str) -> str:
    """The authority's name; every unit in the book passed `is_known_authority` when its
    project was created, so a miss is our bug and raises."""
    return DISTRICTS[authority_of(unit_or_building_number)]

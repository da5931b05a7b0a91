"""Caller identity: a SAN URI in the client certificate, read only from the TLS auth context."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.errors import Unauthenticated

SCHEME = "deedflow://"


class Role(StrEnum):
    """Who a caller is, by the host part of its SAN URI."""

    DEVELOPER = "developer"  # 开发企业
    BANK = "bank"  # 抵押权人 (银行)
    CLERK = "clerk"  # 登记中心工作人员
    HOUSING = "housing"  # 住房城乡建设主管部门 (housing authority)
    TAX = "tax"  # 税务机关 (tax authority)
    SERVICE = "service"  # one of our own services
    # 买受人: buyers never call the API; their certificates only bind their signing keys.
    BUYER = "buyer"


@dataclass(frozen=True)
class Caller:
    role: Role
    id: str

    @property
    def uri(self) -> str:
        return f"{SCHEME}{self.role.value}/{self.id}"

    def __str__(self) -> str:
        return self.uri


def parse_identity_uri(uri: str) -> Caller:
    """'deedflow://bank/915000007094231152' -> Caller(BANK, '915000007094231152')."""
    if not uri.startswith(SCHEME):
        raise ValueError(f"not a deedflow identity: {uri!r}")
    role_text, _, ident = uri[len(SCHEME) :].partition("/")
    if not ident or "/" in ident:
        raise ValueError(f"identity needs exactly role/id: {uri!r}")
    try:
        role = Role(role_text)
    except ValueError:
        raise ValueError(f"unknown role {role_text!r} in {uri!r}") from None
    return Caller(role, ident)


def caller_from_auth_context(auth_context: Mapping[str, Iterable[bytes]]) -> Caller:
    """The one deedflow identity among the peer certificate's URI SANs."""
    uris = [v.decode() for v in auth_context.get("peer_uri", []) if v.startswith(SCHEME.encode())]
    if len(uris) != 1:
        raise Unauthenticated(
            "the client certificate must carry exactly one deedflow:// URI SAN"
            if uris
            else "no deedflow identity in the client certificate"
        )
    try:
        return parse_identity_uri(uris[0])
    except ValueError as exc:
        raise Unauthenticated(str(exc)) from None


# The caller of the call being served, set by the request-context interceptor.
current_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("current_caller", default=None)


def caller() -> Caller:
    """The caller of the call being served; services use this, never request fields."""
    who = current_caller.get()
    if who is None:
        raise Unauthenticated("no caller in this context")
    return who

"""Who may see and do what in the sales network, as route dependencies (DOMAIN.md "Roles").

* ADMIN: everything. VENTANA (a listero): its ventana and that ventana's vendedores.
  VENDEDOR: its own records. ORGANIZER (or a token without ``ventanaId``): 403 ``NETWORK_FORBIDDEN``.
* A route takes :data:`NetworkScopeDep`, :data:`ListeroOrAdmin` or :data:`AdminOnly` as a
  parameter; it never checks the role in its body. Repositories take the scope and filter
  by it (:meth:`NetworkScope.where`), so a record outside it is simply not found (404).
* An explicit filter outside the scope (``?ventanaId=<another>``) is a 403 ``OUT_OF_SCOPE``
  (:meth:`NetworkScope.narrow`), never an empty page that hides the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Select

from taquilla.core.errors import Forbidden
from taquilla.core.security import CurrentPrincipal, Principal, Role


@dataclass(frozen=True, slots=True)
class NetworkScope:
    """The caller's reach: ``ventana_id``/``vendedor_id`` None = unrestricted at that level."""

    role: Role
    user_id: str
    ventana_id: str | None
    vendedor_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def sees(self, ventana_id: str, vendedor_id: str | None) -> bool:
        """True when a record of (ventana, vendedor) is inside the scope."""
        if self.ventana_id is not None and ventana_id != self.ventana_id:
            return False
        return self.vendedor_id is None or vendedor_id == self.vendedor_id

    def narrow(self, ventana_id: str | None, vendedor_id: str | None = None) -> tuple[str | None, str | None]:
        """The (ventana, vendedor) filters of a listing: the requested ones, or the caller's own.

        Raises Forbidden ``OUT_OF_SCOPE`` when a requested id lies outside the scope.
        """
        if (self.ventana_id and ventana_id not in (None, self.ventana_id)) or (
            self.vendedor_id and vendedor_id not in (None, self.vendedor_id)
        ):
            raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
        return self.ventana_id or ventana_id, self.vendedor_id or vendedor_id

    def where(self, stmt: Select[Any], ventana_col: Any, vendedor_col: Any = None) -> Select[Any]:
        """``stmt`` restricted to the scope: ``ventana_col`` = own ventana, ``vendedor_col`` = own vendedor."""
        if self.ventana_id is not None:
            stmt = stmt.where(ventana_col == self.ventana_id)
        if self.vendedor_id is not None and vendedor_col is not None:
            stmt = stmt.where(vendedor_col == self.vendedor_id)
        return stmt


def scope_of(principal: Principal) -> NetworkScope:
    """The network scope of ``principal``. Raises Forbidden ``NETWORK_FORBIDDEN`` for ORGANIZER or a token without ventana."""
    if principal.role is Role.ADMIN:
        return NetworkScope(principal.role, principal.user_id, None, None)
    if principal.role in (Role.VENTANA, Role.VENDEDOR) and principal.ventana_id:
        vendedor = principal.user_id if principal.role is Role.VENDEDOR else None
        return NetworkScope(principal.role, principal.user_id, principal.ventana_id, vendedor)
    raise Forbidden("This role has no access to the sales network.", code="NETWORK_FORBIDDEN")


async def _network_scope(principal: CurrentPrincipal) -> NetworkScope:
    return scope_of(principal)


NetworkScopeDep = Annotated[NetworkScope, Depends(_network_scope)]
"""Any network role (ADMIN, VENTANA, VENDEDOR); 401 without a token, 403 for other roles."""


async def _listero_or_admin(scope: NetworkScopeDep) -> NetworkScope:
    if scope.role is Role.VENDEDOR:
        raise Forbidden("A VENDEDOR may not do this.", code="ROLE_FORBIDDEN")
    return scope


ListeroOrAdmin = Annotated[NetworkScope, Depends(_listero_or_admin)]
"""ADMIN or a listero (VENTANA); 403 ``ROLE_FORBIDDEN`` for a VENDEDOR."""


async def _admin_only(scope: NetworkScopeDep) -> NetworkScope:
    if not scope.is_admin:
        raise Forbidden("Only ADMIN may do this.", code="ADMIN_ONLY")
    return scope


AdminOnly = Annotated[NetworkScope, Depends(_admin_only)]
"""ADMIN only; 403 ``ADMIN_ONLY`` otherwise."""

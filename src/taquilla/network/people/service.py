"""The network's people as the front end manages them: ``/api/v1/users`` (listeros, vendedores,
admins) and commission policies in the client's versioned shape.

Builds on :mod:`taquilla.network.structure.service` (a VENDEDOR user is a vendedor with its account).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from taquilla.core.errors import BadRequest, Forbidden
from taquilla.core.pagination import PageParams
from taquilla.core.security import Role, hash_password_async
from taquilla.identity.models import User
from taquilla.identity.repository import users_page
from taquilla.identity.service import create_user
from taquilla.network.auth import NetworkScope
from taquilla.network.commission import current_version, with_version
from taquilla.network.models import Banca, Vendedor, Ventana
from taquilla.network.people.schemas import UserCreateIn, UserPatch
from taquilla.network.schemas import CommissionPolicyJson
from taquilla.network.structure import repository as repo
from taquilla.network.structure.schemas import VendedorIn
from taquilla.network.structure.service import create_vendedor, need, unique_code

# ---- users (the front end's /users) -------------------------------------------------------------------


def _user_scope_check(scope: NetworkScope, user: User) -> None:
    """ADMIN reaches every user; a listero itself and the VENDEDOR users of its ventana; a vendedor itself.

    Raises Forbidden ``USER_OUT_OF_SCOPE``.
    """
    if scope.is_admin or user.id == scope.user_id:
        return
    if scope.role is Role.VENTANA and user.role == Role.VENDEDOR.value and user.ventana_id == scope.ventana_id:
        return
    raise Forbidden("You may only manage the vendedores of your ventana.", code="USER_OUT_OF_SCOPE")


async def _free_vendedor_code(session: AsyncSession, wanted: str | None, username: str) -> str:
    """``wanted`` (Conflict ``CODE_TAKEN`` if used) or a free code derived from ``username``."""
    if wanted:
        await unique_code(session, Vendedor, wanted)
        return wanted
    base = username.upper()[:28]
    code, n = base, 1
    while await repo.code_taken(session, Vendedor, code):
        n += 1
        code = f"{base}-{n}"
    return code


async def create_network_user(session: AsyncSession, scope: NetworkScope, body: UserCreateIn) -> tuple[User, str | None]:
    """A user as the front end creates it; a VENDEDOR user also gets its vendedor (same id) and account.

    ADMIN creates any role; a listero only VENDEDOR users of its own ventana (``ventanaId``
    omitted = its own). Returns ``(user, banca id of its ventana)``. Raises Forbidden
    ``USER_OUT_OF_SCOPE``; BadRequest ``VENTANA_REQUIRED``/``ORGANIZER_REQUIRED``; NotFound
    ``VENTANA_NOT_FOUND``; Conflict ``USERNAME_TAKEN``/``CODE_TAKEN``.
    """
    role = Role(body.role)
    name = body.name if body.name is not None else (body.fullName or "")
    if not scope.is_admin and (role is not Role.VENDEDOR or body.ventanaId not in (None, scope.ventana_id)):
        raise Forbidden("A listero may only create vendedores of its own ventana.", code="USER_OUT_OF_SCOPE")
    ventana_id = body.ventanaId or (scope.ventana_id if role is Role.VENDEDOR else None)
    if role is Role.VENDEDOR:
        if ventana_id is None:
            raise BadRequest("A VENDEDOR user needs ventanaId.", code="VENTANA_REQUIRED")
        code = await _free_vendedor_code(session, body.code, body.username)
        vendedor, _ = await create_vendedor(session, scope, VendedorIn(
            username=body.username, password=body.password, name=name or body.username, code=code,
            ventanaId=ventana_id, isActive=body.isActive, commissionPolicy=body.commissionPolicy,
        ))
        user = await need(session, User, vendedor.id, "USER_NOT_FOUND")
        user.full_name = name
        user.email = body.email
    else:
        user = await create_user(
            session, username=body.username, password=body.password, role=role, full_name=name,
            organizer_id=body.organizerId, ventana_id=ventana_id,
        )
        user.email, user.code, user.is_active = body.email, body.code, body.isActive
    await session.flush()
    return user, await _banca_of(session, user.ventana_id)


async def _banca_of(session: AsyncSession, ventana_id: str | None) -> str | None:
    if ventana_id is None:
        return None
    ventana = await repo.get(session, Ventana, ventana_id)
    return ventana.banca_id if ventana is not None else None


async def get_network_user(session: AsyncSession, scope: NetworkScope, user_id: str) -> tuple[User, str | None]:
    """One user in the caller's reach (:func:`_user_scope_check`). Raises NotFound ``USER_NOT_FOUND``, Forbidden."""
    user = await need(session, User, user_id, "USER_NOT_FOUND")
    _user_scope_check(scope, user)
    return user, await _banca_of(session, user.ventana_id)


_PRINT_FIELDS = {"printName": "name", "printPhone": "phone", "printWidth": "width", "printFooter": "footer", "printBarcode": "barcode"}


def _merged_settings(user: User, body: UserPatch) -> dict[str, Any]:
    settings = dict(user.settings or {})
    printing = dict(settings.get("print") or {})
    if body.settings is not None:
        if "theme" in body.settings.model_fields_set:
            settings["theme"] = body.settings.theme
        if body.settings.print is not None:
            printing.update(body.settings.print.model_dump(exclude_unset=True))
    for field, key in _PRINT_FIELDS.items():
        if field in body.model_fields_set:
            printing[key] = getattr(body, field)
    settings["print"] = printing
    return settings


async def update_network_user(session: AsyncSession, scope: NetworkScope, user_id: str, body: UserPatch) -> tuple[User, str | None]:
    """Change a user as the front end does.

    Everyone may change their own ``settings``/``print*``. ADMIN changes anything; a listero
    the name, email, code, password and active flag of its ventana's VENDEDOR users (never
    their role or ventana). A VENDEDOR user keeps role and ventana (its sales and account
    belong to them): a change → 400 ``VENDEDOR_IMMUTABLE``. Name, code and active flag are
    copied onto the vendedor record (one concept). Raises Forbidden ``USER_OUT_OF_SCOPE``,
    NotFound, Conflict ``CODE_TAKEN``.
    """
    user = await need(session, User, user_id, "USER_NOT_FOUND")
    _user_scope_check(scope, user)
    fields = body.model_fields_set
    own_only = {"settings", *_PRINT_FIELDS}
    if not scope.is_admin and user.id == scope.user_id and fields - own_only:
        raise Forbidden("You may change only your own settings here.", code="USER_OUT_OF_SCOPE")
    if not scope.is_admin and fields & {"role", "ventanaId"} and (
        (body.role or user.role) != user.role or (body.ventanaId or user.ventana_id) != user.ventana_id
    ):
        raise Forbidden("Only ADMIN changes a user's role or ventana.", code="USER_OUT_OF_SCOPE")
    is_vendedor = user.role == Role.VENDEDOR.value
    if ("role" in fields and body.role != user.role and (is_vendedor or body.role == Role.VENDEDOR.value)) or (
        is_vendedor and "ventanaId" in fields and body.ventanaId != user.ventana_id
    ):
        raise BadRequest("A VENDEDOR user keeps its role and ventana.", code="VENDEDOR_IMMUTABLE")
    if "role" in fields and body.role is not None:
        user.role = body.role
    if "ventanaId" in fields and not is_vendedor:
        if body.ventanaId is not None:
            await need(session, Ventana, body.ventanaId, "VENTANA_NOT_FOUND")
        user.ventana_id = body.ventanaId
    name = body.name if "name" in fields else (body.fullName if "fullName" in fields else None)
    if name is not None:
        user.full_name = name
    if "email" in fields:
        user.email = body.email
    if "isActive" in fields and body.isActive is not None:
        user.is_active = body.isActive
    if "password" in fields and body.password is not None:
        user.password_hash = await hash_password_async(body.password)
    if fields & own_only:
        user.settings = _merged_settings(user, body)
    if "code" in fields and body.code != user.code:
        if is_vendedor and body.code:
            await unique_code(session, Vendedor, body.code)
        user.code = body.code
    if is_vendedor:
        vendedor = await repo.get(session, Vendedor, user.id)
        if vendedor is not None:
            vendedor.name = user.full_name or vendedor.name
            vendedor.is_active = user.is_active
            if user.code:
                vendedor.code = user.code
    await session.flush()
    return user, await _banca_of(session, user.ventana_id)


async def list_network_users(
    session: AsyncSession, scope: NetworkScope, *, role: str | None, ventana_id: str | None, is_active: bool | None,
    search: str | None, page: PageParams,
) -> tuple[int, list[User]]:
    """Users by username. A listero sees only the VENDEDOR users of its ventana (another ventana
    or role → 403 ``OUT_OF_SCOPE``)."""
    if not scope.is_admin:
        if role not in (None, Role.VENDEDOR.value):
            raise Forbidden("A listero lists only its vendedores.", code="OUT_OF_SCOPE")
        role = Role.VENDEDOR.value
    ventana_id, _ = scope.narrow(ventana_id)
    return await users_page(
        session, page.offset, page.limit, role=role, ventana_id=ventana_id, is_active=is_active, search=search
    )


# ---- commission policies in the front end's shape ----------------------------------------------------


async def _policy_holder(session: AsyncSession, kind: str, holder_id: str) -> Banca | Ventana | Vendedor:
    """The row that holds the policy: a banca, a ventana, or for a user its vendedor (VENDEDOR) or ventana (VENTANA).

    Raises NotFound; BadRequest ``NO_COMMISSION_POLICY`` for a user of another role.
    """
    if kind == "banca":
        return await need(session, Banca, holder_id, "BANCA_NOT_FOUND")
    if kind == "ventana":
        return await need(session, Ventana, holder_id, "VENTANA_NOT_FOUND")
    user = await need(session, User, holder_id, "USER_NOT_FOUND")
    if user.role == Role.VENDEDOR.value:
        return await need(session, Vendedor, user.id, "VENDEDOR_NOT_FOUND")
    if user.role == Role.VENTANA.value and user.ventana_id:
        return await need(session, Ventana, user.ventana_id, "VENTANA_NOT_FOUND")
    raise BadRequest("Only VENDEDOR and VENTANA users have a commission policy.", code="NO_COMMISSION_POLICY")


async def get_commission_policy(session: AsyncSession, scope: NetworkScope, kind: str, holder_id: str) -> dict[str, Any]:
    """``{commissionPolicyJson: newest version or None, versions: [...]}`` of a banca, ventana or user.

    A listero reads its own ventana's and its vendedores'; ADMIN all. Raises Forbidden ``OUT_OF_SCOPE``.
    """
    holder = await _policy_holder(session, kind, holder_id)
    ventana_id = holder.id if isinstance(holder, Ventana) else getattr(holder, "ventana_id", None)
    if not scope.is_admin and (ventana_id is None or not scope.sees(ventana_id, holder.id if isinstance(holder, Vendedor) else None)):
        raise Forbidden("Outside your scope.", code="OUT_OF_SCOPE")
    stored = holder.commission_policy
    versions = (stored or {}).get("versions") if stored and "versions" in stored else ([current_version(stored)] if stored else [])
    return {"commissionPolicyJson": current_version(stored), "versions": versions}


async def put_commission_policy(
    session: AsyncSession, kind: str, holder_id: str, policy: CommissionPolicyJson
) -> dict[str, Any]:
    """Append ``policy`` as the newest version (ADMIN; later sales only, sold jugadas keep their snapshot)."""
    holder = await _policy_holder(session, kind, holder_id)
    holder.commission_policy = with_version(holder.commission_policy, policy)
    await session.flush()
    return {"commissionPolicyJson": current_version(holder.commission_policy), "versions": holder.commission_policy["versions"]}

"""Token revocation: a user's ``token_version`` moves when the user changes, and Redis learns it at commit.

Whatever path changes a user — ``PATCH`` of a vendedor in the network, a password change,
a role change — the ``before_update`` hook of :class:`User` bumps ``token_version`` when
``is_active``, ``role``, ``password_hash``, ``organizer_id`` or ``ventana_id`` changed,
and queues (:func:`taquilla.core.db.after_commit`) the new :class:`UserState` for the
``auth:user:<id>`` cache key. Tokens issued before carry the old version and get 401 on
their next request. Sessions whose ``info`` holds no ``redis`` (CLI commands) only bump
the version; the cached state then expires within ``USER_STATE_CACHE_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, object_session

from taquilla.core.db import after_commit
from taquilla.core.security import UserState, publish_user_state
from taquilla.identity.models import User

WATCHED = ("is_active", "role", "password_hash", "organizer_id", "ventana_id")


def _publish_after_commit(user: User, state: UserState | None) -> None:
    session = object_session(user)
    redis = session.info.get("redis") if session is not None else None
    if session is None or redis is None:
        return
    ttl = int(session.info.get("user_state_ttl", 30))
    user_id = user.id

    async def publish() -> None:
        await publish_user_state(redis, user_id, state, ttl)

    after_commit(session, publish)  # type: ignore[arg-type] - uses only .info, shared with the AsyncSession


@event.listens_for(User, "before_update")
def _bump_token_version(_mapper: Mapper[Any], _connection: Any, user: User) -> None:
    attrs = inspect(user).attrs
    if any(attrs[name].history.has_changes() for name in WATCHED):
        user.token_version = (user.token_version or 0) + 1
        _publish_after_commit(user, UserState(bool(user.is_active), user.role, user.token_version))


@event.listens_for(User, "after_delete")
def _forget_deleted(_mapper: Mapper[Any], _connection: Any, user: User) -> None:
    _publish_after_commit(user, None)


def bind_session_info(sessionmaker: Any, redis: Any, ttl_seconds: int) -> None:
    """Give ``sessionmaker``'s sessions the Redis client the hooks above publish to."""
    info = dict(sessionmaker.kw.get("info") or {})
    info.update({"redis": redis, "user_state_ttl": ttl_seconds})
    sessionmaker.configure(info=info)

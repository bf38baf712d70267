"""The route class of every router: request JSON parsed with exact decimals.

FastAPI parses a JSON body with the standard library before validation, so
``99000000000000.01`` would reach a schema as the nearest binary float
(``…000.02`` once rounded to cents). :class:`ExactJSONRoute` hands the handler a
request whose ``json()`` parses fractional numbers as ``Decimal``
(DOMAIN.md "Amounts in JSON are exact"); integers stay ``int``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute


class ExactJSONRequest(Request):
    """A request whose JSON body keeps fractional numbers as ``Decimal``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class ExactJSONRoute(APIRoute):
    """An ``APIRoute`` whose handler sees :class:`ExactJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact


def context_router(**kwargs: Any) -> APIRouter:
    """``APIRouter(**kwargs)`` with :class:`ExactJSONRoute` (use it for every router of the service)."""
    return APIRouter(route_class=ExactJSONRoute, **kwargs)

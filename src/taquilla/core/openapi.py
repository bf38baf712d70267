"""What the service says about itself: the OpenAPI document and the ``Allow`` header of 405 answers.

* Invalid input answers 400 with the error envelope (:mod:`taquilla.core.errors`), never
  FastAPI's 422 ``HTTPValidationError``: the document is rewritten to say so. Every
  operation lists 400 (a NUL in the query string is refused on any route); a 422 stays
  only where a route declares it itself (an idempotency key reused with another payload).
* A 405 lists every method the path accepts (Starlette's own answer named only the first
  route that matched the path).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from taquilla.core.errors import error_response
from taquilla.core.jsonenc import TaquillaJSONResponse
from taquilla.core.responses import ErrorEnvelope

_ERROR_REF = "#/components/schemas/ErrorEnvelope"
_BAD_INPUT = "Bad input: a field, parameter or body that fails validation, malformed JSON, or U+0000 (NUL)."
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_HTTP_METHODS = tuple(m.upper() for m in _METHODS)


def _error_components() -> dict[str, Any]:
    schema = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"ErrorEnvelope": schema, **defs}


def _is_validation_422(response: dict[str, Any]) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.endswith("/HTTPValidationError")


def make_honest(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite ``schema`` in place: validation answers are 400 with the error envelope. Returns it."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, value in _error_components().items():
        components.setdefault(name, value)
    for item in schema.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if "422" in responses and _is_validation_422(responses["422"]):
                del responses["422"]
            responses.setdefault(
                "400", {"description": _BAD_INPUT, "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}}}
            )
    text = str(schema.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        if f"/{name}'" not in text:
            components.pop(name, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the rewritten document (:func:`make_honest`) and answer 405 with the full ``Allow``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = make_honest(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: StarletteHTTPException) -> TaquillaJSONResponse:
        routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
        allowed = {
            method
            for method in _HTTP_METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
        }
        response = error_response(405, "METHOD_NOT_ALLOWED", str(exc.detail))
        if allowed:
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

"""``create_app(settings)``: the FastAPI application of the home key service.

Handlers are thin: they authenticate, call :meth:`ServiceState.decide` (policy, obligations,
audit log - fail closed) and then one library function (a ``jikimi.transform`` operator, a
keyring method). Everything cross-cutting lives here:

* request bodies over ``max_body_bytes`` and batches over ``max_batch`` are 413 (the body limit
  is enforced while reading, so a lying or missing Content-Length does not get past it);
* malformed JSON and schema violations are 422 **without echoing the input** (FastAPI's default
  would copy submitted values - personal data, tokens - into the error);
* unexpected errors are a bare 500; no traceback, value or key reaches a response;
* an audit log that cannot be written turns every request that needed it into 503.

The OpenAPI document is published at ``/openapi.json``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from jikimi import __version__
from jikimi.keys.base import KeyNotFound
from jikimi.service import (
    routes_admin,
    routes_data,
    routes_keys,
    routes_log,
    routes_ops,
    routes_policy,
)
from jikimi.service.audit import LogUnavailable
from jikimi.service.deps import Denied, Replayed, TooLarge, Unauthorized
from jikimi.service.settings import Settings
from jikimi.service.state import ServiceState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _err(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"type": "object", "properties": {
            "detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "policies": {"type": "array", "items": {"type": "string"}},
            "log_index": {"type": "integer"}}}}},
    }


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _err("bad request (e.g. not a tile path)"),
    401: _err("missing, malformed, unknown, expired or revoked bearer token"),
    403: _err("denied by policy (the decision is in the audit log)"),
    404: _err("not found"),
    409: _err("replayed request or conflict"),
    413: _err("body or batch too large"),
    422: _err("malformed JSON or invalid request"),
    428: _err("replay-protection headers required"),
    501: _err("not supported by this audit log"),
    503: _err("audit log unavailable: the request failed closed"),
}


class BodyLimit:
    """413 for bodies over ``max_bytes``: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    resp = JSONResponse({"detail": "request body too large"}, status_code=413)
                    await resp(scope, receive, send)
                    return
        seen = 0
        responded = False

        async def limited() -> Message:
            nonlocal seen, responded
            if responded:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    # answer now; the app sees a disconnect and its own response is dropped
                    responded = True
                    resp = JSONResponse({"detail": "request body too large"}, status_code=413)
                    await resp(scope, receive, send)
                    return {"type": "http.disconnect"}
            return msg

        async def guarded(msg: Message) -> None:
            if not responded:
                await send(msg)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not responded:
                raise


class Timing:
    """Per-route request counts and time for ``/metrics`` (route templates, never raw paths)."""

    def __init__(self, app: ASGIApp, state: ServiceState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            await send(msg)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.state.metrics.observe(path, scope.get("method", ""), status,
                                       time.perf_counter() - start)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Opens the keyring, database (migrated), policy (validated: an invalid
    policy raises :class:`jikimi.policy.access.AccessPolicyError` here, so the service refuses
    to start) and audit log."""
    settings = settings or Settings()
    state = ServiceState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.thread_limit
        # handlers run in worker threads that hand the GIL back and forth with the event loop;
        # the default 5 ms switch interval turns each hand-off into a wait of up to 5 ms
        sys.setswitchinterval(settings.switch_interval)
        # everything built so far (app, policy, keyring, imports) lives as long as the process:
        # take it out of the collector's reach so a full collection under load does not walk
        # it again and again (those walks were the long tail of request latency)
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if settings.close_on_shutdown:
                state.close()

    app = FastAPI(
        title="jikimi home key service",
        version=__version__,
        description="Keys, tokens, policy-gated reveal and the audit log of jikimi: the data "
        "may travel, the keys and the control stay home.",
        lifespan=lifespan,
    )
    app.state.jikimi = state
    for module in (routes_policy, routes_data, routes_keys, routes_log, routes_admin):
        app.include_router(module.router, responses=COMMON_RESPONSES)
    app.include_router(routes_ops.router, responses={401: COMMON_RESPONSES[401]})

    @app.exception_handler(Unauthorized)
    async def _401(request: Request, exc: Unauthorized) -> JSONResponse:
        return JSONResponse({"detail": "invalid or missing bearer token"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Denied)
    async def _403(request: Request, exc: Denied) -> JSONResponse:
        d = exc.outcome.decision
        return JSONResponse({"detail": "forbidden by policy", "reasons": list(d.reasons),
                             "policies": list(d.policies),
                             "log_index": exc.outcome.log_index}, status_code=403)

    @app.exception_handler(TooLarge)
    async def _413(request: Request, exc: TooLarge) -> JSONResponse:
        return JSONResponse({"detail": exc.what}, status_code=413)

    @app.exception_handler(Replayed)
    async def _409(request: Request, exc: Replayed) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=428 if exc.missing else 409)

    @app.exception_handler(LogUnavailable)
    async def _503(request: Request, exc: LogUnavailable) -> JSONResponse:
        return JSONResponse(
            {"detail": "audit log unavailable: request refused (fail closed)"}, status_code=503
        )

    @app.exception_handler(RequestValidationError)
    async def _422(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "too_long" and e.get("loc", ("",))[0] == "body"
               and isinstance(e.get("input"), list) for e in errors):
            return JSONResponse({"detail": "batch too large"}, status_code=413)
        safe = [{"loc": [str(x) for x in e.get("loc", ())], "type": e.get("type"),
                 "msg": e.get("msg")} for e in errors[:20]]
        return JSONResponse({"detail": safe}, status_code=422)

    @app.exception_handler(KeyNotFound)
    async def _404(request: Request, exc: KeyNotFound) -> JSONResponse:
        return JSONResponse({"detail": "no such key (or the data subject was forgotten)"},
                            status_code=404)

    @app.exception_handler(Exception)
    async def _500(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_middleware(Timing, state=state)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


__all__ = ["COMMON_RESPONSES", "Settings", "create_app"]

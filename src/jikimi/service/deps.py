"""Request plumbing shared by the route modules: the caller, the context, replay checks and
the exceptions that become 401/403/409/413/503 responses."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jikimi.policy.access import RequestContext
from jikimi.service.auth import AuthError, Caller, ReplayError
from jikimi.service.schemas import Why
from jikimi.service.state import Outcome, ServiceState

JOB_HEADER = "X-Jikimi-Job"
NONCE_HEADER = "X-Jikimi-Nonce"
TIMESTAMP_HEADER = "X-Jikimi-Timestamp"

bearer = HTTPBearer(auto_error=False, description="jikimi bearer token (jk_<id>_<secret>)")


class Unauthorized(Exception):
    """401: no valid token (the reason went to the audit log, not to the client)."""


class Denied(Exception):
    """403: the policy said no; carries the logged decision."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("denied")
        self.outcome = outcome


class TooLarge(Exception):
    """413: a batch over the configured limit."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class Replayed(Exception):
    """409 (or 428 when the headers are missing): replay protection refused the request."""

    def __init__(self, message: str, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


def state_of(request: Request) -> ServiceState:
    st: ServiceState = request.app.state.jikimi
    return st


def source_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def get_caller(
    request: Request,
    _cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The authenticated caller; every failure is logged (deny) and answered 401.

    Async on purpose: a verified token is a cache hit (microseconds, no I/O) and is checked on
    the event loop; only a cache miss or a failure (database read, audit append) goes to a
    worker thread. Each thread hop costs a GIL hand-off, which under load is what dominates."""
    st = state_of(request)
    header = request.headers.get("authorization")
    try:
        caller = st.tokens.authenticate_cached(header)
        if caller is None:
            caller = await run_in_threadpool(st.tokens.authenticate, header)
    except AuthError as exc:
        await run_in_threadpool(
            st.record,
            "authenticate",
            handler="anonymous",
            source=source_of(request),
            decision="deny",
            details={"token": exc.token_id, "reason": exc.reason, "path": request.url.path},
        )
        raise Unauthorized() from None
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def fresh(request: Request, caller: CallerDep) -> Caller:
    """Replay protection for sensitive requests (see :mod:`jikimi.service.auth`)."""
    st = state_of(request)
    try:
        st.tokens.check_nonce(
            caller.principal.id,
            request.headers.get(NONCE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
            window=st.settings.replay_window,
        )
    except ReplayError as exc:
        missing = "required" in str(exc)
        st.record(
            "replay-check",
            handler=caller.name,
            source=source_of(request),
            decision="deny",
            details={"token": caller.token_id, "reason": str(exc), "path": request.url.path},
        )
        raise Replayed(str(exc), missing) from None
    return caller


FreshCaller = Annotated[Caller, Depends(fresh)]


def context(request: Request, caller: Caller, why: Why | None = None) -> RequestContext:
    """The policy context: purpose/ticket/justification from the body, the region from the
    token (never from the request), the job id header, the server clock."""
    job = request.headers.get(JOB_HEADER, "")[:128]
    return RequestContext(
        purpose=why.purpose if why else "",
        ticket=why.ticket if why else "",
        justification=why.justification if why else "",
        region=caller.principal.region,
        time=int(time.time()),
        job=job,
    )


def check_batch(request: Request, n: int) -> None:
    if n > state_of(request).settings.max_batch:
        raise TooLarge(f"batch of {n} items exceeds the limit")


def allowed(outcome: Outcome) -> Outcome:
    if not outcome.decision.allowed:
        raise Denied(outcome)
    return outcome

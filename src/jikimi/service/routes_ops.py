"""Health (unauthenticated, says nothing secret) and Prometheus metrics (any valid token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from jikimi.service.deps import CallerDep, state_of
from jikimi.service.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/v1/health", response_model=Health)
def health(request: Request) -> Health:
    st = state_of(request)
    try:
        with st.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db = "ok"
    except Exception:  # noqa: BLE001 - health reports, it does not raise
        db = "unavailable"
    log = "ok" if st.log.failures == 0 else f"{st.log.failures} failed appends"
    policy = "ok" if st.policy.last_reload_error is None else "reload failed; previous policy in force"
    status = "ok" if db == "ok" and st.log.failures == 0 else "degraded"
    return Health(status=status, database=db, audit_log=log, policy=policy)


@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request, caller: CallerDep) -> PlainTextResponse:
    st = state_of(request)
    return PlainTextResponse(st.metrics.render(st.log.appended, st.log.failures))

"""Policy decisions as a service: may *I* do this? The answer (allow or deny, obligations,
reasons) is logged like every decision and carries its audit log index."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from jikimi.policy.access import (
    Resource,
    field_resource,
    key_resource,
    log_resource,
    service_resource,
    subject_resource,
)
from jikimi.service.deps import CallerDep, context, source_of, state_of
from jikimi.service.schemas import DecisionIn, DecisionOut, ResourceIn

router = APIRouter(prefix="/v1", tags=["policy"])


def resource_of(r: ResourceIn) -> Resource:
    if r.kind == "field":
        if r.entity_type is None:
            raise HTTPException(422, "a field resource needs entity_type")
        return field_resource(r.entity_type, dataset=r.dataset, subject=r.subject)
    if r.kind == "key":
        return key_resource(r.purpose, r.name)
    if r.kind == "subject":
        return subject_resource(r.subject)
    if r.kind == "log":
        return log_resource()
    return service_resource()


@router.post("/decisions", response_model=DecisionOut)
async def decide(body: DecisionIn, request: Request, caller: CallerDep) -> DecisionOut:
    """Decide ``action`` on ``resource`` for the calling principal (always 200: a deny is an
    answer, not an error). Async: see :meth:`ServiceState.decide_async`."""
    st = state_of(request)
    out = await st.decide_async(caller, body.action, resource_of(body.resource),
                    context(request, caller, body), source=source_of(request),
                    extra={"query": "decision"})
    d = out.decision
    return DecisionOut(allowed=d.allowed, obligations=dict(d.obligations),
                       reasons=list(d.reasons), policies=list(d.policies),
                       log_index=out.log_index)

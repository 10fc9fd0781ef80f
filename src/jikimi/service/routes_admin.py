"""Principals and tokens (``admin`` action): create principals, issue tokens (shown once),
revoke tokens. A caller may always revoke its own token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from jikimi.policy.access import service_resource
from jikimi.service.deps import CallerDep, FreshCaller, allowed, context, source_of, state_of
from jikimi.service.schemas import PrincipalIn, PrincipalOut, RevokeOut, TokenIn, TokenOut

router = APIRouter(prefix="/v1", tags=["admin"])


def _admin(request: Request, caller: CallerDep, what: str) -> None:
    allowed(state_of(request).decide(caller, "admin", service_resource(),
                                     context(request, caller), source=source_of(request),
                                     extra={"op": what}))


@router.get("/principals", response_model=list[PrincipalOut])
def list_principals(request: Request, caller: CallerDep) -> list[PrincipalOut]:
    _admin(request, caller, "list principals")
    return [PrincipalOut.model_validate(p) for p in state_of(request).tokens.list_principals()]


@router.post("/principals", response_model=PrincipalOut, status_code=201)
def create_principal(body: PrincipalIn, request: Request, caller: FreshCaller) -> PrincipalOut:
    _admin(request, caller, f"create principal {body.name}")
    st = state_of(request)
    if st.tokens.principal_by_name(body.name) is not None:
        raise HTTPException(409, "a principal with this name exists")
    try:
        pid = st.tokens.create_principal(body.name, body.roles, team=body.team,
                                         region=body.region, clearance=body.clearance)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return PrincipalOut(id=pid, name=body.name, roles=sorted(set(body.roles)), team=body.team,
                        region=body.region, clearance=body.clearance, disabled=False)


@router.post("/principals/{principal_id}/tokens", response_model=TokenOut, status_code=201)
def issue_token(principal_id: str, body: TokenIn, request: Request,
                caller: FreshCaller) -> TokenOut:
    """A new bearer token; the response is the only time it is ever shown."""
    _admin(request, caller, f"issue token for {principal_id[:64]}")
    try:
        tid, token, exp = state_of(request).tokens.issue_token(
            principal_id, ttl=body.ttl_seconds, roles=body.roles, region=body.region,
            description=body.description)
    except KeyError:
        raise HTTPException(404, "no such principal") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return TokenOut(token_id=tid, token=token, expires_at=exp)


@router.delete("/tokens/{token_id}", response_model=RevokeOut)
def revoke_token(token_id: str, request: Request, caller: FreshCaller) -> RevokeOut:
    if token_id != caller.token_id:
        _admin(request, caller, f"revoke token {token_id[:32]}")
    st = state_of(request)
    revoked = st.tokens.revoke(token_id[:32])
    st.record("revoke-token", handler=caller.name, source=source_of(request), decision="done",
              details={"token": caller.token_id, "revoked": token_id[:32]})
    return RevokeOut(token_id=token_id[:32], revoked=revoked)

"""The audit log read API: the signed checkpoint, C2SP tiles and entry bundles, inclusion and
consistency proofs, decoded entries. Reading the log is itself a decision (``read-log``) and
is logged like any other.

Tile paths are matched against the C2SP grammar and must be in canonical form before anything
is looked up, so ``..``, absolute paths, encoded separators and the like are 400s, never files.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response

from jikimi.policy.access import log_resource
from jikimi.service.deps import CallerDep, allowed, context, source_of, state_of
from jikimi.service.schemas import Entries, Proof

router = APIRouter(prefix="/v1/log", tags=["audit log"])

Index = Annotated[int, Query(ge=0, le=2**62)]


def _authorize(request: Request, caller: CallerDep, what: str) -> None:
    st = state_of(request)
    allowed(st.decide(caller, "read-log", log_resource(), context(request, caller),
                      source=source_of(request), extra={"read": what}))


def _merkle(request: Request) -> None:
    if not state_of(request).log.merkle:
        raise HTTPException(501, "this service's audit log has no tiles or proofs")


@router.get("/checkpoint", response_class=PlainTextResponse,
            responses={200: {"content": {"text/plain": {}}}})
def checkpoint(request: Request, caller: CallerDep) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note)."""
    _merkle(request)
    _authorize(request, caller, "checkpoint")
    return PlainTextResponse(state_of(request).log.checkpoint())


@router.get("/tile/{path:path}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}},
                       400: {"description": "not a C2SP tile path"},
                       404: {"description": "no such tile"}})
def tile(path: str, request: Request, caller: CallerDep) -> Response:
    """A hash tile ``tile/<L>/<N>[.p/<W>]`` or entry bundle ``tile/entries/<N>[.p/<W>]``."""
    _merkle(request)
    full = "tile/" + path
    from jikimi.service.audit import TILE_PATH_RE

    if not TILE_PATH_RE.fullmatch(full):
        raise HTTPException(400, "not a C2SP tile path")
    _authorize(request, caller, full)
    try:
        data = state_of(request).log.tile(full)
    except ValueError:
        raise HTTPException(400, "not a C2SP tile path") from None
    except LookupError:
        raise HTTPException(404, "no such tile at the current checkpoint") from None
    return Response(data, media_type="application/octet-stream")


def _hashes(hs: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hs]


@router.get("/proof/inclusion", response_model=Proof)
def inclusion(request: Request, caller: CallerDep, index: Index, size: Index) -> Proof:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""
    _merkle(request)
    _authorize(request, caller, f"inclusion {index}/{size}")
    st = state_of(request)
    if not index < size <= st.log.size():
        raise HTTPException(422, "need index < size <= current log size")
    return Proof(index=index, size=size, hashes=_hashes(st.log.inclusion_proof(index, size)))


@router.get("/proof/consistency", response_model=Proof)
def consistency(request: Request, caller: CallerDep, old: Index, new: Index) -> Proof:
    """RFC 9162 consistency proof between tree sizes ``old`` and ``new``."""
    _merkle(request)
    _authorize(request, caller, f"consistency {old}/{new}")
    st = state_of(request)
    if not 0 < old <= new <= st.log.size():
        raise HTTPException(422, "need 0 < old <= new <= current log size")
    return Proof(old_size=old, size=new, hashes=_hashes(st.log.consistency_proof(old, new)))


@router.get("/entries", response_model=Entries)
def entries(
    request: Request,
    caller: CallerDep,
    start: Index = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Entries:
    """Decoded entries ``start`` .. ``start + limit`` (subjects appear only as commitments)."""
    _merkle(request)
    _authorize(request, caller, f"entries {start}+{limit}")
    st = state_of(request)
    end = min(start + limit, st.log.size())
    return Entries(start=start, entries=st.log.entries(start, end) if start < end else [])

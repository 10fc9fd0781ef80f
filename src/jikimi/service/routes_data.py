"""Batch tokenize / detokenize / encrypt / decrypt and policy-gated reveal.

What can come back: ``tokenize`` in its default ``token`` mode is the keyed HMAC operator -
one-way by design, so **no endpoint can detokenize an HMAC token**, not even for an
administrator; ``detokenize`` reverses only ``fpe``-mode tokens (format-preserving encryption),
and ``decrypt``/``reveal`` reverse ``jk1.`` ciphertexts (and, for reveal, fpe values). Values
that need to come back must be protected with ``encrypt`` or ``fpe``.

Every batch is decided per entity type (one Cedar decision, one log entry, before any value is
touched); obligations shape the answer: ``mask`` returns masked values, ``reveal_fields`` +
``mask_rest`` reveal only some types in clear.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from jikimi import transform as T
from jikimi.keys.base import KeyHandle, KeyNotFound, Purpose
from jikimi.pipeline.reveal import TOKEN as HMAC_TOKEN
from jikimi.policy.access import Decision, field_resource
from jikimi.service.deps import (
    CallerDep,
    Denied,
    FreshCaller,
    allowed,
    check_batch,
    context,
    source_of,
    state_of,
)
from jikimi.service.schemas import (
    DecisionSummary,
    DecryptIn,
    DetokenizeIn,
    EncryptIn,
    EncryptOut,
    ItemError,
    RevealIn,
    RevealOut,
    RevealResult,
    TokenizeIn,
    TokenizeOut,
)
from jikimi.service.state import Outcome

router = APIRouter(prefix="/v1", tags=["data"])

LOOP_BATCH = 500
"""HMAC batches up to this size (~10 µs a value, so ~5 ms) are computed on the event loop;
larger ones in a worker thread."""

ONE_WAY = (
    "keyed token (HMAC): one-way by design, nobody can reverse it; protect values you need "
    "back with encrypt or fpe"
)


@router.post("/tokenize", response_model=TokenizeOut)
async def tokenize(body: TokenizeIn, request: Request, caller: CallerDep) -> TokenizeOut:
    """Tokens for a batch of values of one entity type (``token``: one-way HMAC; ``fpe``:
    format-preserving, reversible through ``/v1/detokenize``).

    Async: the decision's log append is awaited rather than parked on a worker thread, and an
    HMAC batch of up to ``LOOP_BATCH`` values runs on the event loop - cheaper than the thread
    hop it would take to move it off. Larger batches, and FF1 (slower per value), run in a
    worker thread."""
    check_batch(request, len(body.values))
    st = state_of(request)
    key = await st.current_key(Purpose.TOKEN if body.mode == "token" else Purpose.FPE)
    out = allowed(
        await st.decide_async(
            caller, "tokenize", field_resource(body.entity_type, dataset=body.dataset),
            context(request, caller), source=source_of(request), count=len(body.values),
            key_id=key.key_id, key_version=key.version, extra={"mode": body.mode},
        )
    )
    op: Callable[[str], str] = (
        T.tokenizer(body.entity_type, key) if body.mode == "token"
        else lambda v: T.fpe(v, body.entity_type, key)
    )
    if body.mode == "token" and len(body.values) <= LOOP_BATCH:
        values, errors = _each(body.values, op)
    else:  # a big batch, or FF1, would stall every other request on the loop
        values, errors = await run_in_threadpool(_each, body.values, op)
    return TokenizeOut(
        entity_type=body.entity_type, mode=body.mode, key=str(key.ref), values=values,
        errors=errors, log_index=out.log_index,
    )


@router.post("/encrypt", response_model=EncryptOut)
def encrypt(body: EncryptIn, request: Request, caller: CallerDep) -> EncryptOut:
    """``jk1.`` ciphertexts (AES-SIV when deterministic, else AES-GCM) under the shared
    encryption key, or under a data subject's key when ``subject`` is given."""
    check_batch(request, len(body.values))
    st = state_of(request)
    if body.subject:
        try:  # validate the id without creating anything (it goes into the log entry)
            st.keyring.subject_key(body.subject, create=False)
        except KeyNotFound:
            pass
        except ValueError:
            raise HTTPException(422, "a subject id is 1-256 printable characters") from None
    # decide (and log) first: a denied caller must not make the keyring create a subject key
    out = allowed(
        st.decide(
            caller, "encrypt",
            field_resource(body.entity_type, dataset=body.dataset, subject=body.subject),
            context(request, caller), source=source_of(request), count=len(body.values),
            subject=body.subject or None,
        )
    )
    key: KeyHandle | None
    if body.subject:
        try:
            key = st.keyring.subject_key(body.subject)
        except KeyNotFound:
            key = None
        except ValueError:
            raise HTTPException(422, "a subject id is 1-256 printable characters") from None
    else:
        key = st.keyring.current(Purpose.ENCRYPT)
    if key is None:
        errors = [ItemError(index=i, error="the data subject was forgotten") for i in range(len(body.values))]
        return EncryptOut(entity_type=body.entity_type, key="", values=[None] * len(body.values),
                          errors=errors, log_index=out.log_index)
    k = key
    values, errors = _each(
        body.values,
        lambda v: T.encrypt(v, body.entity_type, k, deterministic=body.deterministic),
    )
    return EncryptOut(entity_type=body.entity_type, key=str(key.ref), values=values,
                      errors=errors, log_index=out.log_index)


@router.post("/detokenize", response_model=RevealOut)
def detokenize(body: DetokenizeIn, request: Request, caller: FreshCaller) -> RevealOut:
    """Original values of ``fpe``-mode tokens. HMAC tokens are answered with a per-item error:
    they are one-way. Needs replay headers; obligations apply as for reveal."""
    check_batch(request, len(body.values))
    st = state_of(request)
    key = (
        st.keyring.get(f"{Purpose.FPE.value}/default", body.key_version)
        if body.key_version else st.keyring.current(Purpose.FPE)
    )
    out = st.decide(
        caller, "detokenize", field_resource(body.entity_type, dataset=body.dataset),
        context(request, caller, body), source=source_of(request), count=len(body.values),
        key_id=key.key_id, key_version=key.version,
    )
    if not out.decision.allowed:
        raise Denied(out)
    results = []
    for v in body.values:
        if HMAC_TOKEN.fullmatch(v.strip()):
            results.append(RevealResult(status="error", error=ONE_WAY))
            continue
        def plain(v: str = v) -> str:
            return T.fpe_reveal(v, body.entity_type, key)

        results.append(_present(out.decision, body.entity_type, plain))
    return RevealOut(results=results, decisions=[_summary(body.entity_type, out)])


@router.post("/decrypt", response_model=RevealOut)
def decrypt(body: DecryptIn, request: Request, caller: FreshCaller) -> RevealOut:
    """Plaintexts of ``jk1.`` ciphertexts, decided per entity type named in their headers."""
    check_batch(request, len(body.values))
    items: list[tuple[str, str | None, bool, int | None]] = [
        (v, None, False, None) for v in body.values
    ]
    return _reidentify("decrypt", items, body, request, caller)


@router.post("/reveal", response_model=RevealOut)
def reveal(body: RevealIn, request: Request, caller: FreshCaller) -> RevealOut:
    """Reveal protected values (``jk1.`` ciphertexts; ``fpe`` values with their entity type):
    Cedar decides per entity type first, the decision is logged, then values are decrypted and
    returned in clear, masked, or withheld as the obligations say."""
    check_batch(request, len(body.items))
    items: list[tuple[str, str | None, bool, int | None]] = [
        (i.value, i.entity_type, i.fpe, i.key_version) for i in body.items
    ]
    return _reidentify("reveal", items, body, request, caller)


# --- helpers -------------------------------------------------------------------------------


def _each(values: list[str], fn: Callable[[str], str]) -> tuple[list[str | None], list[ItemError]]:
    out: list[str | None] = []
    errors: list[ItemError] = []
    for i, v in enumerate(values):
        try:
            out.append(fn(v))
        except (ValueError, KeyError) as exc:  # OperatorError messages never carry values
            out.append(None)
            errors.append(ItemError(index=i, error=str(exc) if isinstance(exc, T.OperatorError)
                                    else type(exc).__name__))
    return out, errors


def _summary(entity_type: str, out: Outcome) -> DecisionSummary:
    d = out.decision
    return DecisionSummary(entity_type=entity_type, allowed=d.allowed,
                           obligations=dict(d.obligations), reasons=list(d.reasons),
                           log_index=out.log_index)


def _present(decision: Decision, entity_type: str, plain: Callable[[], str]) -> RevealResult:
    """Apply a decision and its obligations to one value (decrypting only when needed)."""
    if not decision.allowed:
        return RevealResult(status="denied", error="; ".join(decision.reasons))
    ob = decision.obligations
    clear = not ob.get("mask")
    fields = ob.get("reveal_fields")
    # fail closed: a reveal_fields obligation that is not a list restricts to nothing
    if fields is not None and (not isinstance(fields, list) or entity_type not in fields):
        if not ob.get("mask_rest"):
            return RevealResult(status="denied", error="not among the fields this decision reveals")
        clear = False
    try:
        value = plain()
    except KeyNotFound:
        return RevealResult(status="error", error="key destroyed or unknown (a forgotten data "
                            "subject's values are unrecoverable by design)")
    except ValueError as exc:
        msg = str(exc) if isinstance(exc, T.OperatorError) else "cannot be decrypted"
        return RevealResult(status="error", error=msg)
    if clear:
        return RevealResult(status="revealed", value=value)
    try:
        return RevealResult(status="masked", value=T.mask(value, entity_type))
    except ValueError:
        return RevealResult(status="masked", value=T.redact(value))


def _reidentify(
    action: str,
    items: list[tuple[str, str | None, bool, int | None]],
    why: DecryptIn | RevealIn,
    request: Request,
    caller: CallerDep,
) -> RevealOut:
    st = state_of(request)
    ctx = context(request, caller, why)
    plan: list[tuple[str, str | None, str | None]] = []  # (value, entity type, error)
    for value, etype, fpe, _ in items:
        v = value.strip()
        if fpe:
            plan.append((v, etype, None if etype else "an fpe value needs its entity_type"))
        elif HMAC_TOKEN.fullmatch(v):
            plan.append((v, None, ONE_WAY))
        else:
            try:
                plan.append((v, T.ciphertext_info(v).entity_type, None))
            except T.DecryptError as exc:
                plan.append((v, None, str(exc)))
    groups: dict[str, int] = {}
    for _, etype, err in plan:
        if err is None and etype is not None:
            groups[etype] = groups.get(etype, 0) + 1
    outcomes: dict[str, Outcome] = {}
    for etype, n in groups.items():
        outcomes[etype] = st.decide(
            caller, action, field_resource(etype, dataset=why.dataset), ctx,
            source=source_of(request), count=n,
        )
    if outcomes and not any(o.decision.allowed for o in outcomes.values()):
        raise Denied(next(iter(outcomes.values())))
    results: list[RevealResult] = []
    for (v, etype, err), (_, _, fpe, kv) in zip(plan, items):
        if err is not None or etype is None:
            results.append(RevealResult(status="error", error=err))
            continue
        decision = outcomes[etype].decision
        if fpe:
            et = etype

            def plain(v: str = v, et: str = et, kv: int | None = kv) -> str:
                key = (st.keyring.get(f"{Purpose.FPE.value}/default", kv) if kv
                       else st.keyring.current(Purpose.FPE))
                return T.fpe_reveal(v, et, key)
        else:
            def plain(v: str = v, et: str = "", kv: int | None = None) -> str:
                return T.decrypt(v, st.keyring.get)
        results.append(_present(decision, etype, plain))
    return RevealOut(results=results,
                     decisions=[_summary(e, o) for e, o in outcomes.items()])

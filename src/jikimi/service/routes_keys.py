"""Keys: wrapped data keys out, authorized and logged releases, subject keys, rotation, forget.

Data keys leave the service only wrapped (:mod:`jikimi.service.wrapping`); ``unwrap`` returns
key material to principals the policy allows (by default data engineers, and only with a job
id) and logs every release with the job id, the key ids and versions. This is what
``jikimi protect --keys https://home/`` runs on (:class:`jikimi.service.client.RemoteKeyring`).
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, HTTPException, Request

from jikimi.keys.base import KeyHandle, KeyNotFound, Purpose, SubjectForgotten
from jikimi.policy.access import key_resource, subject_resource
from jikimi.service import wrapping

RESERVED_KEYS = frozenset({f"{Purpose.ENCRYPT.value}/{wrapping.WRAP_KEY_NAME}", f"{Purpose.SUBJECT_ID.value}/forget-log"})
"""Keys the service uses for itself; no principal may have them released."""
from jikimi.service.deps import (
    CallerDep,
    FreshCaller,
    allowed,
    check_batch,
    context,
    fresh,
    source_of,
    state_of,
)
from jikimi.service.schemas import (
    DataKeyIn,
    DataKeyOut,
    ForgetIn,
    ForgetOut,
    KeyRefOut,
    ReleasedKey,
    RotateIn,
    RotateOut,
    SubjectKeysIn,
    SubjectKeysOut,
    UnwrapIn,
    UnwrapOut,
    WrapIn,
    WrappedKey,
)

router = APIRouter(prefix="/v1", tags=["keys"])


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _purpose(value: str) -> Purpose:
    p = wrapping.purpose_of(value)
    if p is None:
        raise HTTPException(422, "unknown key purpose")
    return p


@router.get("/keys", response_model=list[KeyRefOut])
def list_keys(request: Request, caller: CallerDep) -> list[KeyRefOut]:
    """Key ids, versions and purposes (never material)."""
    return [KeyRefOut(key_id=r.key_id, version=r.version, purpose=r.purpose.value)
            for r in state_of(request).keyring.list_keys()]


@router.post("/keys/datakey", response_model=DataKeyOut)
def data_key(body: DataKeyIn, request: Request, caller: CallerDep) -> DataKeyOut:
    """A named key (the current version of ``purpose/name``, or ``key_id`` at ``version``),
    wrapped for transport."""
    st = state_of(request)
    if body.key_id is not None and body.version is not None:
        target = body.key_id
    elif body.purpose is not None:
        target = f"{_purpose(body.purpose).value}/{body.name}"
    else:
        raise HTTPException(422, "give purpose (and name), or key_id and version")
    if target.startswith(("subject/", f"{Purpose.SUBJECT.value}/")):
        raise HTTPException(422, "subject keys come from /v1/keys/subjects")
    if target in RESERVED_KEYS:
        # the service's own wrapping key would unwrap every blob offline, and the forget-log
        # key would re-link destroyed subjects: neither ever leaves the service
        raise HTTPException(422, "this key never leaves the service")
    purpose, _, name = target.partition("/")
    # decide (and log) before anything is looked up or created: a denied caller must not be
    # able to make the keyring grow
    out = allowed(st.decide(
        caller, "wrap", key_resource(purpose, name), context(request, caller),
        source=source_of(request), key_id=target, key_version=body.version,
    ))
    try:
        if body.key_id is not None and body.version is not None:
            handle = st.keyring.get(body.key_id, body.version)
        else:
            handle = st.keyring.current(_purpose(purpose), name)
    except KeyNotFound:
        raise HTTPException(404, "no such key") from None
    except ValueError:
        raise HTTPException(422, "invalid key name") from None
    return DataKeyOut(key_id=handle.key_id, version=handle.version, purpose=purpose,
                      wrapped=_wrap(st.keyring, handle), log_index=out.log_index)


def _wrap(keyring: object, handle: KeyHandle) -> str:
    from jikimi.keys.base import key_material

    return wrapping.wrap(keyring, key_material(handle, handle.purpose),  # type: ignore[arg-type]
                         handle.key_id, handle.version, handle.purpose.value)


@router.post("/keys/wrap", response_model=WrappedKey)
def wrap_key(body: WrapIn, request: Request, caller: CallerDep) -> WrappedKey:
    """Wrap a client-generated data key (16-64 bytes, base64url) under the service KEK: store
    the blob with your data, have it unwrapped here when needed."""
    try:
        raw = base64.urlsafe_b64decode(body.key + "=" * (-len(body.key) % 4))
    except (binascii.Error, ValueError):
        raise HTTPException(422, "key is not base64url") from None
    if not 16 <= len(raw) <= 64:
        raise HTTPException(422, "a data key is 16-64 bytes")
    st = state_of(request)
    key_id = f"{wrapping.DATA_PURPOSE}/{body.label}"
    allowed(st.decide(caller, "wrap", key_resource(wrapping.DATA_PURPOSE, body.label),
                      context(request, caller), source=source_of(request), key_id=key_id))
    return WrappedKey(key_id=key_id, version=0, purpose=wrapping.DATA_PURPOSE,
                      wrapped=wrapping.wrap(st.keyring, raw, key_id, 0, wrapping.DATA_PURPOSE))


@router.post("/keys/unwrap", response_model=UnwrapOut)
def unwrap(body: UnwrapIn, request: Request, caller: FreshCaller) -> UnwrapOut:
    """Release key material from wrapped blobs: decided per key (subject keys as one group),
    logged with the job id before anything is returned. All-or-nothing."""
    check_batch(request, len(body.wrapped))
    st = state_of(request)
    try:
        parsed = [wrapping.parse(b) for b in body.wrapped]
    except wrapping.WrapError as exc:
        raise HTTPException(422, str(exc)) from None
    groups: dict[tuple[str, str], list[str]] = {}
    for _, key_id, version, purpose, _ in parsed:
        if key_id in RESERVED_KEYS:
            raise HTTPException(422, "this key never leaves the service")
        name = "*" if purpose == Purpose.SUBJECT.value else key_id.partition("/")[2]
        groups.setdefault((purpose, name), []).append(f"{key_id}@v{version}")
    ctx = context(request, caller)
    last = None
    for (purpose, name), refs in groups.items():
        single = refs[0].rsplit("@v", 1) if len(refs) == 1 else None
        last = allowed(st.decide(
            caller, "unwrap", key_resource(purpose, name), ctx, source=source_of(request),
            count=len(refs),
            key_id=single[0] if single and purpose != Purpose.SUBJECT.value else None,
            key_version=int(single[1]) if single and purpose != Purpose.SUBJECT.value else None,
            extra={"keys": refs[:20] if purpose != Purpose.SUBJECT.value else None},
        ))
    keys = []
    for blob in body.wrapped:
        try:
            u = wrapping.unwrap(st.keyring, blob)
        except wrapping.WrapError as exc:
            raise HTTPException(422, str(exc)) from None
        keys.append(ReleasedKey(key_id=u.key_id, version=u.version, purpose=u.purpose,
                                key=_b64(u.material)))
    assert last is not None
    return UnwrapOut(keys=keys, log_index=last.log_index)


@router.post("/keys/subjects", response_model=SubjectKeysOut)
def subject_keys(body: SubjectKeysIn, request: Request, caller: CallerDep) -> SubjectKeysOut:
    """Wrapped per-subject keys for a batch (created when ``create``), plus which ids were
    forgotten (their keys are never created again).

    With ``release``, the keys come back unwrapped in the same answer, after the same
    ``unwrap`` decision ``/v1/keys/unwrap`` makes (logged with the job id, replay-protected).
    Why: protect asks for every new subject's key right away; one round trip instead of two,
    and no wrap-then-unwrap of each key, is what keeps a remote keyring near local speed."""
    check_batch(request, len(body.ids))
    st = state_of(request)
    if body.release:
        fresh(request, caller)
    ctx = context(request, caller)
    out = allowed(st.decide(
        caller, "wrap", key_resource(Purpose.SUBJECT.value, "*"), ctx,
        source=source_of(request), count=len(body.ids),
    ))
    try:
        forgotten = st.keyring.forgotten_subjects(body.ids)
        handles = st.keyring.subject_keys([i for i in body.ids if i not in forgotten],
                                          create=body.create)
    except SubjectForgotten as exc:  # a concurrent forget
        forgotten = set(exc.subject_ids)
        handles = {}
    except ValueError:
        raise HTTPException(422, "a subject id is 1-256 printable characters") from None
    if not body.release:
        return SubjectKeysOut(keys={sid: _wrap(st.keyring, h) for sid, h in handles.items()},
                              forgotten=sorted(forgotten), log_index=out.log_index)
    release = allowed(st.decide(
        caller, "unwrap", key_resource(Purpose.SUBJECT.value, "*"), ctx,
        source=source_of(request), count=len(handles),
    )) if handles else None
    from jikimi.keys.base import key_material

    return SubjectKeysOut(
        keys={}, forgotten=sorted(forgotten), log_index=out.log_index,
        released={sid: ReleasedKey(key_id=h.key_id, version=h.version, purpose=h.purpose.value,
                                   key=_b64(key_material(h, Purpose.SUBJECT)))
                  for sid, h in handles.items()},
        release_log_index=release.log_index if release else None,
    )


@router.post("/keys/rotate", response_model=RotateOut)
def rotate(body: RotateIn, request: Request, caller: FreshCaller) -> RotateOut:
    """Add a new version of ``purpose/name``; older versions keep revealing."""
    st = state_of(request)
    p = _purpose(body.purpose)
    if p is Purpose.SUBJECT:
        raise HTTPException(422, "subject keys are not rotated; forget destroys them")
    allowed(st.decide(caller, "rotate", key_resource(p.value, body.name),
                      context(request, caller, body), source=source_of(request)))
    try:
        if body.allow_relink:
            ref = st.keyring.rotate(p, body.name, allow_relink=True)
        else:
            ref = st.keyring.rotate(p, body.name)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    st.forget_current_keys()
    idx = st.record("rotate", handler=caller.name, source=source_of(request), decision="done",
                    purpose=body.purpose, key_id=ref.key_id, key_version=ref.version,
                    details={"token": caller.token_id, "outcome": "new version active"})
    return RotateOut(key_id=ref.key_id, version=ref.version, purpose=ref.purpose.value,
                     log_index=idx)


@router.post("/subjects/forget", response_model=ForgetOut)
def forget(body: ForgetIn, request: Request, caller: FreshCaller) -> ForgetOut:
    """Erase a data subject (PIPA Art. 36): destroy their key so no value of theirs can be
    revealed again anywhere. Name them by ``subject_id`` or by ``value`` + ``entity_type``."""
    st = state_of(request)
    if body.subject_id:
        sid = body.subject_id.removeprefix("subject/")
    elif body.value is not None and body.entity_type is not None:
        from jikimi.keys import normalize_identifier

        try:
            sid = st.keyring.subject_id_for(
                normalize_identifier(body.value, body.entity_type), body.entity_type
            )
        except ValueError:
            raise HTTPException(422, "the value does not normalise to an identifier") from None
    else:
        raise HTTPException(422, "give subject_id, or value with entity_type")
    if not sid or len(sid) > 256 or not sid.isprintable():
        raise HTTPException(422, "a subject id is 1-256 printable characters")
    allowed(st.decide(caller, "forget", subject_resource(sid), context(request, caller, body),
                      source=source_of(request), subject=sid))
    destroyed = st.keyring.forget_subject(sid)
    idx = st.record("forget", handler=caller.name, source=source_of(request), decision="done",
                    purpose=body.purpose, details={
                        "token": caller.token_id, "ticket": body.ticket,
                        "outcome": "key destroyed" if destroyed else "no key; keying blocked"})
    return ForgetOut(subject_id=sid, destroyed=destroyed, log_index=idx)

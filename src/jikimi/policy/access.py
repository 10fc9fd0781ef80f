"""Access policy: who may reveal, decrypt, forget, rotate or read the log — decided by Cedar.

Why Cedar (via ``cedarpy``): policies are data the data owner can read, review and change
without touching code; they are validated against a schema before use (a typo in an attribute
name is a start-up error, not a silent "deny everything" or, worse, "allow everything"), and
Cedar's semantics are deny-by-default with ``forbid`` always beating ``permit``.

What this module adds on top of plain allow/deny:

* **Obligations.** A permit may carry ``@obligations("require_justification; mask; ...")``;
  a decision returns the obligations of every satisfied permit (the strictest combination), so
  the service can e.g. reveal only some fields and mask the rest. Cedar has no obligations of its
  own; annotations keep them in the policy file, next to the rule they belong to.
* **Reasons.** Each decision names the policies that determined it (``@reason``/``@id``), or
  says that nothing permitted the request (deny by default).
* **Errors with file and line.** Policies load from a directory of ``*.cedar`` files (sorted by
  name) plus an optional ``schema.cedarschema``; a file that does not parse or validate raises
  :class:`AccessPolicyError` naming the file and the line where the offending policy starts.
* **Hot reload.** :meth:`AccessPolicy.decide` re-checks the files' modification times at most
  once per ``check_interval`` seconds and swaps in the new policy set atomically. A broken edit
  never replaces a working policy: the old set stays in force and the error is kept in
  :attr:`AccessPolicy.last_reload_error` (the service reports it on its health endpoint).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import cedarpy

from jikimi.entities import ENTITY_TYPES

NAMESPACE = "Jikimi"
ACTIONS = (
    "tokenize",
    "encrypt",
    "detokenize",
    "decrypt",
    "reveal",
    "wrap",
    "unwrap",
    "rotate",
    "forget",
    "read-log",
    "admin",
)
"""Every action the schema declares (``reidentify`` is the group of reveal/decrypt/detokenize)."""

ROLES = ("admin", "data_engineer", "reid_officer", "privacy_officer", "auditor", "analyst")
"""Roles the default policy names; principals may carry others (policies can name any role)."""

SCHEMA_FILE = "schema.cedarschema"
UNKNOWN_TIER = 1
"""Tier given to entity types jikimi does not know: treated as the most sensitive (fail safe)."""

_KST = timezone(timedelta(hours=9))

ObligationValue = bool | str | list[str]


class AccessPolicyError(Exception):
    """A policy or schema file cannot be used: it does not parse or does not validate.

    ``path`` and ``line`` point at the policy that failed (line of its first token, 1-based)."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        where = f"{path}:{line}: " if path is not None and line is not None else (
            f"{path}: " if path is not None else ""
        )
        super().__init__(where + message)
        self.path = None if path is None else str(path)
        self.line = line
        self.detail = message


@dataclass(frozen=True, slots=True)
class PrincipalInfo:
    """Who asks. Built by the service from the principal record and its bearer token."""

    id: str
    roles: tuple[str, ...] = ()
    team: str = ""
    region: str = ""
    clearance: int = 0


@dataclass(frozen=True, slots=True)
class Resource:
    """What the action is on: ``kind`` is one of Field, Key, Subject, Log, Service."""

    kind: str
    id: str
    attrs: Mapping[str, str | int] = field(default_factory=dict)
    dataset: str = ""


def field_resource(entity_type: str, *, dataset: str = "", subject: str = "") -> Resource:
    """A kind of personal data; the tier comes from :mod:`jikimi.entities` (unknown → tier 1)."""
    et = ENTITY_TYPES.get(entity_type)
    tier = et.tier if et is not None else UNKNOWN_TIER
    rid = f"{dataset}/{entity_type}" if dataset else entity_type
    attrs: dict[str, str | int] = {
        "entity_type": entity_type, "tier": tier, "dataset": dataset, "subject": subject
    }
    return Resource("Field", rid, attrs, dataset)


def key_resource(purpose: str, name: str = "default") -> Resource:
    """A named key of the keyring."""
    return Resource("Key", f"{purpose}/{name}", {"purpose": purpose, "name": name})


def subject_resource(subject_id: str) -> Resource:
    """A data subject (pseudonymous id)."""
    return Resource("Subject", subject_id)


def log_resource() -> Resource:
    """The audit log."""
    return Resource("Log", "audit")


def service_resource() -> Resource:
    """The service itself (principal and token management)."""
    return Resource("Service", "jikimi")


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Why and from where. ``region`` must come from the token, ``time`` from the server clock."""

    purpose: str = ""
    ticket: str = ""
    justification: str = ""
    region: str = ""
    time: int = 0
    job: str = ""

    @staticmethod
    def now(**kwargs: Any) -> RequestContext:
        """A context stamped with the current server time."""
        return RequestContext(time=int(time.time()), **kwargs)

    def to_cedar(self) -> dict[str, str | int]:
        t = self.time or int(time.time())
        hour = datetime.fromtimestamp(t, UTC).astimezone(_KST).hour
        return {
            "purpose": self.purpose,
            "ticket": self.ticket,
            "justification": self.justification,
            "region": self.region,
            "time": t,
            "hour": hour,
            "job": self.job,
        }


@dataclass(frozen=True, slots=True)
class AccessRequest:
    principal: PrincipalInfo
    action: str
    resource: Resource
    context: RequestContext = field(default_factory=RequestContext)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: allowed or not, what must be done with it, and why.

    ``policies`` are the ids (``@id`` or positional) of the policies that determined it;
    ``reasons`` are their ``@reason`` texts (or a default-deny explanation)."""

    allowed: bool
    obligations: dict[str, ObligationValue] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "obligations": dict(self.obligations),
            "reasons": list(self.reasons),
            "policies": list(self.policies),
        }


# --- parsing helpers -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Statement:
    path: str
    line: int
    text: str


def split_statements(source: str, path: str = "<policy>") -> list[_Statement]:
    """Split Cedar policy text into single policies, remembering the line each starts on.

    Why: cedarpy's parse and validation errors name a policy (``policy3``) or a token but not a
    line. Parsing statement by statement lets an error say ``file:line``. A ``;`` ends a policy
    only outside string literals and ``//`` comments, which is all Cedar's grammar needs."""
    out: list[_Statement] = []
    i, n = 0, len(source)
    start: int | None = None
    line = 1
    start_line = 1
    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
            i += 1
            continue
        if ch == "/" and source.startswith("//", i):
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch.isspace():
            i += 1
            continue
        if start is None:
            start, start_line = i, line
        if ch == '"':
            i += 1
            while i < n and source[i] != '"':
                if source[i] == "\\":
                    i += 1
                elif source[i] == "\n":
                    line += 1
                i += 1
            i += 1
            continue
        if ch == ";":
            out.append(_Statement(path, start_line, source[start : i + 1]))
            start = None
        i += 1
    if start is not None:
        out.append(_Statement(path, start_line, source[start:]))
    return out


def _parse_obligations(text: str) -> dict[str, ObligationValue]:
    out: dict[str, ObligationValue] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not name.replace("_", "").isalnum():
            raise ValueError(f"bad obligation name {name!r}")
        if not sep:
            out[name] = True
        elif name.endswith("_fields"):
            out[name] = sorted({v.strip() for v in value.split(",") if v.strip()})
        else:
            out[name] = value.strip()
    return out


def _merge_obligations(
    acc: dict[str, ObligationValue], new: Mapping[str, ObligationValue]
) -> None:
    """Strictest combination: flags OR'd, field lists intersected, texts joined."""
    for k, v in new.items():
        if k not in acc:
            acc[k] = list(v) if isinstance(v, list) else v
            continue
        old = acc[k]
        if isinstance(old, list) and isinstance(v, list):
            acc[k] = sorted(set(old) & set(v))
        elif isinstance(old, str) and isinstance(v, str) and v not in old.split(","):
            acc[k] = f"{old},{v}"
        elif isinstance(old, bool) or isinstance(v, bool):
            acc[k] = True if (old is True or v is True) else old


@dataclass(frozen=True, slots=True)
class _Meta:
    policy_id: str
    reason: str
    obligations: dict[str, ObligationValue]
    effect: str


@dataclass(frozen=True, slots=True)
class _Loaded:
    policies: cedarpy.PolicySet
    schema: cedarpy.Schema
    meta: dict[str, _Meta]
    fingerprint: tuple[tuple[str, float, int], ...]
    files: tuple[str, ...]


def _default_text(name: str) -> str:
    return resources.files("jikimi.policy").joinpath("cedar", name).read_text("utf-8")


class AccessPolicy:
    """A validated Cedar policy set that answers :class:`AccessRequest` with :class:`Decision`.

    ``policy_dir=None`` uses the packaged default policy and schema. With a directory, every
    ``*.cedar`` file in it (sorted) is loaded and ``schema.cedarschema`` there, if present,
    replaces the packaged schema. Construction raises :class:`AccessPolicyError` on any invalid
    file, so a service never starts on a policy it cannot enforce.
    """

    def __init__(self, policy_dir: Path | str | None = None, *, check_interval: float = 1.0):
        self.policy_dir = Path(policy_dir) if policy_dir is not None else None
        self.check_interval = check_interval
        self.last_reload_error: str | None = None
        self.reloads = 0
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + check_interval
        self._loaded = self._load()

    # -- loading ------------------------------------------------------------------------------

    def _sources(self) -> tuple[list[tuple[str, str]], tuple[str, str]]:
        """((path, text) of the policy files, (path, text) of the schema)."""
        if self.policy_dir is None:
            return (
                [("jikimi/policy/cedar/default.cedar", _default_text("default.cedar"))],
                ("jikimi/policy/cedar/" + SCHEMA_FILE, _default_text(SCHEMA_FILE)),
            )
        if not self.policy_dir.is_dir():
            raise AccessPolicyError("policy directory does not exist", self.policy_dir)
        files = sorted(self.policy_dir.glob("*.cedar"))
        if not files:
            raise AccessPolicyError("no *.cedar policy files (nothing would be allowed)",
                                    self.policy_dir)
        schema_path = self.policy_dir / SCHEMA_FILE
        schema = (
            (str(schema_path), schema_path.read_text("utf-8"))
            if schema_path.is_file()
            else ("jikimi/policy/cedar/" + SCHEMA_FILE, _default_text(SCHEMA_FILE))
        )
        return [(str(p), p.read_text("utf-8")) for p in files], schema

    def _fingerprint(self) -> tuple[tuple[str, float, int], ...]:
        if self.policy_dir is None:
            return ()
        out = []
        try:
            for p in sorted(self.policy_dir.iterdir()):
                if p.suffix in (".cedar", ".cedarschema"):
                    st = p.stat()
                    out.append((p.name, st.st_mtime, st.st_size))
        except OSError:
            return (("<unreadable>", 0.0, 0),)
        return tuple(out)

    def _load(self) -> _Loaded:
        fingerprint = self._fingerprint()
        sources, (schema_path, schema_text) = self._sources()
        try:
            schema = cedarpy.Schema.from_str(schema_text)
        except ValueError as exc:
            raise AccessPolicyError(f"schema does not parse: {exc}", schema_path, 1) from None
        statements: list[_Statement] = []
        for path, text in sources:
            statements.extend(split_statements(text, path))
        if not statements:
            raise AccessPolicyError("no policies (nothing would be allowed)", sources[0][0])
        for st in statements:
            try:
                ps = cedarpy.PolicySet.from_str(st.text)
            except ValueError as exc:
                raise AccessPolicyError(f"policy does not parse: {exc}", st.path, st.line) from None
            if len(ps) != 1:
                raise AccessPolicyError(
                    "templates are not supported; write a static policy", st.path, st.line
                )
        full = "\n".join(st.text for st in statements)
        result = cedarpy.validate_policies(full, schema)
        if not result.validation_passed:
            err = result.errors[0]
            st = statements[_positional(err.policy_id, len(statements))]
            raise AccessPolicyError(
                f"policy does not validate against the schema: {err.error}", st.path, st.line
            )
        est = json.loads(cedarpy.policies_to_json_str(full))
        meta: dict[str, _Meta] = {}
        for pid, body in est.get("staticPolicies", {}).items():
            st = statements[_positional(pid, len(statements))]
            ann = body.get("annotations") or {}
            try:
                obligations = _parse_obligations(str(ann.get("obligations", "")))
            except ValueError as exc:
                raise AccessPolicyError(f"@obligations: {exc}", st.path, st.line) from None
            name = str(ann.get("id") or f"{Path(st.path).name}:{st.line}")
            meta[pid] = _Meta(name, str(ann.get("reason") or name), obligations, body["effect"])
        return _Loaded(
            cedarpy.PolicySet.from_str(full),
            schema,
            meta,
            fingerprint,
            tuple(p for p, _ in sources),
        )

    def reload(self) -> bool:
        """Reload now. True if a new policy set is in force; on error the old one stays and the
        error is kept in :attr:`last_reload_error` (and raised)."""
        try:
            loaded = self._load()
        except (AccessPolicyError, OSError) as exc:
            self.last_reload_error = str(exc)
            raise
        with self._lock:
            self._loaded = loaded
            self.last_reload_error = None
            self.reloads += 1
        return True

    def _maybe_reload(self) -> None:
        if self.policy_dir is None or time.monotonic() < self._next_check:
            return
        self._next_check = time.monotonic() + self.check_interval
        if self._fingerprint() == self._loaded.fingerprint:
            return
        try:
            self.reload()
        except (AccessPolicyError, OSError):
            # keep enforcing the last valid policy set; remember the new fingerprint so a broken
            # file is not re-parsed every second, only after its next change
            with self._lock:
                old = self._loaded
                self._loaded = _Loaded(old.policies, old.schema, old.meta, self._fingerprint(),
                                       old.files)

    @property
    def files(self) -> tuple[str, ...]:
        return self._loaded.files

    # -- deciding -----------------------------------------------------------------------------

    @staticmethod
    def _entities(req: AccessRequest) -> list[dict[str, Any]]:
        p = req.principal
        ents: list[dict[str, Any]] = [
            {
                "uid": {"type": f"{NAMESPACE}::User", "id": p.id},
                "attrs": {"team": p.team, "region": p.region, "clearance": p.clearance},
                "parents": [{"type": f"{NAMESPACE}::Role", "id": r} for r in p.roles],
            }
        ]
        ents.extend(
            {"uid": {"type": f"{NAMESPACE}::Role", "id": r}, "attrs": {}, "parents": []}
            for r in p.roles
        )
        r = req.resource
        parents = []
        if r.kind == "Field" and r.dataset:
            parents.append({"type": f"{NAMESPACE}::Dataset", "id": r.dataset})
            ents.append(
                {"uid": {"type": f"{NAMESPACE}::Dataset", "id": r.dataset}, "attrs": {},
                 "parents": []}
            )
        ents.append(
            {"uid": {"type": f"{NAMESPACE}::{r.kind}", "id": r.id}, "attrs": dict(r.attrs),
             "parents": parents}
        )
        return ents

    def decide(self, req: AccessRequest) -> Decision:
        """One decision (see :meth:`decide_many`)."""
        return self.decide_many([req])[0]

    def decide_many(self, reqs: Sequence[AccessRequest]) -> list[Decision]:
        """Decide each request independently. Unknown actions and malformed requests are
        denials with a reason, never exceptions: the caller logs every decision either way."""
        self._maybe_reload()
        loaded = self._loaded
        out: list[Decision] = []
        for req in reqs:
            if req.action not in ACTIONS:
                out.append(Decision(False, {}, (f"unknown action {req.action!r}",)))
                continue
            request = {
                "principal": {"type": f"{NAMESPACE}::User", "id": req.principal.id},
                "action": {"type": f"{NAMESPACE}::Action", "id": req.action},
                "resource": {"type": f"{NAMESPACE}::{req.resource.kind}", "id": req.resource.id},
                "context": req.context.to_cedar(),
            }
            try:
                res = cedarpy.is_authorized(
                    request, loaded.policies, json.dumps(self._entities(req)), loaded.schema
                )
            except (ValueError, TypeError) as exc:  # malformed entity/context: deny
                out.append(Decision(False, {}, (f"request rejected by the schema: {exc}",)))
                continue
            out.append(self._decision(res, loaded))
        return out

    @staticmethod
    def _decision(res: cedarpy.AuthzResult, loaded: _Loaded) -> Decision:
        metas = [loaded.meta[p] for p in res.diagnostics.reasons if p in loaded.meta]
        errors = tuple(f"policy error: {e}" for e in res.diagnostics.errors)
        if res.allowed:
            obligations: dict[str, ObligationValue] = {}
            for m in metas:
                _merge_obligations(obligations, m.obligations)
            return Decision(
                True, obligations, tuple(m.reason for m in metas), tuple(m.policy_id for m in metas)
            )
        forbids = [m for m in metas if m.effect == "forbid"]
        if forbids:
            return Decision(
                False, {}, tuple(m.reason for m in forbids) + errors,
                tuple(m.policy_id for m in forbids),
            )
        return Decision(False, {}, ("no policy permits this request (deny by default)",) + errors)


def _positional(policy_id: str, count: int) -> int:
    """Index of Cedar's positional id ``policyN`` (0 if it is not one, e.g. a parse error)."""
    if policy_id.startswith("policy") and policy_id[6:].isdigit():
        idx = int(policy_id[6:])
        if 0 <= idx < count:
            return idx
    return 0


def load_access_policy(policy_dir: Path | str | None = None) -> AccessPolicy:
    """Load and validate; raises :class:`AccessPolicyError` with file and line on failure."""
    return AccessPolicy(policy_dir)


def default_policy_files() -> dict[str, str]:
    """The packaged schema and default policy texts (for ``jikimi serve --policy-dir`` setup)."""
    return {name: _default_text(name) for name in (SCHEMA_FILE, "default.cedar")}


def write_default_policy(directory: Path) -> list[Path]:
    """Copy the packaged schema and default policy into ``directory`` (created, mode 0700)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = []
    for name, text in default_policy_files().items():
        p = directory / name
        if not p.exists():
            p.write_text(text, "utf-8")
            os.chmod(p, 0o600)
        out.append(p)
    return out


def iter_actions() -> Iterable[str]:
    return iter(ACTIONS)


__all__ = [
    "ACTIONS",
    "ROLES",
    "AccessPolicy",
    "AccessPolicyError",
    "AccessRequest",
    "Decision",
    "PrincipalInfo",
    "RequestContext",
    "Resource",
    "default_policy_files",
    "field_resource",
    "key_resource",
    "load_access_policy",
    "log_resource",
    "service_resource",
    "split_statements",
    "subject_resource",
    "write_default_policy",
]

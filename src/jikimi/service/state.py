"""The service's shared state and the one rule every handler goes through: decide, log, act.

:meth:`ServiceState.decide` asks the Cedar policy, enforces the obligations the service itself
can check (a justification, a job id), appends the decision - allow or deny - to the audit log
and only then returns. If the log cannot be written, :class:`~jikimi.service.audit.LogUnavailable`
propagates and the request fails closed (503): nothing is revealed, released or destroyed
without its record.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, TypedDict, Unpack

from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from jikimi.keys.base import KeyHandle, Purpose
from jikimi.policy.access import (
    ACTIONS,
    AccessPolicy,
    AccessRequest,
    Decision,
    RequestContext,
    Resource,
)
from jikimi.service.audit import EventFields, ServiceLog, event
from jikimi.service.auth import Caller, TokenStore
from jikimi.service.db import make_engine, migrate
from jikimi.service.settings import Settings

CURRENT_KEY_TTL = 1.0
"""Seconds a current key version is reused by :meth:`ServiceState.current_key`."""


class DecisionUse(TypedDict, total=False):
    """What a decision's log entry says beyond the decision itself: the key and data subject
    involved, how many values, and handler-specific ``extra`` details."""

    count: int | None
    key_id: str | None
    key_version: int | None
    subject: str | None
    extra: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    log_index: int


class Metrics:
    """Counters for ``/metrics`` (Prometheus text format); no labels carry user data."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.latency_sum: dict[str, float] = {}
        self.decisions: Counter[tuple[str, str]] = Counter()
        self.started = time.time()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self.lock:
            self.requests[(route, method, status)] += 1
            self.latency_sum[route] = self.latency_sum.get(route, 0.0) + seconds

    def decision(self, action: str, allowed: bool) -> None:
        with self.lock:
            self.decisions[(action, "allow" if allowed else "deny")] += 1

    def render(self, log_appends: int, log_failures: int) -> str:
        lines = [
            "# HELP jikimi_requests_total HTTP requests by route, method and status.",
            "# TYPE jikimi_requests_total counter",
        ]
        with self.lock:
            for (route, method, status), n in sorted(self.requests.items()):
                lines.append(
                    f'jikimi_requests_total{{route="{route}",method="{method}",status="{status}"}} {n}'
                )
            lines += [
                "# HELP jikimi_request_seconds_sum Total handling time by route.",
                "# TYPE jikimi_request_seconds_sum counter",
            ]
            for route, s in sorted(self.latency_sum.items()):
                lines.append(f'jikimi_request_seconds_sum{{route="{route}"}} {s:.6f}')
            lines += [
                "# HELP jikimi_decisions_total Policy decisions by action and outcome.",
                "# TYPE jikimi_decisions_total counter",
            ]
            for (action, outcome), n in sorted(self.decisions.items()):
                lines.append(
                    f'jikimi_decisions_total{{action="{action}",outcome="{outcome}"}} {n}'
                )
        lines += [
            "# TYPE jikimi_audit_appends_total counter",
            f"jikimi_audit_appends_total {log_appends}",
            "# TYPE jikimi_audit_failures_total counter",
            f"jikimi_audit_failures_total {log_failures}",
            "# TYPE jikimi_uptime_seconds gauge",
            f"jikimi_uptime_seconds {time.time() - self.started:.0f}",
        ]
        return "\n".join(lines) + "\n"


def _engine(settings: Settings) -> Engine:
    url = settings.resolved_db_url()
    if settings.is_postgres and settings.db_schema:
        admin = make_engine(url, pool_size=1, max_overflow=0)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.db_schema}"'))
        admin.dispose()
        return make_engine(
            url, connect_args={"options": f"-csearch_path={settings.db_schema}"}
        )
    if url.startswith("sqlite:///"):
        settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return make_engine(url)


class ServiceState:
    """Keyring, policy, token store, audit log and metrics of one service process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = _engine(settings)
        migrate(self.engine)
        self.tokens = TokenStore(self.engine, cache_ttl=settings.token_cache_ttl)
        self.policy = AccessPolicy(
            settings.policy_dir, check_interval=settings.policy_check_interval
        )
        self._owns_keyring = settings.keyring is None
        if settings.keyring is not None:
            self.keyring = settings.keyring
        else:
            from jikimi.keys import open_keyring

            self.keyring = open_keyring(settings.home, settings.passphrase)
        self._owns_log = settings.audit_log is None
        if settings.audit_log is not None:
            raw_log = settings.audit_log
        else:
            from jikimi.audit.log import AuditLog

            loc, schema = settings.resolved_audit()
            raw_log = AuditLog.open(loc, home=settings.home, keyring=self.keyring, schema=schema)
        self.log = ServiceLog(raw_log)
        self.metrics = Metrics()
        self._current: dict[tuple[Purpose, str], tuple[float, KeyHandle]] = {}
        self._generation = 0

    async def current_key(self, purpose: Purpose, name: str = "default") -> KeyHandle:
        """The keyring's current version of ``purpose/name``, cached for ``CURRENT_KEY_TTL``
        seconds so the hot async routes need no database read or unwrap (and no thread hop).

        A rotation through this service drops the cache at once; one made by another process
        (``jikimi keys rotate``) is picked up within the TTL - older versions keep working for
        reveal either way, so a second of lag only delays which version new output uses."""
        now = time.monotonic()
        hit = self._current.get((purpose, name))
        if hit is not None and now - hit[0] < CURRENT_KEY_TTL:
            return hit[1]
        generation = self._generation
        handle: KeyHandle = await run_in_threadpool(self.keyring.current, purpose, name)
        if handle.purpose is not purpose:  # never cache (or serve) a key for another use
            raise PermissionError(f"keyring returned a {handle.purpose.value} key for {purpose.value}")
        if generation == self._generation:  # a rotation meanwhile: use it once, do not cache it
            self._current[(purpose, name)] = (now, handle)
        return handle

    def forget_current_keys(self) -> None:
        """Drop cached current versions (after a rotation); a fetch that was in flight during
        the rotation is not cached either."""
        self._generation += 1
        self._current.clear()

    def close(self) -> None:
        if self._owns_log:
            close = getattr(self.log.log, "close", None)
            if callable(close):
                close()
        if self._owns_keyring:
            self.keyring.close()
        self.engine.dispose()

    # -- the rule -----------------------------------------------------------------------------

    def decide(
        self, caller: Caller, action: str, resource: Resource, ctx: RequestContext, *,
        source: str, **use: Unpack[DecisionUse],
    ) -> Outcome:
        """Decide, enforce checkable obligations, log (fail closed), return."""
        decision, ev = self._decided(caller, action, resource, ctx, source, use)
        return Outcome(decision, self.log.append(ev))

    async def decide_async(
        self, caller: Caller, action: str, resource: Resource, ctx: RequestContext, *,
        source: str, **use: Unpack[DecisionUse],
    ) -> Outcome:
        """:meth:`decide` for async handlers: the Cedar call (well under a millisecond) runs on
        the event loop and the log append is awaited, so a decision never occupies a worker
        thread while its group commit is fsynced."""
        decision, ev = self._decided(caller, action, resource, ctx, source, use)
        return Outcome(decision, await self.log.append_async(ev))

    def _decided(
        self, caller: Caller, action: str, resource: Resource, ctx: RequestContext,
        source: str, use: DecisionUse,
    ) -> tuple[Decision, dict[str, Any]]:
        """The decision and the log event that must be durable before anyone acts on it."""
        decision = self.policy.decide(AccessRequest(caller.principal, action, resource, ctx))
        decision = enforce_obligations(decision, ctx)
        self.metrics.decision(action, decision.allowed)
        details: dict[str, Any] = {
            "token": caller.token_id,
            "principal": caller.principal.id,
            "job": ctx.job,
            # a subject appears only as the entry's keyed commitment (``subject=``), never in clear
            "resource": f"{resource.kind}:{'*' if resource.kind == 'Subject' else resource.id}",
            "region": ctx.region,
            "ticket": ctx.ticket,
            "justification": ctx.justification[:200],
            "policies": list(decision.policies),
            "obligations": decision.obligations,
            "reasons": list(decision.reasons),
        }
        details.update(use.get("extra") or {})
        logged_action = action
        if action not in ACTIONS:  # never let caller input become the log's action field
            logged_action = "unknown-action"
            details["requested"] = action[:32].encode("ascii", "replace").decode()
        return decision, event(
            logged_action,
            handler=caller.name,
            source=source,
            decision="allow" if decision.allowed else "deny",
            purpose=ctx.purpose,
            key_id=use.get("key_id"),
            key_version=use.get("key_version"),
            subject=use.get("subject"),
            count=use.get("count"),
            details=details,
        )

    def record(self, action: str, **fields: Unpack[EventFields]) -> int:
        """Log something that is not a policy decision (authentication failures, outcomes)."""
        return self.log.append(event(action, **fields))


def enforce_obligations(decision: Decision, ctx: RequestContext) -> Decision:
    """Turn an allow whose checkable obligations are unmet into a deny (with the reason)."""
    if not decision.allowed:
        return decision
    unmet = []
    if decision.obligations.get("require_justification") and not ctx.justification.strip():
        unmet.append("obligation not met: a justification is required")
    if decision.obligations.get("require_job") and not ctx.job:
        unmet.append("obligation not met: a job id (X-Jikimi-Job) is required")
    if not unmet:
        return decision
    return replace(decision, allowed=False, reasons=decision.reasons + tuple(unmet))

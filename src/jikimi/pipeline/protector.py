"""Protect one record: decide each finding's operator, pick the data subject, transform, count.

This is the per-record core shared by every input format (and, later, by the distributed
executor). It never writes anything: it returns the protected field texts, or raises
:class:`RecordFailed` so the caller quarantines the whole record — a record whose personal data
was not fully processed must never reach the output (fail closed).

Reversible values (``encrypt``) are encrypted under the key of the record's data subject, so
``forget SUBJECT`` makes every one of that person's values unrecoverable everywhere the dataset
travelled (crypto-shredding); records without an identifiable subject use the shared encryption
key. The subject is named by the strongest identifier found in the record (policy
``subjects.identifier_priority``: RRN > FRN > passport > … > name + birth date), turned into a
keyed hash by the keyring, so the subject id itself reveals nothing.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from jikimi import transform as T
from jikimi.detect.finding import Finding
from jikimi.entities import get_entity
from jikimi.keys.base import KeyHandle, KeyRef, Purpose, SubjectKeyring
from jikimi.policy.protection import TIER1_FORBIDDEN, ProtectionPolicy, Rule
from jikimi.transform.particles import apply_replacements


class RecordFailed(Exception):
    """A record could not be fully protected; ``reason`` never contains record content."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(slots=True)
class ProtectStats:
    """What happened, for the manifest: never values, only counts and key references."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(field, entity type, operator) → number of values."""
    keys: set[KeyRef] = field(default_factory=set)
    subject_records: int = 0
    """Records whose reversible values went under their data subject's own key. A count, not
    the set of ids: the state file that makes runs resumable must stay small at millions."""

    def merge(self, other: ProtectStats) -> None:
        self.counts.update(other.counts)
        self.keys |= other.keys
        self.subject_records += other.subject_records


def _normalize(value: str, entity_type: str) -> str:
    if entity_type in ("PERSON", "KR_ADDRESS"):
        return unicodedata.normalize("NFC", value).replace(" ", "")
    if entity_type == "EMAIL_ADDRESS":
        return value.strip().lower()
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits or value.strip().upper()


class RecordProtector:
    """Applies a :class:`ProtectionPolicy` with keys from a :class:`Keyring`."""

    def __init__(self, policy: ProtectionPolicy, keyring: SubjectKeyring) -> None:
        self.policy = policy
        self.keyring = keyring
        self._keys: dict[Purpose, KeyHandle] = {}

    def key(self, purpose: Purpose) -> KeyHandle:
        k = self._keys.get(purpose)
        if k is None:
            k = self._keys[purpose] = self.keyring.current(purpose)
        return k

    def subject_of(self, texts: Mapping[str, str], findings: Mapping[str, list[Finding]]) -> str | None:
        """The record's data subject id from its strongest identifier, or None."""
        by_type: dict[str, str] = {}
        for fld, fs in findings.items():
            text = texts[fld]
            for f in fs:
                by_type.setdefault(f.entity_type, text[f.start : f.end])
        for choice in self.policy.identifier_priority:
            parts = choice.split("+")
            if all(p in by_type for p in parts):
                value = "\x1f".join(_normalize(by_type[p], p) for p in parts)
                return self.keyring.subject_id_for(value, choice)
        return None

    def warm(
        self, items: Sequence[tuple[Mapping[str, str], Mapping[str, list[Finding]]]]
    ) -> list[str | None]:
        """The records' subject ids (pass them on to :meth:`protect_many`), and a head start
        for a remote keyring: it begins fetching those subjects' keys in the background (see
        :meth:`jikimi.service.client.RemoteKeyring.warm_subjects`); local keyrings need none."""
        subjects = self.subjects_of(items)
        warm = getattr(self.keyring, "warm_subjects", None)
        if warm is not None:
            ids = [s for s in subjects if s is not None]
            if ids:
                warm(ids)
        return subjects

    def subjects_of(
        self, items: Sequence[tuple[Mapping[str, str], Mapping[str, list[Finding]]]]
    ) -> list[str | None]:
        return [self.subject_of(t, f) if any(f.values()) else None for t, f in items]

    def protect_many(
        self,
        items: Sequence[tuple[Mapping[str, str], Mapping[str, list[Finding]]]],
        stats: ProtectStats,
        *,
        column_rules: Mapping[str, Rule] | None = None,
        subjects: Sequence[str | None] | None = None,
    ) -> list[dict[str, str] | RecordFailed]:
        """Protect a chunk of records: each result is the protected field texts, or the
        :class:`RecordFailed` that sends that record to quarantine.

        Subject keys for the whole chunk are fetched (and created) in one keyring round trip:
        one transaction per chunk instead of one per record is what keeps per-subject keys
        affordable at millions of subjects."""
        if subjects is None:
            subjects = self.subjects_of(items)
        elif len(subjects) != len(items):
            raise ValueError("one subject id (or None) per item")
        ids = list(dict.fromkeys(s for s in subjects if s is not None))
        forgotten = self.keyring.forgotten_subjects(ids) if ids else set()
        keys = self.keyring.subject_keys([i for i in ids if i not in forgotten]) if ids else {}
        out: list[dict[str, str] | RecordFailed] = []
        for (texts, findings), subject in zip(items, subjects):
            if subject is not None and subject in forgotten:
                # the subject was forgotten: nothing of theirs may be processed into anything
                # reversible again, and dropping the record silently would lose it
                out.append(RecordFailed("data subject was forgotten (erasure request); record withheld"))
                continue
            key = keys.get(subject) if subject is not None else None
            try:
                out.append(self._protect_one(texts, findings, stats, subject, key, column_rules))
            except RecordFailed as exc:
                out.append(exc)
        return out

    def protect(
        self,
        texts: Mapping[str, str],
        findings: Mapping[str, list[Finding]],
        stats: ProtectStats,
        *,
        column_rules: Mapping[str, Rule] | None = None,
    ) -> dict[str, str]:
        """Protected copies of one record's ``texts``; raises :class:`RecordFailed`."""
        result = self.protect_many([(texts, findings)], stats, column_rules=column_rules)[0]
        if isinstance(result, RecordFailed):
            raise result
        return result

    def _protect_one(
        self,
        texts: Mapping[str, str],
        findings: Mapping[str, list[Finding]],
        stats: ProtectStats,
        subject: str | None,
        subject_key: KeyHandle | None,
        column_rules: Mapping[str, Rule] | None,
    ) -> dict[str, str]:
        labeler = T.Labeler()
        out: dict[str, str] = {}
        local = ProtectStats()
        for fld, text in texts.items():
            fs = findings.get(fld) or []
            if not fs:
                out[fld] = text
                continue
            spans: list[tuple[int, int, str]] = []
            for f in fs:
                rule = self._rule(f.entity_type, (column_rules or {}).get(fld))
                value = text[f.start : f.end]
                try:
                    new = self._apply(rule, value, f.entity_type, subject_key, labeler, local)
                except RecordFailed as exc:
                    raise RecordFailed(exc.reason, field=fld) from None
                except (ValueError, KeyError, TypeError) as exc:
                    raise RecordFailed(
                        f"{rule.operator} failed for {f.entity_type}: {type(exc).__name__}", field=fld
                    ) from None
                spans.append((f.start, f.end, new))
                local.counts[(fld, f.entity_type, rule.operator)] += 1
            out[fld] = apply_replacements(text, spans)
        if subject is not None:
            local.subject_records += 1
        stats.merge(local)
        return out

    def _rule(self, entity_type: str, column_rule: Rule | None) -> Rule:
        """The column's rule if there is one, except that a unique identifier found in the
        column is never kept or masked by it (fail closed): the type's own rule applies."""
        if column_rule is None:
            return self.policy.rule_for(entity_type)
        if column_rule.operator in TIER1_FORBIDDEN and get_entity(entity_type).tier == 1:
            return self.policy.rule_for(entity_type)
        return column_rule

    def _apply(
        self,
        rule: Rule,
        value: str,
        entity_type: str,
        subject_key: KeyHandle | None,
        labeler: T.Labeler,
        stats: ProtectStats,
    ) -> str:
        op = rule.operator
        if op == "keep":
            return value
        if op == "redact":
            return T.redact(value)
        if op == "mask":
            return T.mask(value, entity_type)
        if op == "label":
            return labeler.label(entity_type, value)
        if op == "generalize":
            return T.generalize(value, entity_type, rule.level or "")
        if op == "token":
            k = self.key(Purpose.TOKEN)
        elif op == "fpe":
            k = self.key(Purpose.FPE)
        elif op == "surrogate":
            k = self.key(Purpose.SURROGATE)
        elif op == "encrypt":
            k = subject_key or self.key(Purpose.ENCRYPT)
        elif op == "dateshift":
            if subject_key is None:
                raise RecordFailed("dateshift needs an identifiable data subject")
            k = subject_key
        else:
            raise RecordFailed(f"unknown operator {op}")
        if k.purpose is not Purpose.SUBJECT:  # millions of subject keys: counted, not listed
            stats.keys.add(k.ref)
        if op == "token":
            return T.token(value, entity_type, k)
        if op == "fpe":
            return T.fpe(value, entity_type, k)
        if op == "surrogate":
            return T.surrogate(value, entity_type, k)
        if op == "encrypt":
            return T.encrypt(value, entity_type, k, deterministic=rule.deterministic)
        return T.dateshift(value, k)

"""Audit rights: the record of every key use and decision (a plain local log for now; the
tamper-evident Merkle log replaces its storage without changing what callers append)."""

from jikimi.audit.access_log import AccessLog, access_event

__all__ = ["AccessLog", "access_event"]

"""Audit rights: the record of every key use and decision.

:class:`AuditLog` is the tamper-evident log (RFC 9162 Merkle tree, C2SP signed checkpoints and
tiles, SQLite or PostgreSQL storage); :class:`AccessLog` is the older plain JSON-lines log kept for
callers that have not moved yet. Both take ``append(access_event(...))``.
"""

from jikimi.audit.access_log import AccessLog, access_event
from jikimi.audit.checkpoint import Checkpoint, CheckpointError, Witness, open_checkpoint
from jikimi.audit.log import AuditError, AuditLog, commitment_matches, keyring_committer
from jikimi.audit.merkle import ProofError, verify_consistency, verify_inclusion
from jikimi.audit.note import Signer, Verifier, parse_vkey
from jikimi.audit.store import PostgresStore, SqliteStore, Store, StoreError, open_store
from jikimi.audit.verify import Report, verify_store, verify_tiles

__all__ = [
    "AccessLog",
    "AuditError",
    "AuditLog",
    "Checkpoint",
    "CheckpointError",
    "PostgresStore",
    "ProofError",
    "Report",
    "Signer",
    "SqliteStore",
    "Store",
    "StoreError",
    "Verifier",
    "Witness",
    "access_event",
    "commitment_matches",
    "keyring_committer",
    "open_checkpoint",
    "open_store",
    "parse_vkey",
    "verify_consistency",
    "verify_inclusion",
    "verify_store",
    "verify_tiles",
]

"""Alembic environment: runs on the connection :func:`jikimi.service.db.migrate` passes in.

The service migrates itself at start-up; there is no alembic.ini to keep in sync. Offline (SQL
script) mode is not offered: the service always has its database at hand."""

from __future__ import annotations

from alembic import context

from jikimi.service.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable when run by hand
    raise RuntimeError("run migrations through jikimi.service.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()

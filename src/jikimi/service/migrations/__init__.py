"""Alembic migrations of the service database (package data: env.py and versions/)."""

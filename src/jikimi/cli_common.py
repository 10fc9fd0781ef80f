"""Small things every command module shares (kept out of ``cli.py`` so sub-apps can import it
without importing the whole command line)."""

from __future__ import annotations

import click


def global_json() -> bool:
    """True when ``--json`` was given before the command (``jikimi --json assess …``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    return bool(ctx.find_root().params.get("json_out"))

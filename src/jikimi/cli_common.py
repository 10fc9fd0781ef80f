"""Small things every command module shares (kept out of ``cli.py`` so sub-apps can import it
without importing the whole command line)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console


def global_json() -> bool:
    """True when ``--json`` was given before the command (``jikimi --json assess …``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    return bool(ctx.find_root().params.get("json_out"))


class StderrConsole:
    """rich's console on stderr, made on first use: importing rich takes about as long as a
    small ``jikimi scan --json``, which needs the console only to report problems."""

    def __init__(self) -> None:
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        return self._console

    @property
    def is_terminal(self) -> bool:
        return self.console.is_terminal

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """:meth:`rich.console.Console.print`."""
        self.console.print(*objects, **kwargs)

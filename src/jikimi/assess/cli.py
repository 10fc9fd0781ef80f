"""``jikimi assess SYSTEM.yaml [--json] [-o DIR] [--today YYYY-MM-DD]``.

A thin layer over :func:`jikimi.assess.engine.assess`, kept in this package so the main CLI only
has to register it: ``main_app.command("assess")(jikimi.assess.cli.assess_command)`` or
``main_app.add_typer(jikimi.assess.cli.app)`` (no name: the single ``assess`` command is merged
into the parent). Standalone, ``app`` runs the command directly (as in the tests).

Exit codes follow the main CLI: 0 — assessed, nothing to fix; 1 — something needs fixing (a
mandatory duty in force without evidence, an invalid transfer basis, or a manifest that failed its
checks); 2 — the description (or an option) is invalid, with every problem named by field.

``--json`` prints the machine-readable result to stdout. Otherwise the Markdown report is printed
and written with the self-contained HTML report (and the JSON) to ``-o DIR`` (default: the current
directory) as ``<name>.assessment.{md,html,json}``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import orjson
import typer

from jikimi.cli_common import global_json

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    help="Which duties of Korea's AI Basic Act and PIPA apply to an AI system, with evidence.",
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"error: --today: expected a date YYYY-MM-DD, got {value!r}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command("assess")
def assess_command(
    system: Annotated[Path, typer.Argument(metavar="SYSTEM.yaml", help="System description (YAML).")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Directory for the Markdown, HTML and JSON reports.")] = None,
    today: Annotated[str | None, typer.Option("--today", help="Assess as of this date (YYYY-MM-DD; default: today).")] = None,
) -> None:
    """Assess SYSTEM.yaml against the AI Basic Act and PIPA; cite every rule and its evidence."""
    from jikimi.assess.engine import KnowledgeBaseError, assess
    from jikimi.assess.model import DescriptionError, load_description
    from jikimi.assess.report import render_html, render_markdown

    json_out = json_out or global_json()
    day = _today(today)
    try:
        desc = load_description(system)
        result = assess(desc, today=day)
    except DescriptionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except KnowledgeBaseError as exc:  # a broken rule file is a packaging bug, not the user's
        typer.echo(f"internal error: knowledge base: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    data = result.to_dict()
    payload = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    if json_out:
        typer.echo(payload.decode())
    else:
        typer.echo(render_markdown(result))
    if output is not None or not json_out:
        out = output or Path(".")
        out.mkdir(parents=True, exist_ok=True)
        stem = system.name.rsplit(".", 1)[0]
        paths = {ext: out / f"{stem}.assessment.{ext}" for ext in ("md", "html", "json")}
        paths["md"].write_text(render_markdown(result), "utf-8")
        paths["html"].write_text(render_html(result, link_base=out), "utf-8")
        paths["json"].write_bytes(payload + b"\n")
        if not json_out:
            typer.echo("reports: " + ", ".join(str(p) for p in paths.values()), err=True)
    raise typer.Exit(EXIT_FOUND if result.problems else EXIT_OK)

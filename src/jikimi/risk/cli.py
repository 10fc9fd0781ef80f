"""``jikimi risk``: measure re-identification risk of a CSV/Parquet table, or fix it.

Measure: ``jikimi risk TABLE --qi age,sex,address --sensitive diagnosis [--json]``.
Fix: ``jikimi risk TABLE --k 5 [--l 2] [--t 0.2] --max-suppression 0.05 -o OUT`` writes the
least-loss generalisation that meets the targets and reports risk and loss before and after.
``--method mondrian`` (k only) writes Mondrian's local recoding instead of the lattice's one
level per column; docs/design.md gives the measured trade-off and why the lattice is default.
Without ``--qi`` the quasi-identifiers are suggested from column profiling and named in the
output, so the reviewer sees what was assumed.

CSV cells are read as text (as everywhere in jikimi: ``01012345678`` must not lose its zero);
a sensitive column whose every cell reads as a number is treated as numeric (ordered EMD for
t-closeness). Exit codes follow :mod:`jikimi.cli`: 0 ok, 1 targets missed (measure mode, with
``--k``/``--l``/``--t``) or not reachable (fix mode), 2 usage/input error.

Registered by the main CLI as ``app.command("risk")(jikimi.risk.cli.risk)``; ``app`` here
runs the same command stand-alone (tests use it with ``typer.testing.CliRunner``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from jikimi.cli_common import StderrConsole

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from jikimi.risk.api import AnonymizationReport, RiskReport
    from jikimi.risk.hierarchies import HierarchySpec
    from jikimi.risk.mondrian import MondrianReport

# pyarrow, numpy and the risk engine are imported by the command when it runs: registering it
# in ``jikimi`` must not cost every other command their import.

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
_err = StderrConsole()


def _fmt(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt.lower()
    return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"


def read_table(path: str | Path, fmt: str | None = None) -> pa.Table:
    """A CSV (all columns as text) or Parquet file as an Arrow table."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    p = Path(path)
    if _fmt(p, fmt) == "parquet":
        return pq.read_table(p)
    with p.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    return pacsv.read_csv(
        p,
        read_options=pacsv.ReadOptions(encoding="utf-8"),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False
        ),
    )


def write_table(table: pa.Table, path: str | Path, fmt: str | None = None) -> None:
    import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

    p = Path(path)
    if _fmt(p, fmt) == "parquet":
        pq.write_table(table, p)
    else:
        pacsv.write_csv(table, p)


def _numeric_text(table: pa.Table, column: str) -> bool:
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

    col = table.column(column)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        return bool(pa.types.is_integer(col.type) or pa.types.is_floating(col.type))
    try:
        pc.cast(col, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _split(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _fail(msg: str) -> typer.Exit:
    _err.print(f"[red]error:[/red] {msg}", markup=True, highlight=False)
    return typer.Exit(EXIT_USAGE)


def _dump(obj: Any) -> None:
    typer.echo(orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_INDENT_2).decode())


def _risk_rows(r: RiskReport) -> list[tuple[str, str]]:
    rows = [
        ("records", f"{r.rows:,}"),
        ("equivalence classes", f"{r.classes:,}"),
        ("k (smallest class)", str(r.k)),
        (f"records in classes < {r.k_target}", f"{r.below_k_share:.2%}"),
        ("unique records", f"{r.uniqueness:.2%}"),
    ]
    if r.sensitive:
        rows += [
            ("l (distinct)", str(r.l_distinct)),
            ("l (entropy)", f"{r.l_entropy:.3f}"),
            ("t (EMD)", f"{r.t:.4f}"),
        ]
    rows += [
        ("prosecutor risk: highest / average", f"{r.prosecutor_max:.4f} / {r.prosecutor_avg:.4f}"),
        (
            "journalist risk: highest / at risk",
            f"{r.journalist_max:.4f} / {r.journalist_at_risk:.2%}",
        ),
        ("marketer risk", f"{r.marketer:.4f}"),
        ("population", r.population),
    ]
    return rows


def _print_measure(r: RiskReport, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in _risk_rows(r):
        table.add_row(name, value)
    Console().print(table)


def _print_mondrian(rep: MondrianReport, out: str | None) -> None:
    modes = ", ".join(f"{q}={m}" for q, m in rep.modes.items())
    typer.echo(f"Mondrian local recoding (k={rep.k}): cuts by {modes}")
    typer.echo(
        f"partitions: {rep.partitions:,}; released classes: {rep.classes:,}; suppressed: 0; "
        f"written: {rep.rows_out:,}" + (f" to {out}" if out else " (not written: no -o)")
    )
    typer.echo(
        f"loss: NCP {rep.ncp:.4f}, discernibility {rep.discernibility:,.0f}, "
        f"C_AVG {rep.average_class_size:.3f}; {rep.rounds} rounds in {rep.seconds:.2f} s"
    )
    _print_measure(rep.before, "before")
    _print_measure(rep.after, "after")


def _print_fix(rep: AnonymizationReport, out: str | None) -> None:
    levels = ", ".join(f"{q}={lvl} ({rep.hierarchies[q]})" for q, lvl in rep.levels.items())
    typer.echo(f"generalisation: {levels}")
    typer.echo(
        f"suppressed: {rep.suppressed:,} of {rep.rows_in:,} records "
        f"({rep.suppressed_share:.2%}); written: {rep.rows_out:,}"
        + (f" to {out}" if out else " (not written: no -o)")
    )
    typer.echo(
        f"loss: NCP {rep.ncp:.4f}, discernibility {rep.discernibility:,.0f}, "
        f"C_AVG {rep.average_class_size:.3f}; lattice {rep.nodes_evaluated}/"
        f"{rep.nodes_total} nodes evaluated in {rep.seconds:.2f} s"
    )
    _print_measure(rep.before, "before")
    _print_measure(rep.after, "after")


@app.command()
def risk(
    table: Annotated[str, typer.Argument(help="CSV or Parquet table.")],
    qi: Annotated[
        str | None,
        typer.Option("--qi", help="Comma-separated quasi-identifiers (default: suggested)."),
    ] = None,
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Comma-separated sensitive attributes.")
    ] = None,
    k: Annotated[int | None, typer.Option("--k", min=1, help="Target k.")] = None,
    l_target: Annotated[float | None, typer.Option("--l", min=1.0, help="Target l.")] = None,
    l_model: Annotated[str, typer.Option("--l-model", help="distinct or entropy.")] = "distinct",
    t_target: Annotated[
        float | None, typer.Option("--t", min=0.0, max=1.0, help="Target t (EMD).")
    ] = None,
    max_suppression: Annotated[
        float,
        typer.Option(
            "--max-suppression", min=0.0, max=1.0, help="Largest share of records to suppress."
        ),
    ] = 0.0,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the fixed table here.")
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="flash: one generalisation level per column (default; k, l, t); "
            "mondrian: local recoding, lower loss, k only.",
        ),
    ] = "flash",
    hierarchy: Annotated[
        list[str] | None,
        typer.Option("--hierarchy", "-H", help="QI=NAME or QI=file.csv (repeatable)."),
    ] = None,
    population: Annotated[
        str | None,
        typer.Option("--population", help="Population table for journalist/marketer risk."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: by extension).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    only_suggest: Annotated[
        bool, typer.Option("--suggest", help="Only suggest quasi-identifiers.")
    ] = False,
) -> None:
    """Measure re-identification risk (k, l, t, prosecutor/journalist/marketer) or, with -o,
    generalise the table to meet --k/--l/--t."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    from jikimi.risk.api import METHODS, Targets, TargetsNotMet, fix, measure
    from jikimi.risk.mondrian import MondrianReport
    from jikimi.risk.suggest import suggest

    try:
        data = read_table(table, fmt)
        pop = read_table(population) if population else None
    except (OSError, pa.ArrowInvalid) as exc:
        raise _fail(f"cannot read table: {exc}") from None
    suggestions = suggest(data) if (only_suggest or not qi) else []
    if only_suggest:
        if json_out:
            _dump([s.__dict__ if hasattr(s, "__dict__") else _as_dict(s) for s in suggestions])
        else:
            for s in suggestions:
                typer.echo(f"{s.column}\t{s.role}\t{s.hierarchy or '-'}\t{s.reason}")
        raise typer.Exit(EXIT_OK)
    qis = _split(qi) or [s.column for s in suggestions if s.role == "quasi_identifier"]
    sens = _split(sensitive)
    if not qis:
        raise _fail("no quasi-identifiers given (--qi) or found by profiling")
    specs: dict[str, HierarchySpec] = {}
    for item in hierarchy or []:
        name, sep, spec = item.partition("=")
        if not sep or not name or not spec:
            raise _fail(f"--hierarchy needs QI=NAME or QI=file.csv, got {item!r}")
        specs[name.strip()] = spec.strip()
    ordered = {s: _numeric_text(data, s) for s in sens if s in data.column_names}
    if l_model not in ("distinct", "entropy"):
        raise _fail("--l-model must be distinct or entropy")
    if method not in METHODS:
        raise _fail(f"--method must be one of {', '.join(METHODS)}")
    try:
        targets = Targets(
            k=k or 1,
            l=l_target,
            t=t_target,
            max_suppression=max_suppression,
            sensitive=tuple(sens),
            l_model=l_model,  # type: ignore[arg-type]
            hierarchies=specs,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        if output is None:
            rep = measure(data, qis, sens, k_target=k or 5, population=pop, ordered=ordered)
            if json_out:
                _dump({"qi": qis, "suggested": not qi, "report": rep.to_dict()})
            else:
                if not qi:
                    typer.echo(f"quasi-identifiers (suggested): {', '.join(qis)}")
                _print_measure(rep, f"re-identification risk: {table}")
            wanted = k is not None or l_target is not None or t_target is not None
            raise typer.Exit(EXIT_FOUND if wanted and not rep.meets(targets) else EXIT_OK)
        out, arep = fix(
            data,
            qis,
            targets,
            method="mondrian" if method == "mondrian" else "flash",  # checked against METHODS
            ordered=ordered,
            population=pop,
        )
    except TargetsNotMet as exc:
        if json_out:
            _dump({"qi": qis, "error": str(exc)})
        else:
            _err.print(f"targets not met: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_FOUND) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    assert output is not None
    try:
        write_table(out, output, fmt)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc}") from None
    if json_out:
        _dump({"qi": qis, "suggested": not qi, "output": output, "report": arep.to_dict()})
    elif isinstance(arep, MondrianReport):
        _print_mondrian(arep, output)
    else:
        _print_fix(arep, output)
    raise typer.Exit(EXIT_OK)


def _as_dict(obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in obj.__slots__}

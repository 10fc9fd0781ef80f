"""The ``jikimi`` command line: a thin layer over the library.

Exit codes (the same for every command):

* 0 — ran cleanly and found nothing to report
* 1 — the command's findings or failures (``scan``: personal data was found)
* 2 — usage or input error (bad option, missing file, unreadable or malformed records)

Reporting commands print machine-readable output with ``--json`` (global, before the command,
or after it); human output goes through rich. Findings never contain matched values unless
``--show-values`` is given, so a scan report can be shared without spreading the data it found.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import orjson
import typer

from jikimi import __version__
from jikimi.cli_common import StderrConsole
from jikimi.detect.engine import DEFAULT_MIN_SCORE
from jikimi.entities import ENTITY_TYPES
from jikimi.io import RecordError
from jikimi.scanning import ScanJob, ScanSummary

if TYPE_CHECKING:
    import ssl

    from jikimi.audit import AuditLog
    from jikimi.keys import LocalKeyring
    from jikimi.service.client import RemoteKeyring

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_BYTES = 4 * 2**20

app = typer.Typer(
    name="jikimi",
    help="jikimi (지킴이): Korean personal data for AI on any cloud — the data may travel, "
    "the keys and the control stay home.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = StderrConsole()


class _State:
    json: bool = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jikimi {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    json_out: Annotated[
        bool, typer.Option("--json", help="Machine-readable output for reporting commands.")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Find, protect and audit Korean personal data. Exit codes: 0 ok, 1 findings, 2 usage/input error."""
    _State.json = json_out


def _error_line(err: RecordError) -> str:
    where = f"{err.source}:{err.line}"
    if err.record_id is not None:
        where += f" (id {err.record_id})"
    if err.field:
        where += f" field {err.field!r}"
    return f"{where}: {err.kind}: {err.message}"


@app.command()
def scan(
    path: Annotated[str, typer.Argument(help="File, directory, or - for stdin.")],
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON object per record on stdout.")
    ] = False,
    field: Annotated[
        list[str] | None,
        typer.Option("--field", "-f", help="JSONL field path(s) or table columns to scan (default: all text)."),
    ] = None,
    id_field: Annotated[str, typer.Option("--id-field", help="Record id field or column.")] = "id",
    entities: Annotated[
        str | None, typer.Option("--entities", "-e", help="Comma-separated entity types (default: all).")
    ] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0.0, max=1.0, help="Drop findings scoring below this.")
    ] = DEFAULT_MIN_SCORE,
    fmt: Annotated[
        str | None, typer.Option("--format", help="text, jsonl, csv or parquet (default: by extension).")
    ] = None,
    document: Annotated[
        bool, typer.Option("--document", help="Plain text: one record per file instead of per line.")
    ] = False,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Include matched values in output (they are personal data).")
    ] = False,
) -> None:
    """Find Korean personal data in text, JSONL, CSV or Parquet files.

    Exit code 1 when anything is found, 2 when input records were skipped or unreadable.
    """
    as_json = json_out or _State.json
    if fmt is not None and fmt not in ("text", "jsonl", "csv", "parquet"):
        err_console.print(f"[red]error:[/] unknown format {fmt!r} (text, jsonl, csv, parquet)")
        raise typer.Exit(EXIT_USAGE)
    errors: list[RecordError] = []

    def on_error(err: RecordError) -> None:
        errors.append(err)
        err_console.print(_error_line(err), markup=False, highlight=False)

    try:
        job = ScanJob(
            entities=entities,
            min_score=min_score,
            fields=field,
            id_field=id_field,
            fmt=fmt,
            text_mode="document" if document else "line",
            on_error=on_error,
        )
    except ValueError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    # The modules and tables loaded so far live for the whole run: moving them out of the cyclic
    # collector's view keeps its passes over the stream of short-lived records cheap.
    gc.freeze()

    try:
        if as_json:
            _emit_json(job, path, show_values)
        else:
            total = _input_bytes(path)
            _consume_with_progress(job.run(path), total)
    except FileNotFoundError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None

    summary = job.summary
    if as_json:
        sys.stderr.write(orjson.dumps({"summary": summary.to_dict()}).decode() + "\n")
    else:
        _print_summary(summary, show_values)
    if summary.errors:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FOUND if sum(summary.counts.values()) else EXIT_OK)


def _emit_json(job: ScanJob, path: str, show_values: bool) -> None:
    out = sys.stdout.buffer
    if not show_values:
        for chunk in job.run_json(path):
            out.write(chunk)
        out.flush()
        return
    buf: list[bytes] = []
    dumps = orjson.dumps
    for r in job.run(path):
        fs = [f.to_dict(r.texts[f.field or ""]) for f in r.findings]
        buf.append(dumps({"id": r.id, "findings": fs}))
        if len(buf) >= 1024:
            out.write(b"\n".join(buf) + b"\n")
            buf.clear()
    if buf:
        out.write(b"\n".join(buf) + b"\n")
    out.flush()


def _input_bytes(path: str) -> int:
    if path == "-":
        return 0
    p = Path(path)
    if p.is_file():
        return p.stat().st_size
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return 0


def _consume_with_progress(results: object, total: int) -> None:
    it = iter(results)  # type: ignore[call-overload]
    if total < PROGRESS_MIN_BYTES or not err_console.is_terminal:
        for _ in it:
            pass
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=err_console.console, transient=True,
    ) as progress:
        task = progress.add_task("scanning", total=total)
        for r in it:
            progress.advance(task, sum(len(t.encode()) + 8 for t in r.texts.values()))


def _print_summary(s: ScanSummary, show_values: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="jikimi scan", show_lines=False)
    table.add_column("field")
    table.add_column("entity type")
    table.add_column("label")
    table.add_column("tier", justify="right")
    table.add_column("count", justify="right")
    table.add_column("example (masked)")
    for (fld, etype), count in sorted(s.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        e = ENTITY_TYPES[etype]
        table.add_row(fld, etype, e.label_ko, str(e.tier), str(count), s.examples.get((fld, etype), ""))
    if s.counts:
        console.print(table)
    for src, cols in s.columns.items():
        typed = {n: p for n, p in cols.items() if p.entity_type}
        if typed:
            console.print(
                f"columns classified in {src}: "
                + ", ".join(f"{n} → {p.entity_type} ({p.share:.0%})" for n, p in typed.items())
            )
    mb = s.chars and s.chars / 1e6
    console.print(
        f"{s.files} file(s), {s.records} record(s), {s.records_with_findings} with personal data, "
        f"{sum(s.counts.values())} finding(s); {s.skipped} record(s) skipped, {s.errors} error(s); "
        f"{s.seconds:.2f} s ({mb:.1f} M chars)"
    )
    from jikimi.detect import native

    if native.core() is None:
        console.print(
            "[dim]the native scan core is not in use (not built, or JIKIMI_PURE_PYTHON is set): "
            "the Python recognizers ran — same findings, slower[/]"
        )


policy_app = typer.Typer(help="Protection policies (jikimi.toml).", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("show")
def policy_show(
    policy: Annotated[
        Path | None, typer.Option("--policy", "-p", help="Policy file (default: ./jikimi.toml if present).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print the effective protection policy: defaults by PIPA risk tier, then the file's rules."""
    from jikimi.policy import PolicyError, load_policy

    path = policy if policy is not None else (Path("jikimi.toml") if Path("jikimi.toml").exists() else None)
    try:
        pol = load_policy(path)
    except PolicyError as exc:
        err_console.print(f"[red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    if json_out or _State.json:
        sys.stdout.write(orjson.dumps(pol.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"effective policy ({pol.source or 'built-in defaults'})")
    for col in ("entity type", "tier", "operator", "options", "from"):
        table.add_column(col)
    for name, rule in pol.rules.items():
        opts = []
        if rule.operator == "encrypt":
            opts.append("deterministic (AES-SIV)" if rule.deterministic else "randomized (AES-GCM)")
        if rule.level:
            opts.append(f"level={rule.level}")
        table.add_row(name, str(ENTITY_TYPES[name].tier), rule.operator, ", ".join(opts), rule.source)
    console.print(table)
    for col, c in pol.columns.items():
        console.print(f"column {col}: {c.entity_type or 'scan cells'} → {c.rule.operator}")
    console.print(f"min_score={pol.min_score}  subject identifier priority: {' > '.join(pol.identifier_priority)}")


def _keyring() -> LocalKeyring:
    """Open the home keyring; prompt for the passphrase only on an interactive terminal."""
    from jikimi.keys import KeyringError, open_keyring

    try:
        return open_keyring()
    except KeyringError as exc:
        if "passphrase" in str(exc).lower() and sys.stdin.isatty():
            pw = typer.prompt("keyring passphrase", hide_input=True)
            try:
                return open_keyring(passphrase=pw)
            except KeyringError as exc2:
                err_console.print(f"[red]error:[/] {exc2}")
                raise typer.Exit(EXIT_USAGE) from None
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except PermissionError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _remote_keyring(url: str, job_id: str | None) -> RemoteKeyring:
    """The home key service as the keyring; the bearer token comes from the environment (never
    from an argument, which would land in shell history and process lists)."""
    import os

    from jikimi.keys import KeyringError
    from jikimi.service.client import RemoteKeyring

    token = os.environ.get("JIKIMI_TOKEN", "")
    if not token:
        err_console.print("[red]error:[/] --keys needs the service token in JIKIMI_TOKEN")
        raise typer.Exit(EXIT_USAGE)
    try:
        return RemoteKeyring(url, token, job_id=job_id, ssl_context=_client_tls())
    except KeyringError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _client_tls() -> ssl.SSLContext | None:
    """TLS for ``--keys https://...`` from the environment: ``JIKIMI_TLS_CA`` (the service's
    CA bundle, instead of the system's) and ``JIKIMI_TLS_CLIENT_CERT`` + ``JIKIMI_TLS_CLIENT_KEY``
    (a client certificate for a service started with ``--tls-client-ca``). None: the system's
    trust store, no client certificate. Bad files are usage errors naming the variable."""
    import os
    import ssl

    from jikimi.service.cli import refuse_key_password

    ca = os.environ.get("JIKIMI_TLS_CA") or None
    cert = os.environ.get("JIKIMI_TLS_CLIENT_CERT") or None
    key = os.environ.get("JIKIMI_TLS_CLIENT_KEY") or None
    if ca is None and cert is None and key is None:
        return None
    if (cert is None) != (key is None):
        _usage("JIKIMI_TLS_CLIENT_CERT and JIKIMI_TLS_CLIENT_KEY go together")
    try:
        ctx = ssl.create_default_context(cafile=ca)
    except (ssl.SSLError, OSError):
        _usage("JIKIMI_TLS_CA is not a readable PEM CA bundle")
    if cert is not None and key is not None:
        try:
            ctx.load_cert_chain(cert, key, password=refuse_key_password)
        except (ssl.SSLError, OSError, ValueError, TypeError):
            _usage("JIKIMI_TLS_CLIENT_CERT / JIKIMI_TLS_CLIENT_KEY are not a readable PEM "
                   "certificate and its unencrypted private key")
    return ctx


def _usage(message: str) -> NoReturn:
    err_console.print(f"[red]error:[/] {message}")
    raise typer.Exit(EXIT_USAGE)


def _access_log(keyring: object) -> AuditLog:
    """The tamper-evident audit log beside the keyring (``$JIKIMI_HOME/audit``); entries about
    a data subject carry only a commitment under that subject's key."""
    from jikimi.audit import AuditLog

    home = getattr(keyring, "home", None)
    return AuditLog.open(home=Path(home) if home else None, keyring=keyring)


class _LimitedErrors:
    """Print the first problems in full, then only count them (a bad file can have millions)."""

    LIMIT = 20

    def __init__(self) -> None:
        self.n = 0

    def show(self, msg: str) -> None:
        self.n += 1
        if self.n <= self.LIMIT:
            err_console.print(msg, markup=False, highlight=False)

    def close(self) -> None:
        if self.n > self.LIMIT:
            err_console.print(f"… and {self.n - self.LIMIT} more (all listed in the manifest's files[].errors, first 100 per file)")


@app.command()
def protect(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="File or directory to protect.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory (created).")],
    policy: Annotated[Path | None, typer.Option("--policy", "-p", help="Policy file (default: ./jikimi.toml if present).")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", "-f", help="JSONL field path(s) or columns to protect (default: all text).")] = None,
    id_field: Annotated[str, typer.Option("--id-field", help="Record id field or column.")] = "id",
    fmt: Annotated[str | None, typer.Option("--format", help="text, jsonl, csv or parquet (default: by extension).")] = None,
    document: Annotated[bool, typer.Option("--document", help="Plain text: one record per file.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
    keys: Annotated[str | None, typer.Option("--keys", help="URL of the home key service (token from JIKIMI_TOKEN; for https, JIKIMI_TLS_CA and, for mutual TLS, JIKIMI_TLS_CLIENT_CERT + JIKIMI_TLS_CLIENT_KEY); default: the local keyring.")] = None,
    job_id: Annotated[str | None, typer.Option("--job-id", help="Job id sent with every key release (with --keys).")] = None,
) -> None:
    """De-identify INPUT into OUTPUT with owner-held keys; write OUTPUT/manifest.json.

    Records that cannot be fully protected go to an encrypted quarantine file, never to the
    output; exit code 1 when any record was quarantined.
    """
    from jikimi.pipeline.protect import ProtectError, ProtectJob
    from jikimi.policy import PolicyError, load_policy

    path = policy if policy is not None else (Path("jikimi.toml") if Path("jikimi.toml").exists() else None)
    try:
        pol = load_policy(path)
    except PolicyError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    keyring = _remote_keyring(keys, job_id) if keys else _keyring()
    total = _input_bytes(str(input_path))
    show = total >= PROGRESS_MIN_BYTES and err_console.is_terminal and not (json_out or _State.json)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    progress = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=err_console.console, transient=True, disable=not show)
    shown = _LimitedErrors()
    with progress:
        task = progress.add_task("protecting", total=total or None)
        try:
            job = ProtectJob(
                keyring, policy=pol, fields=field, id_field=id_field, fmt=fmt,
                text_mode="document" if document else "line",
                on_progress=lambda n: progress.advance(task, n),
                on_error=shown.show,
            )
            result = job.run(input_path, output)
        except ProtectError as exc:
            err_console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    shown.close()
    m = result.manifest
    if not keys:  # with --keys the service has logged every key release under the job id
        from jikimi.audit import access_event

        with _access_log(keyring) as log:
            log.append(access_event("protect", purpose="de-identification", count=m["records"]["out"], detail=f"{input_path} -> {output}"))
    if json_out or _State.json:
        sys.stdout.write(orjson.dumps(m, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        table = Table(title=f"jikimi protect → {output}")
        for col in ("entity type", "operator", "values"):
            table.add_column(col, justify="right" if col == "values" else "left")
        agg: dict[tuple[str, str], int] = {}
        for row in m["counts"]:
            k = (row["entity_type"], row["operator"])
            agg[k] = agg.get(k, 0) + row["count"]
        for (etype, op), c in sorted(agg.items(), key=lambda kv: -kv[1]):
            table.add_row(etype, op, str(c))
        console.print(table)
        r = m["records"]
        console.print(
            f"{r['in']} record(s) in, {r['out']} protected, {r['quarantined']} quarantined (encrypted"
            + (f", {sum(f.suppressed for f in result.files)} of them suppressed for k-anonymity" if any(f.suppressed for f in result.files) else "") + "); "
            f"{m['records_under_subject_keys']} record(s) under their data subject's own key; manifest: {result.manifest_path}"
        )
    raise typer.Exit(EXIT_FOUND if result.failed else EXIT_OK)


@app.command()
def reveal(
    target: Annotated[str, typer.Argument(metavar="VALUE|FILE", help="A protected value, or a file of protected records.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why (recorded in the access log).")],
    entity_type: Annotated[str | None, typer.Option("--type", help="Entity type of an fpe value.")] = None,
    fpe: Annotated[bool, typer.Option("--fpe", help="VALUE is format-preserving encrypted.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write a revealed FILE (default stdout).")] = None,
) -> None:
    """Turn protected values back into originals with the home keyring; every reveal is logged.

    Keyed tokens are one-way and cannot be revealed; values of forgotten subjects stay gone.
    """

    keyring = _keyring()
    with _access_log(keyring) as log:
        _reveal(target, keyring, log, purpose, entity_type, fpe, output)


def _reveal(target: str, keyring: LocalKeyring, log: AuditLog, purpose: str, entity_type: str | None, fpe: bool, output: Path | None) -> None:
    from jikimi.pipeline.reveal import RevealError, RevealReport, reveal_text, reveal_value

    p = Path(target)
    if p.is_file():
        report = RevealReport()
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(open(output, "w", encoding="utf-8")) if output else sys.stdout
            with open(p, encoding="utf-8") as f:
                for line in f:
                    out.write(reveal_text(line, keyring, log, purpose=purpose, report=report))
        err_console.print(
            f"revealed {report.revealed} value(s); {report.forgotten} belong to forgotten subjects "
            f"(unrecoverable); {report.failed} failed; {report.one_way_tokens} one-way token(s) left as they are"
        )
        raise typer.Exit(EXIT_FOUND if report.failed or report.forgotten else EXIT_OK)
    try:
        sys.stdout.write(reveal_value(target, keyring, log, purpose=purpose, entity_type=entity_type, fpe=fpe) + "\n")
    except RevealError as exc:
        err_console.print(f"[red]cannot reveal:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_FOUND) from None


@app.command()
def forget(
    subject: Annotated[str | None, typer.Argument(help="Subject id (as in protected values: subject/<id>).")] = None,
    value: Annotated[str | None, typer.Option("--value", help="Name the subject by an identifier instead (e.g. an RRN).")] = None,
    entity_type: Annotated[str | None, typer.Option("--type", help="Entity type of --value.")] = None,
) -> None:
    """Erase a data subject everywhere (PIPA Art. 36): destroy their key, so no reveal of their
    values is possible any more, in any copy of any dataset. Recorded in the destruction log."""
    keyring = _keyring()
    if subject is None:
        if value is None or entity_type is None:
            err_console.print("[red]error:[/] give SUBJECT, or --value with --type")
            raise typer.Exit(EXIT_USAGE)
        from jikimi.keys import normalize_identifier

        subject = keyring.subject_id_for(normalize_identifier(value, entity_type), entity_type)
    subject = subject.removeprefix("subject/")
    from jikimi.audit import access_event

    # logged before the key is destroyed: the entry then carries a commitment under the
    # subject's own key, which the destruction makes unlinkable (the proof stays valid)
    with _access_log(keyring) as log:
        log.append(access_event("forget", purpose="erasure request (PIPA Art. 36)", subject=subject, detail="destroying key"))
    existed = keyring.forget_subject(subject)
    from rich.console import Console

    Console().print(f"subject {subject}: " + ("key destroyed" if existed else "no key existed; recorded so it is never created"))


keys_app = typer.Typer(help="The home keyring: list and rotate keys (never shows material).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("list")
def keys_list(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Key ids, versions and purposes in the keyring."""
    keyring = _keyring()
    refs = keyring.list_keys()
    if json_out or _State.json:
        sys.stdout.write(orjson.dumps([{"key_id": r.key_id, "version": r.version, "purpose": r.purpose.value} for r in refs]).decode() + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"keyring {getattr(keyring, 'path', '')}")
    for col in ("key id", "version", "purpose"):
        table.add_column(col)
    for r in refs:
        table.add_row(r.key_id, str(r.version), r.purpose.value)
    Console().print(table)
    Console().print(f"{keyring.subject_count()} data subject key(s)")


@keys_app.command("rotate")
def keys_rotate(
    purpose: Annotated[str, typer.Argument(help="token, fpe, encrypt, surrogate, …")],
    name: Annotated[str, typer.Option("--name")] = "default",
) -> None:
    """Add a new key version; new output uses it, old versions still reveal."""
    from jikimi.audit import access_event
    from jikimi.keys import Purpose

    try:
        p = Purpose(purpose)
    except ValueError:
        err_console.print(f"[red]error:[/] unknown purpose {purpose!r} ({', '.join(x.value for x in Purpose)})")
        raise typer.Exit(EXIT_USAGE) from None
    keyring = _keyring()
    try:
        ref = keyring.rotate(p, name)
    except ValueError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    with _access_log(keyring) as log:
        log.append(access_event("rotate", purpose="key rotation", key_id=ref.key_id, key_version=ref.version))
    from rich.console import Console

    Console().print(f"rotated {ref.key_id}: now v{ref.version}")


from jikimi.assess.cli import app as _assess_app
from jikimi.audit.cli import app as _audit_app
from jikimi.risk.cli import risk as _risk_command
from jikimi.service.cli import app as _serve_app

app.add_typer(_audit_app, name="audit", help="Tamper-evident audit log: append, checkpoint, prove, verify.")
app.add_typer(_assess_app)  # jikimi assess SYSTEM.yaml
app.add_typer(_serve_app)  # jikimi serve
app.command("risk")(_risk_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

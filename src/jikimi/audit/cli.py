"""``jikimi audit …``: append, checkpoint, prove, consistency, serve-tiles, verify, cosign.

``verify`` needs no database: it reads a tiles directory or URL and trusts only the vkey it is
given, which is what lets a regulator or a customer check the log themselves. Exit codes: 0 ok,
1 verification failed, 2 usage/input error.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

if TYPE_CHECKING:
    from jikimi.audit.log import AuditLog
    from jikimi.audit.note import Verifier
    from jikimi.audit.verify import Report

# The log's modules (cryptography, database drivers) are imported by the commands that use
# them: registering these commands in ``jikimi`` must not cost every other command their import.

app = typer.Typer(help="The tamper-evident audit log (RFC 9162 tree, C2SP checkpoints and tiles).", no_args_is_help=True)

EXIT_FAIL = 1
EXIT_USAGE = 2

DbOpt = Annotated[str | None, typer.Option("--db", help="SQLite path or postgresql:// DSN (default $JIKIMI_HOME/audit/log.db).")]
KeyOpt = Annotated[Path | None, typer.Option("--key", help="Log signer key file (default $JIKIMI_HOME/audit/log.key).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _out(obj: Any) -> None:
    sys.stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(f"error: {msg}\n")


def _open(db: str | None, key: Path | None) -> AuditLog:
    from jikimi.audit.log import AuditError, AuditLog
    from jikimi.audit.note import NoteError
    from jikimi.audit.store import StoreError

    try:
        return AuditLog.open(db, key_path=key)
    except (StoreError, AuditError, NoteError, OSError) as exc:
        _err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


@app.command()
def append(db: DbOpt = None, key: KeyOpt = None, json_out: JsonOpt = False) -> None:
    """Append events read from stdin (a JSON object, an array, or JSON lines); returns once they
    are durable. Subject ids are never stored: without a keyring they are dropped
    (``subject_state: unkeyed``)."""
    from jikimi.audit.log import AuditError

    raw = sys.stdin.buffer.read()
    try:
        try:
            parsed = orjson.loads(raw)
            events = parsed if isinstance(parsed, list) else [parsed]
        except orjson.JSONDecodeError:
            events = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
        if not all(isinstance(e, dict) for e in events):
            raise AuditError("each event must be a JSON object")
    except (orjson.JSONDecodeError, AuditError) as exc:
        _err(f"invalid input: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    with _open(db, key) as log:
        try:
            r = log.append_many(events)
        except AuditError as exc:
            _err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        size = log.size
    if json_out:
        _out({"first": r.start, "count": len(r), "size": size})
    else:
        print(f"appended {len(r)} entr{'y' if len(r) == 1 else 'ies'} at {r.start}..{r.stop - 1}; size {size}")


@app.command()
def checkpoint(
    db: DbOpt = None,
    key: KeyOpt = None,
    publish: Annotated[bool, typer.Option("--publish", help="Sign a fresh checkpoint.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Print the latest signed checkpoint (C2SP signed note)."""
    from jikimi.audit.checkpoint import parse_body
    from jikimi.audit.note import parse_note

    with _open(db, key) as log:
        note = log.checkpoint(publish=publish)
        vkey = log.signer.vkey
    cp = parse_body(parse_note(note).text)
    if json_out:
        _out({"origin": cp.origin, "size": cp.size, "root": _b64(cp.root), "note": note, "vkey": vkey})
    else:
        sys.stdout.write(note)


@app.command()
def prove(
    index: Annotated[int, typer.Option("--index", help="Entry index.")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size (default: current).")] = None,
    db: DbOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Inclusion proof of entry INDEX in the tree of SIZE entries."""
    from jikimi.audit import merkle

    with _open(db, key) as log:
        n = log.size if size is None else size
        if n > log.size:
            _err(f"size {n} is larger than the log ({log.size})")
            raise typer.Exit(EXIT_USAGE)
        try:
            proof = log.inclusion_proof(index, n)
        except merkle.ProofError as exc:
            _err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        entry = log.entry(index)
        root = log.root(n)
    res: dict[str, Any] = {
        "index": index, "size": n, "root": _b64(root), "leaf_hash": _b64(merkle.leaf_hash(entry)),
        "entry": entry.decode(), "proof": [_b64(h) for h in proof],
    }  # fmt: skip
    if json_out:
        _out(res)
    else:
        print(f"entry {index} in tree of {n}, root {res['root']}")
        for h in res["proof"]:
            print(h)


@app.command()
def consistency(
    old: Annotated[int, typer.Argument(help="Older tree size.")],
    new: Annotated[int, typer.Argument(help="Newer tree size.")],
    db: DbOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Consistency proof between tree sizes OLD and NEW."""
    from jikimi.audit import merkle

    with _open(db, key) as log:
        if new > log.size:
            _err(f"size {new} is larger than the log ({log.size})")
            raise typer.Exit(EXIT_USAGE)
        try:
            proof = log.consistency_proof(old, new)
        except merkle.ProofError as exc:
            _err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        res: dict[str, Any] = {"old": old, "new": new, "old_root": _b64(log.root(old)), "new_root": _b64(log.root(new)),
               "proof": [_b64(h) for h in proof]}  # fmt: skip
    if json_out:
        _out(res)
    else:
        print(f"{old} -> {new}")
        for h in res["proof"]:
            print(h)


@app.command("serve-tiles")
def serve_tiles(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Output directory for the tiles tree.")],
    db: DbOpt = None,
    key: KeyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the C2SP tlog-tiles tree (checkpoint, tiles, entry bundles) for static serving."""
    with _open(db, key) as log:
        n = log.write_tiles(directory)
        size = log.size
    if json_out:
        _out({"dir": str(directory), "files_written": n, "size": size})
    else:
        print(f"wrote {n} file(s) to {directory} (size {size})")


def _verifiers(vkeys: list[str] | None) -> list[Verifier]:
    from jikimi.audit.log import default_dir
    from jikimi.audit.note import NoteError, parse_vkey

    items = list(vkeys or [])
    if not items:
        default = default_dir() / "log.vkey"
        if not default.exists():
            _err("give --vkey (name+hash+key, or a file holding it)")
            raise typer.Exit(EXIT_USAGE)
        items = [str(default)]
    out = []
    for v in items:
        try:
            out.append(parse_vkey(v if "+" in v else Path(v).read_text()))
        except (NoteError, OSError) as exc:
            _err(f"vkey {v}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    return out


def _print_report(rep: Report, json_out: bool) -> None:
    if json_out:
        _out(rep.as_dict())
    else:
        for c in rep.checked:
            print(f"ok: {c}")
        for p in rep.problems:
            print(f"FAIL: {p}")
        print("verified" if rep.ok else "VERIFICATION FAILED")
    if not rep.ok:
        raise typer.Exit(EXIT_FAIL)


@app.command()
def verify(
    tiles: Annotated[str | None, typer.Option("--tiles", help="Tiles directory or http(s) URL prefix.")] = None,
    db: DbOpt = None,
    vkey: Annotated[list[str] | None, typer.Option("--vkey", help="Trusted log vkey (or file); repeatable.")] = None,
    saved: Annotated[list[Path] | None, typer.Option("--checkpoint", help="A saved older checkpoint; repeatable.")] = None,
    entry: Annotated[list[int] | None, typer.Option("--entry", help="Check inclusion of entry N; repeatable.")] = None,
    full: Annotated[bool, typer.Option("--full/--quick", help="Check every entry and tile (default for --db).")] = False,
    origin: Annotated[str | None, typer.Option("--origin", help="Expected checkpoint origin.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Verify the checkpoint signature, consistency with saved checkpoints and inclusion of
    entries — from a tiles directory/URL (no database needed) or a database (--db)."""
    from jikimi.audit.log import default_dir
    from jikimi.audit.store import StoreError, open_store
    from jikimi.audit.tiles import TileSource
    from jikimi.audit.verify import Report, verify_source, verify_store

    verifiers = _verifiers(vkey)
    try:
        saved_notes = [p.read_text() for p in saved or []]
    except OSError as exc:
        _err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if tiles is not None:
        rep = verify_source(TileSource(tiles), verifiers, saved=saved_notes, entries=entry or [], full=full, origin=origin)
    else:
        try:
            store = open_store(db or default_dir() / "log.db")
        except StoreError as exc:
            rep = Report()
            rep.fail(str(exc))
            _print_report(rep, json_out)
            return
        try:
            rep = verify_store(store, verifiers, saved=saved_notes, entries=entry or [], origin=origin)
        finally:
            store.close()
    _print_report(rep, json_out)


@app.command()
def cosign(
    checkpoint_file: Annotated[Path, typer.Argument(metavar="CHECKPOINT", help="Signed checkpoint to cosign.")],
    witness_key: Annotated[Path, typer.Option("--witness-key", help="Witness signer key (cosignature/v1, 0x04).")],
    state: Annotated[Path, typer.Option("--state", help="File holding the last cosigned checkpoint.")],
    tiles: Annotated[str, typer.Option("--tiles", help="Tiles directory/URL to compute the consistency proof from.")],
    vkey: Annotated[list[str], typer.Option("--vkey", help="The log's vkey.")],
    json_out: JsonOpt = False,
) -> None:
    """Witness: cosign CHECKPOINT if it is consistent with the last checkpoint this witness saw."""
    from jikimi.audit import merkle
    from jikimi.audit.checkpoint import CheckpointError, Witness, open_checkpoint
    from jikimi.audit.note import NoteError, Signer
    from jikimi.audit.tiles import TileError, TileHashReader, TileSource

    try:
        signer = Signer.from_skey(witness_key.read_text())
        text = checkpoint_file.read_text()
        verifiers = _verifiers(vkey)
        w = Witness(signer, verifiers[0], state)
        cp = open_checkpoint(text, verifiers)
        prev = w.last()
        proof: list[bytes] = []
        if prev is not None and prev.size <= cp.size:
            src = TileSource(tiles)
            proof = merkle.consistency_proof(TileHashReader(src.fetch_tile, cp.size), prev.size, cp.size)
        out = w.cosign(text, proof)
    except (CheckpointError, NoteError, TileError, merkle.ProofError, OSError) as exc:
        _err(str(exc))
        raise typer.Exit(EXIT_FAIL) from None
    if json_out:
        _out({"note": out, "size": cp.size})
    else:
        sys.stdout.write(out)

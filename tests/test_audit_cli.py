"""``jikimi audit`` subcommands through typer's CliRunner (the lead mounts ``app``)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from jikimi.audit.cli import app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIKIMI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JIKIMI_AUDIT_DB", raising=False)
    return tmp_path / "home"


def _json(args: list[str], stdin: str | None = None, code: int = 0) -> object:
    r = runner.invoke(app, [*args, "--json"], input=stdin)
    assert r.exit_code == code, r.output
    return orjson.loads(r.stdout)


def test_cli_round_trip(home: Path, tmp_path: Path) -> None:
    ev = [{"action": "reveal", "purpose": "support", "key_id": "tok", "key_version": 1}] * 300
    assert _json(["append"], orjson.dumps(ev).decode()) == {"first": 0, "count": 300, "size": 300}
    lines = "\n".join(orjson.dumps({"action": "rotate", "purpose": "key rotation"}).decode() for _ in range(3))
    assert _json(["append"], lines)["size"] == 303  # type: ignore[index]
    key = home / "audit" / "log.key"
    assert key.stat().st_mode & 0o777 == 0o600
    vkey = (home / "audit" / "log.vkey").read_text().strip()
    cp = _json(["checkpoint"])
    assert cp["size"] == 303 and cp["vkey"] == vkey  # type: ignore[index]
    saved = tmp_path / "old.cp"
    saved.write_text(cp["note"])  # type: ignore[index]
    pr = _json(["prove", "--index", "7", "--size", "300"])
    assert pr["size"] == 300 and len(pr["proof"]) == 9  # type: ignore[index, arg-type]
    co = _json(["consistency", "10", "303"])
    assert co["old"] == 10 and co["proof"]  # type: ignore[index]
    runner.invoke(app, ["append"], input='{"action": "reveal", "purpose": "x"}')
    tiles = tmp_path / "tiles"
    assert _json(["serve-tiles", str(tiles)])["size"] == 304  # type: ignore[index]
    rep = _json(["verify", "--tiles", str(tiles), "--vkey", vkey, "--checkpoint", str(saved),
                 "--entry", "0", "--entry", "303", "--full"])  # fmt: skip
    assert rep["ok"] is True  # type: ignore[index]
    rep = _json(["verify", "--vkey", str(home / "audit" / "log.vkey")])
    assert rep["ok"] is True  # type: ignore[index]
    # tampered tiles are caught by verify, exit code 1
    bundle = tiles / "tile" / "entries" / "000"
    bundle.write_bytes(bundle.read_bytes().replace(b"support", b"SUPPORT", 1))
    rep = _json(["verify", "--tiles", str(tiles), "--vkey", vkey, "--full"], code=1)
    assert any("entry 0 changed" in p for p in rep["problems"])  # type: ignore[index, union-attr]
    r = runner.invoke(app, ["verify", "--tiles", str(tiles), "--vkey", vkey, "--full"])
    assert r.exit_code == 1 and "VERIFICATION FAILED" in r.stdout


def test_cli_usage_errors(home: Path) -> None:
    r = runner.invoke(app, ["append"], input="not json")
    assert r.exit_code == 2
    r = runner.invoke(app, ["append"], input='{"action": "x", "rrn": "900101-1234567"}')
    assert r.exit_code == 2 and "unknown audit fields" in r.stderr
    r = runner.invoke(app, ["prove", "--index", "5"])
    assert r.exit_code == 2


def test_cli_cosign(home: Path, tmp_path: Path) -> None:
    from jikimi.audit.note import ALG_COSIGNATURE_V1, Signer, verify_note

    runner.invoke(app, ["append"], input='{"action": "reveal", "purpose": "x"}')
    tiles = tmp_path / "tiles"
    runner.invoke(app, ["serve-tiles", str(tiles)])
    w = Signer.generate("witness.example/w", ALG_COSIGNATURE_V1)
    (tmp_path / "w.key").write_text(w.skey)
    vkey = (home / "audit" / "log.vkey").read_text().strip()
    args = ["cosign", str(tiles / "checkpoint"), "--witness-key", str(tmp_path / "w.key"),
            "--state", str(tmp_path / "w.state"), "--tiles", str(tiles), "--vkey", vkey]  # fmt: skip
    out = _json(args)
    runner.invoke(app, ["append"], input='{"action": "reveal", "purpose": "y"}')
    runner.invoke(app, ["serve-tiles", str(tiles)])
    out = _json(args)
    verify_note(out["note"], w.verifier)  # type: ignore[index]

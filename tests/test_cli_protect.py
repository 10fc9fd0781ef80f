"""The protect / reveal / forget / keys / policy commands, end to end through the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jikimi.cli import app
from jikimi.keys import insecure_fast_scrypt_for_tests

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CIPHER = re.compile(r"jk1\.siv\.[A-Z_]+\.[^ .\"]+\.\d+\.[A-Za-z0-9_-]+")


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("JIKIMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JIKIMI_PASSPHRASE", "cli test passphrase")
    monkeypatch.delenv("JIKIMI_KEYS", raising=False)
    monkeypatch.delenv("JIKIMI_AUDIT_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    with insecure_fast_scrypt_for_tests():
        yield tmp_path


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_protect_examples_then_reveal_and_forget(env: Path) -> None:
    code, out, err = run("protect", str(EXAMPLES / "support_tickets.jsonl"), "-o", "out")
    assert code == 0, err
    assert "protected" in out and "manifest" in out
    protected = (env / "out" / "support_tickets.jsonl").read_text(encoding="utf-8")
    assert "610622-1363549" not in protected and "010-4821-7390" not in protected
    manifest = json.loads((env / "out" / "manifest.json").read_text())
    assert manifest["records"]["balanced"] and manifest["records"]["in"] == 6
    assert manifest["policy"]["source"] == "built-in defaults"
    assert all("material" not in json.dumps(k) for k in manifest["keys"])

    rrn = next(c for c in CIPHER.findall(protected) if ".KR_RRN." in c)
    code, out, _ = run("reveal", rrn, "--purpose", "identity check, ticket 7")
    assert code == 0 and out.strip() == "610622-1363549"

    code, out, err = run("reveal", "PHONE_NUMBER_AAAAAAAAAAAAAAAAAAAAAA", "--purpose", "x")
    assert code == 1 and "one-way" in err

    code, out, err = run("forget", "--value", "610622-1363549", "--type", "KR_RRN")
    assert code == 0 and "key destroyed" in out
    code, out, err = run("reveal", rrn, "--purpose", "identity check")
    assert code == 1 and "unrecoverable" in err

    # the audit log has every action and verifies
    code, out, _ = run("audit", "checkpoint", "--json")
    assert code == 0
    code, out, err = run("audit", "verify", "--db", str(env / "home" / "audit" / "log.db"), "--full", "--json")
    assert code == 0, out + err


def test_reveal_file(env: Path) -> None:
    assert run("protect", str(EXAMPLES / "support_tickets.jsonl"), "-o", "out")[0] == 0
    code, _, err = run("reveal", "out/support_tickets.jsonl", "--purpose", "audit sample", "-o", "back.jsonl")
    assert code == 0, err
    back = (env / "back.jsonl").read_text(encoding="utf-8")
    assert "610622-1363549" in back and "9410 8209 8015 9178" in back
    assert "one-way token" in err


def test_rotation_keeps_old_versions_revealable(env: Path) -> None:
    src = env / "in.txt"
    src.write_text("카드 9410-8209-8015-9178 결제\n", encoding="utf-8")  # no subject: shared key
    assert run("protect", str(src), "-o", "o1")[0] == 0
    c1 = CIPHER.findall((env / "o1" / "in.txt").read_text(encoding="utf-8"))[0]
    assert ".encrypt/default.1." in c1
    code, out, _ = run("keys", "rotate", "encrypt")
    assert code == 0 and "v2" in out
    assert run("protect", str(src), "-o", "o2")[0] == 0
    c2 = CIPHER.findall((env / "o2" / "in.txt").read_text(encoding="utf-8"))[0]
    assert ".encrypt/default.2." in c2
    for c in (c1, c2):
        code, out, _ = run("reveal", c, "--purpose", "rotation check")
        assert code == 0 and out.strip() == "9410-8209-8015-9178"
    code, out, _ = run("keys", "list", "--json")
    refs = json.loads(out)
    assert {"key_id": "encrypt/default", "version": 2, "purpose": "encrypt"} in refs


def test_bad_policy_is_a_usage_error(env: Path) -> None:
    (env / "jikimi.toml").write_text('[entities.KR_RRN]\noperator = "keep"\n', encoding="utf-8")
    code, _, err = run("protect", str(EXAMPLES / "support_tickets.jsonl"), "-o", "out")
    assert code == 2 and "jikimi.toml:1" in err
    code, _, err = run("policy", "show")
    assert code == 2


def test_quarantine_exit_code(env: Path) -> None:
    src = env / "bad.jsonl"
    src.write_bytes(b'{"id": 1, "text": "ok"}\n{"id": 2, \n')
    code, out, err = run("protect", str(src), "-o", "out")
    assert code == 1
    assert "quarantined" in err and "1 quarantined" in out


def test_missing_passphrase_is_explained(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIKIMI_PASSPHRASE")
    code, _, err = run("keys", "list")
    assert code == 2 and "JIKIMI_PASSPHRASE" in err

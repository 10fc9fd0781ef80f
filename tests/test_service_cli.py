"""``jikimi serve`` as a typer command: ``--init`` prints the first admin token exactly once and
that token works; an invalid policy directory refuses to start with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jikimi.keys import insecure_fast_scrypt_for_tests
from jikimi.service.cli import app


def test_serve_init_prints_working_token_once(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("JIKIMI_HOME", str(home))
    monkeypatch.setenv("JIKIMI_PASSPHRASE", "cli test passphrase")
    monkeypatch.delenv("JIKIMI_AUDIT_DB", raising=False)
    runner = CliRunner()
    with insecure_fast_scrypt_for_tests():
        r = runner.invoke(app, ["--init"])
        assert r.exit_code == 0, r.output
        token = r.stdout.strip().splitlines()[-1]
        assert token.startswith("jk_")
        again = runner.invoke(app, ["--init"])
        assert again.exit_code == 2 and "exists already" in again.output
        from fastapi.testclient import TestClient

        from jikimi.service.app import create_app
        from jikimi.service.settings import Settings

        with TestClient(create_app(Settings(home=home))) as client:
            r = client.get("/v1/principals", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200 and r.json()[0]["name"] == "admin"


def test_serve_refuses_invalid_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    pol = tmp_path / "pol"
    pol.mkdir()
    (pol / "x.cedar").write_text('permit (principal, action, resource)\nwhen { resource.nope };\n')
    monkeypatch.setenv("JIKIMI_HOME", str(home))
    monkeypatch.setenv("JIKIMI_PASSPHRASE", "cli test passphrase")
    with insecure_fast_scrypt_for_tests():
        r = CliRunner().invoke(app, ["--policy-dir", str(pol), "--port", "1"])
    assert r.exit_code == 2 and f"{pol / 'x.cedar'}:1" in r.output

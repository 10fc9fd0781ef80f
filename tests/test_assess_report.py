"""Reports, CLI and evidence checks of ``jikimi assess``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jikimi.assess import assess, load_description
from jikimi.assess.cli import app
from jikimi.assess.evidence import CheckpointError, check_manifest, parse_checkpoint
from jikimi.assess.report import render_html, render_markdown

EXAMPLES = Path(__file__).parent.parent / "examples" / "assess"
HR = EXAMPLES / "hr-screener.yaml"
TODAY = dt.date(2026, 9, 1)
runner = CliRunner()


def test_cli_json_has_required_keys() -> None:
    res = runner.invoke(app, [str(HR), "--json", "--today", "2026-09-01"])
    assert res.exit_code == 1, res.output  # missing evidence for mandatory duties
    d = json.loads(res.stdout)
    for key in ("high_impact", "high_impact_areas", "generative", "compute_flops", "compute_method",
                "safety_duty", "domestic_agent_required", "duties", "transfer_findings", "fines_exposure"):
        assert key in d
    assert d["high_impact"] is True and d["high_impact_areas"] == ["rights_decisions"]
    assert d["domestic_agent_required"] is True
    assert d["domestic_agent"]["triggers"][0]["threshold"] == 1_000_000_000_000
    assert d["compute"]["method"] == "mixed"
    for duty in d["duties"]:
        assert {"id", "law", "article", "applies", "why", "evidence", "due", "grace_period"} <= set(duty)
    man = d["evidence"]["manifests"][0]
    assert man["ok"] and man["files"][0]["status"] == "verified" and man["tier1_in_clear"] == []
    cp = d["evidence"]["checkpoints"][0]
    assert cp["origin"] == "jikimi.example/hr-screener/access-log" and cp["size"] == 1187


def test_cli_is_deterministic() -> None:
    a = runner.invoke(app, [str(HR), "--json", "--today", "2026-09-01"]).stdout
    b = runner.invoke(app, [str(HR), "--json", "--today", "2026-09-01"]).stdout
    assert a == b


def test_cli_invalid_input_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("operator: {name: x, role: boss, korean_address_or_office: true}\nsystem: {purpose: p, use_areas: [other]}\n")
    res = runner.invoke(app, [str(p), "--json"])
    assert res.exit_code == 2
    assert "operator.role: expected one of: developer, user_operator" in res.stderr
    res = runner.invoke(app, [str(HR), "--today", "tomorrow"])
    assert res.exit_code == 2 and "--today" in res.stderr


def test_cli_writes_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, [str(HR), "-o", str(out), "--today", "2026-09-01"])
    assert res.exit_code == 1
    assert res.stdout.startswith("# AI Basic Act and PIPA assessment")
    for ext in ("md", "html", "json"):
        assert (out / f"hr-screener.assessment.{ext}").is_file()


def test_cli_exit_0_when_nothing_to_fix(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("operator: {name: x, role: developer, korean_address_or_office: true}\n"
                 "system: {purpose: internal search ranking, use_areas: [other], internal_use_only: true}\n")
    res = runner.invoke(app, [str(p), "--json", "--today", "2026-09-01"])
    assert res.exit_code == 0, res.stdout


def _assessment():  # type: ignore[no-untyped-def]
    return assess(load_description(HR), today=TODAY)


def test_markdown_report() -> None:
    md = render_markdown(_assessment())
    assert "## Where the law is unsettled" in md
    assert "AI Basic Act Art. 34(1); Enforcement Decree Art. 27" in md
    assert "PIPA" in md and "Art. 28-8" in md
    assert "checkpoint origin jikimi.example/hr-screener/access-log, tree size 1187, root hash" in md
    assert "KRW 20,000,000" in md  # no domestic agent
    assert "https://github.com/azeroo0/gg1th_rag_mini" in md


def test_html_report_is_self_contained() -> None:
    html = render_html(_assessment())
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "10^26" in html
    assert 'id="lang-ko"' in html and 'class="ko" lang="ko"' in html and 'class="en"' in html
    assert "고영향" in html and "High-impact" in html
    # no external assets: no scripts, stylesheets or images fetched from elsewhere
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "src=" not in html and "@import" not in html
    assert 'href="evidence/hr-screener/manifest.json"' in html


def test_html_chart_marks_frontier_model_over_threshold() -> None:
    a = assess(load_description(EXAMPLES / "frontier-model.yaml"), today=TODAY)
    html = render_html(a)
    assert "#c0392b" in html  # bar over the threshold
    assert a.to_dict()["safety_duty"] is True


# -- evidence -------------------------------------------------------------------------------


def test_tampered_output_fails_digest(tmp_path: Path) -> None:
    src = EXAMPLES / "evidence" / "hr-screener"
    shutil.copytree(src, tmp_path / "ev")
    assert check_manifest(tmp_path / "ev" / "manifest.json").ok
    (tmp_path / "ev" / "members.csv").write_text("tampered\n")
    mc = check_manifest(tmp_path / "ev" / "manifest.json")
    assert not mc.ok and "SHA-256 differs" in mc.problems[0]


def test_manifest_with_tier1_in_clear_and_low_k(tmp_path: Path) -> None:
    m = json.loads((EXAMPLES / "evidence" / "hr-screener" / "manifest.json").read_text())
    m["policy"]["entities"]["KR_RRN"] = {"operator": "keep", "source": "file:3"}
    m["counts"].append({"field": "memo", "entity_type": "KR_PASSPORT", "operator": "mask", "count": 2})
    m["risk"] = {"k_achieved": 3, "k_target": 5}
    m["records"]["out"] = 3
    p = tmp_path / "manifest.json"
    p.write_text(json.dumps(m))
    mc = check_manifest(p)
    assert any("KR_RRN -> keep" in x for x in mc.tier1_in_clear)
    assert any("KR_PASSPORT" in x for x in mc.tier1_in_clear)
    assert any("below the target" in x for x in mc.problems)
    assert any("do not balance" in x for x in mc.problems)
    assert mc.files[0].status == "not_found"


def test_manifest_wrong_kind_and_missing(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text('{"kind": "other"}')
    assert "expected 'jikimi.protect.manifest/v1'" in check_manifest(p).problems[0]
    assert not check_manifest(tmp_path / "none.json").ok


def test_failed_manifest_marks_duty_and_exit(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "evidence", tmp_path / "evidence")
    shutil.copy(HR, tmp_path / "hr.yaml")
    (tmp_path / "evidence" / "hr-screener" / "members.csv").write_text("changed")
    a = assess(load_description(tmp_path / "hr.yaml"), today=TODAY)
    duty = next(d for d in a.duties if d["id"] == "PIPA-28-5-NO-REIDENTIFICATION")
    assert duty["status"] == "failed"
    assert not a.transfer_findings[0]["ok"]


def test_checkpoint_parsing() -> None:
    root = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    cp = parse_checkpoint(f"example.com/log\n42\n{root}\n\n\u2014 example.com/log AAAAAA==\n")
    assert (cp.origin, cp.size, cp.root_hash, cp.signers) == ("example.com/log", 42, root, ("example.com/log",))
    with pytest.raises(CheckpointError, match="tree size"):
        parse_checkpoint(f"o\n042\n{root}\n")
    with pytest.raises(CheckpointError, match="32"):
        parse_checkpoint("o\n1\nAAAA\n")
    with pytest.raises(CheckpointError, match="three lines"):
        parse_checkpoint("o\n1")
    with pytest.raises(CheckpointError, match="base64"):
        parse_checkpoint("o\n1\n@@@\n")

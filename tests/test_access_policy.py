"""The Cedar access policy: the default rules, obligations, validation errors with file and
line, and hot reload that never replaces a working policy with a broken one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from jikimi.policy.access import (
    AccessPolicy,
    AccessPolicyError,
    AccessRequest,
    PrincipalInfo,
    RequestContext,
    field_resource,
    key_resource,
    log_resource,
    split_statements,
    subject_resource,
    write_default_policy,
)

OFFICER = PrincipalInfo("o", ("reid_officer",), "risk", "KR", 3)
ENGINEER = PrincipalInfo("e", ("data_engineer",), "ml", "KR")
PRIVACY = PrincipalInfo("p", ("privacy_officer",), "", "KR")
GOOD = RequestContext(purpose="fraud-investigation", ticket="T-1", region="KR",
                      justification="why")


@pytest.fixture(scope="module")
def policy() -> AccessPolicy:
    return AccessPolicy()


def decide(policy: AccessPolicy, who: PrincipalInfo, action: str, res, ctx=GOOD):  # type: ignore[no-untyped-def]
    return policy.decide(AccessRequest(who, action, res, ctx))


def test_default_deny_and_roles(policy: AccessPolicy) -> None:
    nobody = PrincipalInfo("n", (), "", "KR")
    for action in ("tokenize", "reveal", "forget", "rotate", "read-log", "unwrap", "admin"):
        res = {"forget": subject_resource("s"), "rotate": key_resource("token"),
               "unwrap": key_resource("token"), "read-log": log_resource()}.get(
            action, field_resource("PHONE_NUMBER"))
        d = decide(policy, nobody, action, res)
        assert not d.allowed and "deny by default" in d.reasons[0]
    assert decide(policy, ENGINEER, "tokenize", field_resource("KR_RRN")).allowed
    assert decide(policy, ENGINEER, "encrypt", field_resource("KR_RRN")).allowed
    assert not decide(policy, ENGINEER, "reveal", field_resource("PHONE_NUMBER")).allowed
    assert not decide(policy, ENGINEER, "unwrap", key_resource("token")).allowed  # no job
    d = decide(policy, ENGINEER, "unwrap", key_resource("token"),
               RequestContext(job="j-1", region="KR"))
    assert d.allowed and d.obligations == {"require_job": True}
    assert not decide(policy, OFFICER, "forget", subject_resource("s")).allowed
    assert decide(policy, PRIVACY, "forget", subject_resource("s")).allowed
    assert not decide(policy, PRIVACY, "forget", subject_resource("s"), RequestContext()).allowed


def test_tier1_reveal_conditions(policy: AccessPolicy) -> None:
    rrn = field_resource("KR_RRN")
    d = decide(policy, OFFICER, "reveal", rrn)
    assert d.allowed and d.obligations["require_justification"] is True
    assert d.policies == ("reid-officer-tier1",)
    for ctx in (RequestContext(purpose="curiosity", ticket="T", region="KR"),
                RequestContext(purpose="fraud-investigation", ticket="", region="KR")):
        assert not decide(policy, OFFICER, "reveal", rrn, ctx).allowed
    d = decide(policy, OFFICER, "reveal", rrn,
               RequestContext(purpose="fraud-investigation", ticket="T", region="US"))
    assert not d.allowed and d.policies == ("tier1-stays-home",)
    # unknown entity types are treated as tier 1 (fail safe)
    assert field_resource("SOMETHING_NEW").attrs["tier"] == 1


def test_obligations_merge_strictest(policy: AccessPolicy) -> None:
    both = PrincipalInfo("b", ("reid_officer", "analyst"), "", "KR")
    d = decide(policy, both, "reveal", field_resource("PHONE_NUMBER"),
               RequestContext(purpose="customer-support", region="KR", justification="x"))
    assert d.allowed
    assert d.obligations["reveal_fields"] == ["EMAIL_ADDRESS", "KR_ADDRESS"]
    assert d.obligations["mask_rest"] is True


def test_statement_splitting_keeps_lines() -> None:
    text = '// c;\n@id("a;b")\npermit (principal, action, resource);\n\n\nforbid (principal,\n action, resource) when { "x;" == "x;" };\n'
    sts = split_statements(text, "f.cedar")
    assert [s.line for s in sts] == [2, 6]


def test_invalid_policy_refused_with_file_and_line(tmp_path: Path) -> None:
    write_default_policy(tmp_path)
    bad = tmp_path / "zz-extra.cedar"
    bad.write_text('// extra\n\npermit (principal, action == Jikimi::Action::"reveal", resource)\n'
                   "when { resource.tierx == 1 };\n")
    with pytest.raises(AccessPolicyError) as exc:
        AccessPolicy(tmp_path)
    assert exc.value.path == str(bad) and exc.value.line == 3
    assert "tierx" in str(exc.value) and f"{bad}:3:" in str(exc.value)
    bad.write_text("permit (principal, action, resource);\n\npermit (principal action);\n")
    with pytest.raises(AccessPolicyError) as exc:
        AccessPolicy(tmp_path)
    assert exc.value.line == 3 and "parse" in str(exc.value)
    bad.write_text('@obligations("bad name!")\npermit (principal, action, resource);\n')
    with pytest.raises(AccessPolicyError) as exc:
        AccessPolicy(tmp_path)
    assert exc.value.line == 1


def test_hot_reload_and_broken_edit_keeps_old(tmp_path: Path) -> None:
    write_default_policy(tmp_path)
    pol = AccessPolicy(tmp_path, check_interval=0.0)
    ctx = RequestContext(region="KR")
    auditor = PrincipalInfo("a", ("auditor",), "", "KR")
    assert not decide(pol, auditor, "tokenize", field_resource("PHONE_NUMBER"), ctx).allowed
    extra = tmp_path / "auditor-tokenize.cedar"
    extra.write_text('@id("auditors-tokenize")\npermit (principal in Jikimi::Role::"auditor", '
                     'action == Jikimi::Action::"tokenize", resource);\n')
    d = decide(pol, auditor, "tokenize", field_resource("PHONE_NUMBER"), ctx)
    assert d.allowed and d.policies == ("auditors-tokenize",) and pol.reloads == 1
    extra.write_text("permit (principal, action, resource) when { nonsense };\n")
    os.utime(extra, (time.time() + 5, time.time() + 5))
    d = decide(pol, auditor, "tokenize", field_resource("PHONE_NUMBER"), ctx)
    assert d.allowed  # the last valid policy stays in force
    assert pol.last_reload_error is not None and "auditor-tokenize.cedar:1" in pol.last_reload_error
    extra.unlink()
    assert not decide(pol, auditor, "tokenize", field_resource("PHONE_NUMBER"), ctx).allowed
    assert pol.last_reload_error is None


def test_service_refuses_to_start_on_invalid_policy(tmp_path: Path) -> None:
    from jikimi.keys import LocalKeyring, insecure_fast_scrypt_for_tests
    from jikimi.service.app import create_app
    from jikimi.service.settings import Settings

    pdir = tmp_path / "pol"
    write_default_policy(pdir)
    (pdir / "default.cedar").write_text("permit (principal, action, resource) when { 1 + };")
    with insecure_fast_scrypt_for_tests():
        ring = LocalKeyring(tmp_path / "home", passphrase="pw")
        with pytest.raises(AccessPolicyError) as exc:
            create_app(Settings(home=tmp_path / "home", keyring=ring, policy_dir=pdir))
        ring.close()
    assert "default.cedar:1" in str(exc.value)

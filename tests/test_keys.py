"""Key management: the local keyring, envelope wrapping and the PKCS#11 KEK.

Every keyring here is created with a cheap scrypt through the explicit test hook
(``insecure_fast_scrypt_for_tests``); production parameters are exercised in bench/keys_bench.py.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jikimi.keys import (
    AesGcmSivKek,
    KeyHandle,
    KeyNotFound,
    Keyring,
    KeyringError,
    KeyringUnlockError,
    LocalKeyring,
    PassphraseKek,
    Purpose,
    ScryptParams,
    SubjectForgotten,
    SubjectKeyring,
    UnwrapError,
    default_home,
    envelope,
    insecure_fast_scrypt_for_tests,
    key_material,
    normalize_identifier,
    open_keyring,
)
from jikimi.keys.envelope import SubjectKeyWrapper, key_aad, new_data_key
from jikimi.keys.pkcs11 import (
    Pkcs11Kek,
    SoftHsmToken,
    init_softhsm_token,
    softhsm_unavailable_reason,
)

PW = "correct horse battery staple 비밀"


@pytest.fixture(autouse=True)
def _fast_scrypt_and_clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("JIKIMI_PASSPHRASE", "JIKIMI_KEYS", "JIKIMI_HOME", "JIKIMI_PKCS11_PIN"):
        monkeypatch.delenv(var, raising=False)
    with insecure_fast_scrypt_for_tests():
        yield


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "jikimi-home"


@pytest.fixture
def kr(home: Path) -> Iterator[LocalKeyring]:
    with LocalKeyring(home, passphrase=PW) as ring:
        yield ring


def _leak_forms(material: bytes) -> list[str]:
    return [
        material.hex(),
        material.hex().upper(),
        base64.b64encode(material).decode(),
        base64.urlsafe_b64encode(material).decode().rstrip("="),
        base64.b32encode(material).decode().rstrip("="),
        repr(material)[2:-1],
    ]


def _assert_no_material(text: str, material: bytes) -> None:
    for form in _leak_forms(material):
        assert form not in text, f"key material leaked into {text!r}"


def _files_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.iterdir()) if p.is_file())


# --- creation, reopen, unlock ------------------------------------------------------------------


def test_create_and_reopen_keeps_keys(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        assert isinstance(ring, Keyring) and isinstance(ring, SubjectKeyring)
        token = ring.current(Purpose.TOKEN)
        enc = ring.current(Purpose.ENCRYPT, "records")
        assert token.key_id == "token/default" and token.version == 1
        assert enc.key_id == "encrypt/records"
        assert ring.current(Purpose.TOKEN) == token  # created once, then reused
    assert (home / "keyring.db").exists()
    with LocalKeyring(home, passphrase=PW) as ring:
        again = ring.current(Purpose.TOKEN)
        assert key_material(again, Purpose.TOKEN) == key_material(token, Purpose.TOKEN)
        assert key_material(ring.get("encrypt/records", 1), Purpose.ENCRYPT) == key_material(
            enc, Purpose.ENCRYPT
        )
        assert {str(r) for r in ring.list_keys()} >= {"token/default@v1", "encrypt/records@v1"}


def test_no_kek_is_a_clear_error_and_touches_nothing(home: Path) -> None:
    with pytest.raises(KeyringError) as info:
        LocalKeyring(home)
    assert "JIKIMI_PASSPHRASE" in str(info.value)
    assert "pkcs11" in str(info.value)
    assert not home.exists()


def test_env_passphrase_and_env_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIKIMI_HOME", str(tmp_path / "envhome"))
    monkeypatch.setenv("JIKIMI_PASSPHRASE", PW)
    assert default_home() == tmp_path / "envhome"
    with open_keyring() as ring:
        assert ring.path == tmp_path / "envhome" / "keyring.db"
        ring.current(Purpose.TOKEN)
    monkeypatch.delenv("JIKIMI_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_home() == tmp_path / "user" / ".local" / "share" / "jikimi"


def test_wrong_passphrase_is_a_clean_error(home: Path) -> None:
    LocalKeyring(home, passphrase=PW).close()
    with pytest.raises(KeyringUnlockError) as info:
        LocalKeyring(home, passphrase="not the passphrase")
    msg = str(info.value)
    assert "wrong passphrase" in msg and str(home / "keyring.db") in msg
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert "InvalidTag" not in msg


def test_unknown_keys_spec(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("JIKIMI_KEYS", "vault:whatever")
    with pytest.raises(KeyringError, match="JIKIMI_KEYS"):
        open_keyring(home, PW)


def test_scrypt_floor_outside_the_test_hook(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    LocalKeyring(home, passphrase=PW).close()  # created with the cheap test setting
    monkeypatch.setattr(envelope, "_scrypt_floor", 2**15)
    with pytest.raises(ValueError, match="only for tests"):
        LocalKeyring(home, passphrase=PW)
    with pytest.raises(ValueError):
        PassphraseKek(PW, params=ScryptParams(n=2**10))


def test_passphrase_is_nfc_normalised() -> None:
    salt = os.urandom(16)
    composed = PassphraseKek("한글 비밀번호", salt=salt)
    decomposed = PassphraseKek("\u1112\u1161\u11ab\u1100\u1173\u11af 비밀번호", salt=salt)
    blob = composed.wrap(b"k" * 32, b"aad")
    assert decomposed.unwrap(blob, b"aad") == b"k" * 32


# --- permissions --------------------------------------------------------------------------------


def test_file_modes(kr: LocalKeyring, home: Path) -> None:
    kr.current(Purpose.TOKEN)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = [p for p in home.iterdir() if p.name.startswith("keyring.db")]
    assert {p.name for p in files} >= {"keyring.db", "keyring.db-wal", "keyring.db-shm"}
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_refuses_world_readable_db(home: Path) -> None:
    LocalKeyring(home, passphrase=PW).close()
    db = home / "keyring.db"
    db.chmod(0o644)
    with pytest.raises(PermissionError) as info:
        LocalKeyring(home, passphrase=PW)
    assert str(db) in str(info.value) and "chmod 600" in str(info.value)


def test_refuses_group_readable_directory(home: Path) -> None:
    LocalKeyring(home, passphrase=PW).close()
    home.chmod(0o750)
    try:
        with pytest.raises(PermissionError) as info:
            LocalKeyring(home, passphrase=PW)
        assert "chmod 700" in str(info.value) and str(home) in str(info.value)
    finally:
        home.chmod(0o700)


# --- purposes, rotation, AAD binding ----------------------------------------------------------


def test_purpose_binding(kr: LocalKeyring) -> None:
    token = kr.current(Purpose.TOKEN)
    with pytest.raises(PermissionError):
        key_material(token, Purpose.ENCRYPT)
    assert len(key_material(token, Purpose.TOKEN)) == 32
    enc = kr.current(Purpose.ENCRYPT)
    assert key_material(enc, Purpose.ENCRYPT) != key_material(token, Purpose.TOKEN)
    with pytest.raises(ValueError):
        kr.current(Purpose.SUBJECT)  # subject keys only through subject_key()
    with pytest.raises(ValueError):
        kr.current(Purpose.TOKEN, "../escape")


def test_wrapped_key_cannot_be_moved_to_another_slot(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        ring.current(Purpose.TOKEN)
        ring.current(Purpose.ENCRYPT)
    conn = sqlite3.connect(home / "keyring.db")
    (enc_blob,) = conn.execute(
        "SELECT wrapped FROM keys WHERE key_id = 'encrypt/default'"
    ).fetchone()
    conn.execute("UPDATE keys SET wrapped = ? WHERE key_id = 'token/default'", (enc_blob,))
    conn.commit()
    conn.close()
    with LocalKeyring(home, passphrase=PW) as ring:
        ring.current(Purpose.ENCRYPT)
        with pytest.raises(UnwrapError):
            ring.get("token/default", 1)


def test_rotation_keeps_old_versions(kr: LocalKeyring) -> None:
    v1 = kr.current(Purpose.FPE)
    ref = kr.rotate(Purpose.FPE)
    assert str(ref) == "fpe/default@v2"
    v2 = kr.current(Purpose.FPE)
    assert v2.version == 2
    assert key_material(v2, Purpose.FPE) != key_material(v1, Purpose.FPE)
    assert key_material(kr.get("fpe/default", 1), Purpose.FPE) == key_material(v1, Purpose.FPE)
    assert [r.version for r in kr.list_keys() if r.key_id == "fpe/default"] == [1, 2]
    with pytest.raises(KeyNotFound):
        kr.get("fpe/default", 3)
    with pytest.raises(ValueError, match="active"):
        kr.destroy_version("fpe/default", 2)
    kr.destroy_version("fpe/default", 1)
    with pytest.raises(KeyNotFound):
        kr.get("fpe/default", 1)
    assert [r.version for r in kr.list_keys() if r.key_id == "fpe/default"] == [2]
    assert kr.current(Purpose.FPE).version == 2


def test_rotation_of_the_first_version_creates_it(kr: LocalKeyring) -> None:
    assert kr.rotate(Purpose.SURROGATE, "names").version == 1


def test_subject_id_key_rotation_needs_explicit_relink(kr: LocalKeyring) -> None:
    before = kr.subject_id_for("hong@example.com", "EMAIL_ADDRESS")
    with pytest.raises(ValueError, match="allow_relink"):
        kr.rotate(Purpose.SUBJECT_ID)
    with pytest.raises(ValueError, match="pinned"):
        kr.rotate(Purpose.SUBJECT_ID, "forget-log", allow_relink=True)
    kr.rotate(Purpose.SUBJECT_ID, allow_relink=True)
    assert kr.subject_id_for("hong@example.com", "EMAIL_ADDRESS") != before


# --- subject ids -------------------------------------------------------------------------------


def test_normalize_identifier() -> None:
    assert normalize_identifier("900101-1234567", "KR_RRN") == "9001011234567"
    assert normalize_identifier("+82 10-1234-5678", "PHONE_NUMBER") == "01012345678"
    assert normalize_identifier("010 1234 5678", "PHONE_NUMBER") == "01012345678"
    assert normalize_identifier(" Hong.GilDong@Example.COM ", "EMAIL_ADDRESS") == (
        "hong.gildong@example.com"
    )
    assert normalize_identifier("m 1234-5678", "KR_PASSPORT") == "M12345678"
    decomposed = "\u1112\u1169\u11bc\u1100\u1175\u11af\u1103\u1169\u11bc"  # 홍길동, NFD
    assert normalize_identifier(decomposed, "PERSON") == "홍길동"
    assert normalize_identifier("2001:DB8:0:0::1", "IP_ADDRESS") == "2001:db8::1"
    with pytest.raises(ValueError):
        normalize_identifier("---", "KR_RRN")
    samples = [
        ("+82 10-1234-5678", "PHONE_NUMBER"),
        (" A@B.kr ", "EMAIL_ADDRESS"),
        (decomposed + "  님", "PERSON"),
        ("12가 3456", "KR_VEHICLE_PLATE"),
        ("::FFFF:10.0.0.1", "IP_ADDRESS"),
    ]
    for value, etype in samples:  # idempotent: normalising twice changes nothing
        once = normalize_identifier(value, etype)
        assert normalize_identifier(once, etype) == once


def test_subject_id_for_is_stable_keyed_and_opaque(home: Path, tmp_path: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        a = ring.subject_id_for("900101-1234567", "KR_RRN")
        assert a == ring.subject_id_for("9001011234567", "KR_RRN")
        assert a != ring.subject_id_for("9001011234567", "KR_FRN")  # types are separate spaces
        assert len(a) == 26 and a.isalnum() and a == a.lower()
        assert "9001011234567" not in a
    with LocalKeyring(home, passphrase=PW) as ring:
        assert ring.subject_id_for("900101 1234567", "KR_RRN") == a  # across runs
    with LocalKeyring(tmp_path / "other", passphrase=PW) as other:
        # keyed: another keyring, another id
        assert other.subject_id_for("9001011234567", "KR_RRN") != a


# --- subject keys -----------------------------------------------------------------------------


def test_subject_keys_create_lookup_batch(home: Path) -> None:
    ids = [f"s{i:04d}" for i in range(50)]
    with LocalKeyring(home, passphrase=PW) as ring:
        first = ring.subject_key("s0000")
        assert first.key_id == "subject/s0000" and first.purpose is Purpose.SUBJECT
        batch = ring.subject_keys(ids)
        assert set(batch) == set(ids)
        assert batch["s0000"] == first
        assert len({key_material(h, Purpose.SUBJECT) for h in batch.values()}) == 50
        assert ring.subject_keys(["nobody", "s0001"], create=False).keys() == {"s0001"}
        with pytest.raises(KeyNotFound):
            ring.subject_key("nobody", create=False)
        assert ring.subject_count() == 50
        assert ring.list_keys() == [r for r in ring.list_keys() if r.purpose is not Purpose.SUBJECT]
    with LocalKeyring(home, passphrase=PW, cache_size=10) as ring:  # cold cache, tiny LRU
        again = ring.subject_keys(ids, create=False)
        for sid in ids:
            assert key_material(again[sid], Purpose.SUBJECT) == key_material(
                batch[sid], Purpose.SUBJECT
            )
        assert key_material(ring.get("subject/s0007", 1), Purpose.SUBJECT) == key_material(
            batch["s0007"], Purpose.SUBJECT
        )
        assert len(ring._cache) <= 10


def test_two_keyring_instances_agree(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as a, LocalKeyring(home, passphrase=PW) as b:
        ka = a.subject_key("shared")
        kb = b.subject_key("shared")
        assert key_material(ka, Purpose.SUBJECT) == key_material(kb, Purpose.SUBJECT)
        assert a.current(Purpose.TOKEN) == b.current(Purpose.TOKEN)


def test_concurrent_creator_wins_the_race(home: Path) -> None:
    # Simulates another process creating the key between our read and our write transaction.
    with LocalKeyring(home, passphrase=PW) as a, LocalKeyring(home, passphrase=PW) as b:
        theirs = b.subject_key("raced")
        mine = a._create_subjects(["raced", "fresh"], allow_recreate=False)
        assert key_material(mine["raced"], Purpose.SUBJECT) == key_material(theirs, Purpose.SUBJECT)
        assert key_material(a.subject_key("fresh"), Purpose.SUBJECT) == key_material(
            b.subject_key("fresh", create=False), Purpose.SUBJECT
        )


def test_subject_row_cannot_be_moved(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        ring.subject_keys(["alice", "bob"])
    conn = sqlite3.connect(home / "keyring.db")
    (blob,) = conn.execute("SELECT wrapped FROM subjects WHERE subject_id = 'alice'").fetchone()
    conn.execute("UPDATE subjects SET wrapped = ? WHERE subject_id = 'bob'", (blob,))
    conn.commit()
    conn.close()
    with LocalKeyring(home, passphrase=PW) as ring, pytest.raises(UnwrapError):
        ring.subject_key("bob", create=False)


def test_threads_share_one_keyring(kr: LocalKeyring) -> None:
    ids = [f"t{i}" for i in range(300)]

    def work(offset: int) -> dict[str, KeyHandle]:
        kr.current(Purpose.TOKEN)
        return kr.subject_keys(ids[offset:] + ids[:offset])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, [i * 37 for i in range(8)]))  # re-raises worker errors
    for sid in ids:
        assert len({key_material(r[sid], Purpose.SUBJECT) for r in results}) == 1
    assert kr.subject_count() == 300


# --- forgetting -------------------------------------------------------------------------------


def test_forget_makes_lookup_fail_and_blocks_recreation(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        before = ring.subject_key("victim")
        ring.subject_keys(["keep1", "keep2"])
        assert ring.forget_subject("victim") is True
        with pytest.raises(KeyNotFound):
            ring.subject_key("victim", create=False)
        with pytest.raises(SubjectForgotten, match="forgotten") as info:
            ring.subject_key("victim")  # create=True must not resurrect
        assert info.value.subject_ids == ("victim",)
        with pytest.raises(KeyNotFound):
            ring.get("subject/victim", 1)
        with pytest.raises(SubjectForgotten):
            ring.subject_keys(["keep1", "new-one", "victim"])
        # the failed batch created nothing
        assert ring.subject_keys(["new-one"], create=False) == {}
        assert ring.forgotten_subjects(["victim", "keep1"]) == {"victim"}
        assert ring.subject_keys(["keep1"], create=False).keys() == {"keep1"}
    with LocalKeyring(home, passphrase=PW) as ring:  # the block survives a reopen
        with pytest.raises(SubjectForgotten):
            ring.subject_key("victim")
        fresh = ring.subject_key("victim", allow_recreate=True)
        assert key_material(fresh, Purpose.SUBJECT) != key_material(before, Purpose.SUBJECT)


def test_forget_unknown_subject_still_blocks(kr: LocalKeyring) -> None:
    assert kr.forget_subject("never-seen") is False
    with pytest.raises(SubjectForgotten):
        kr.subject_key("never-seen")


def test_destruction_log_holds_no_raw_id(home: Path) -> None:
    phone = "010-9876-5432"
    with LocalKeyring(home, passphrase=PW) as ring:
        sid = ring.subject_id_for(phone, "PHONE_NUMBER")
        material = key_material(ring.subject_key(sid), Purpose.SUBJECT)
        ring.subject_keys(["other-a", "other-b"])
        ring.forget_subject(sid)
        log = ring.destruction_log()
        assert len(log) == 1
        pseudonym, when = log[0]
        assert sid not in pseudonym and "01098765432" not in pseudonym
        assert when.startswith("20")
    raw = _files_bytes(home)
    assert sid.encode() not in raw  # secure_delete zeroed the row, the WAL was truncated
    assert b"01098765432" not in raw and phone.encode() not in raw
    assert material not in raw


def test_no_secret_is_stored_unwrapped(home: Path) -> None:
    with LocalKeyring(home, passphrase=PW) as ring:
        secrets = [
            key_material(ring.current(Purpose.TOKEN), Purpose.TOKEN),
            key_material(ring.current(Purpose.ENCRYPT), Purpose.ENCRYPT),
            key_material(ring.subject_key("someone"), Purpose.SUBJECT),
        ]
        ring.subject_id_for("x@example.com", "EMAIL_ADDRESS")
    raw = _files_bytes(home)
    for secret in secrets:
        assert secret not in raw and secret.hex().encode() not in raw
    assert PW.encode() not in raw


# --- nothing prints key material --------------------------------------------------------------


def test_repr_and_errors_never_show_material(kr: LocalKeyring) -> None:
    token = kr.current(Purpose.TOKEN)
    subject = kr.subject_key("subj-1")
    texts = [repr(token), str(token), repr(token.ref), str(token.ref), repr(subject), str(subject)]
    texts += [repr(kr), str(kr), repr(kr._kek), repr(kr._subjects)]
    try:
        key_material(token, Purpose.ENCRYPT)
    except PermissionError as exc:
        texts.append(str(exc) + repr(exc))
    kr.forget_subject("subj-1")
    for call in (
        lambda: kr.subject_key("subj-1"),
        lambda: kr.get("token/default", 9),
        lambda: kr._subjects.unwrap(b"\x03" + b"\0" * 48, "x"),
    ):
        try:
            call()
        except (KeyNotFound, UnwrapError) as exc:
            texts.append(str(exc) + repr(exc))
    assert len(texts) == 14
    for material in (key_material(token, Purpose.TOKEN), key_material(subject, Purpose.SUBJECT)):
        for text in texts:
            _assert_no_material(text, material)


# --- envelope ---------------------------------------------------------------------------------


def test_envelope_round_trip_and_aad() -> None:
    kek = AesGcmSivKek(new_data_key(), "test")
    dk = new_data_key()
    aad = key_aad("token/default", 1, Purpose.TOKEN)
    blob = kek.wrap(dk, aad)
    assert blob[0] == envelope.FORMAT_GCM_SIV and len(blob) == 1 + 12 + 32 + 16
    assert kek.unwrap(blob, aad) == dk
    for other in (
        key_aad("token/default", 2, Purpose.TOKEN),
        key_aad("token/default", 1, Purpose.ENCRYPT),
        key_aad("token/other", 1, Purpose.TOKEN),
    ):
        with pytest.raises(UnwrapError):
            kek.unwrap(blob, other)
    with pytest.raises(UnwrapError):
        AesGcmSivKek(new_data_key(), "other").unwrap(blob, aad)
    assert envelope.encode_aad("a/b", "c") != envelope.encode_aad("a", "b/c")
    wrapper = SubjectKeyWrapper(new_data_key(64))
    sblob = wrapper.wrap(dk, "alice")
    assert len(sblob) == 49 and wrapper.unwrap(sblob, "alice") == dk
    with pytest.raises(UnwrapError):
        wrapper.unwrap(sblob, "bob")


# --- PKCS#11 (SoftHSM2) -----------------------------------------------------------------------

_HSM_SKIP = softhsm_unavailable_reason()


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    if _HSM_SKIP:
        pytest.skip(f"SoftHSM2 not available: {_HSM_SKIP}")
    saved = os.environ.get("SOFTHSM2_CONF")
    token = init_softhsm_token(tmp_path_factory.mktemp("softhsm"), "jikimi-test")
    try:
        yield token
    finally:
        if saved is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = saved


def test_pkcs11_uri_parsing_needs_token_and_no_pin() -> None:
    with pytest.raises(ValueError, match="token"):
        Pkcs11Kek.from_uri("pkcs11:object=kek")
    with pytest.raises(ValueError, match="JIKIMI_PKCS11_PIN"):
        Pkcs11Kek.from_uri("pkcs11:token=t;object=k?pin-value=1234")


def test_pkcs11_kek_round_trip(softhsm: SoftHsmToken) -> None:
    kek = Pkcs11Kek(softhsm.label, "kek-roundtrip", pin=softhsm.pin, create=True)
    try:
        dk = new_data_key()
        aad = key_aad("encrypt/default", 1, Purpose.ENCRYPT)
        blob = kek.wrap(dk, aad)
        assert blob[0] == envelope.FORMAT_PKCS11_GCM and dk not in blob
        assert kek.unwrap(blob, aad) == dk
        with pytest.raises(UnwrapError):
            kek.unwrap(blob, key_aad("encrypt/default", 2, Purpose.ENCRYPT))
        import pkcs11

        key = kek._key
        assert key[pkcs11.Attribute.SENSITIVE] and not key[pkcs11.Attribute.EXTRACTABLE]
        with pytest.raises(pkcs11.exceptions.PKCS11Error):
            key[pkcs11.Attribute.VALUE]  # the material cannot be read out of the token
        assert "kek-roundtrip" in repr(kek)
    finally:
        kek.close()


def test_pkcs11_errors(softhsm: SoftHsmToken) -> None:
    with pytest.raises(KeyringError, match="no AES key labelled"):
        Pkcs11Kek(softhsm.label, "does-not-exist", pin=softhsm.pin)
    with pytest.raises(KeyringError, match="log in"):
        Pkcs11Kek(softhsm.label, "x", pin="0000")
    with pytest.raises(KeyringError, match="no PKCS#11 token"):
        Pkcs11Kek("no-such-token", "x", pin=softhsm.pin)
    with pytest.raises(KeyringError, match="JIKIMI_PKCS11_PIN"):
        Pkcs11Kek(softhsm.label, "x")


def test_local_keyring_on_pkcs11(
    softhsm: SoftHsmToken, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kek = Pkcs11Kek(softhsm.label, "kek-keyring", pin=softhsm.pin, create=True)
    with LocalKeyring(home, kek=kek) as ring:
        token = key_material(ring.current(Purpose.TOKEN), Purpose.TOKEN)
        subj = key_material(ring.subject_key("p1"), Purpose.SUBJECT)
    kek.close()
    with pytest.raises(KeyringError, match="sealed by a pkcs11"):
        LocalKeyring(home, passphrase=PW)
    other = Pkcs11Kek(softhsm.label, "kek-other", pin=softhsm.pin, create=True)
    try:
        with pytest.raises(KeyringError, match="sealed by"):
            LocalKeyring(home, kek=other)
    finally:
        other.close()
    monkeypatch.setenv("JIKIMI_PKCS11_PIN", softhsm.pin)
    monkeypatch.setenv(
        "JIKIMI_KEYS",
        f"pkcs11:token={softhsm.label};object=kek-keyring?module-path={softhsm.module_path}",
    )
    with open_keyring(home) as ring:
        assert key_material(ring.current(Purpose.TOKEN), Purpose.TOKEN) == token
        assert key_material(ring.subject_key("p1", create=False), Purpose.SUBJECT) == subj
        assert ring.kek_id == "pkcs11:token=jikimi-test;object=kek-keyring"


# --- scale --------------------------------------------------------------------------------------


def test_100k_subjects_in_one_batch(home: Path) -> None:
    ids = [f"{i:026d}" for i in range(100_000)]
    with LocalKeyring(home, passphrase=PW) as ring:
        t0 = time.perf_counter()
        created = ring.subject_keys(ids)
        create_s = time.perf_counter() - t0
        assert len(created) == 100_000
        assert ring.subject_count() == 100_000
    with LocalKeyring(home, passphrase=PW) as ring:  # cold cache
        t0 = time.perf_counter()
        found = ring.subject_keys(ids, create=False)
        lookup_s = time.perf_counter() - t0
        assert len(found) == 100_000
        assert found[ids[123]] == created[ids[123]]
    assert create_s < 8.0, f"creating 100k subject keys took {create_s:.1f}s"
    assert lookup_s < 8.0, f"looking up 100k subject keys took {lookup_s:.1f}s"


def test_symlinked_keyring_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real-home"
    with LocalKeyring(real, passphrase=PW) as ring:
        ring.current(Purpose.TOKEN)
    link_home = tmp_path / "link-home"
    link_home.mkdir(mode=0o700)
    (link_home / "keyring.db").symlink_to(real / "keyring.db")
    with pytest.raises(PermissionError, match="symbolic link"):
        LocalKeyring(link_home, passphrase=PW)


def test_subkeys_are_hmac_expand_steps_and_the_cache_changes_nothing_visible() -> None:
    """Sub-keys are HMAC-SHA256(material, "jikimi/subkey/" + label), truncated; the per-handle
    cache returns the same bytes, stays out of repr, equality and hashing."""
    import hashlib
    import hmac

    from jikimi.keys.base import KeyHandle, KeyRef, Purpose

    material = bytes(range(32))
    ref = KeyRef("k", 1, Purpose.TOKEN)
    h = KeyHandle(ref, material)
    want = hmac.new(material, b"jikimi/subkey/PHONE_NUMBER", hashlib.sha256).digest()
    assert h.subkey("PHONE_NUMBER") == want
    assert h.subkey("PHONE_NUMBER", 16) == want[:16]  # served from the cache, truncated
    assert h.subkey("KR_RRN") != want
    fresh = KeyHandle(ref, material)
    assert fresh == h and hash(fresh) == hash(h)
    assert material.hex() not in repr(h) and want.hex() not in repr(h) and "PHONE" not in repr(h)
    with pytest.raises(ValueError):
        h.subkey("x", 33)

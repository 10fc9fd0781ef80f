"""Mutual TLS: ``jikimi serve --tls-cert --tls-key --tls-client-ca`` as a real process.

A throwaway PKI is made per module (a CA, a server certificate for 127.0.0.1 and localhost, a
client certificate from that CA, and one from a second CA the server does not trust). Only a
client holding a certificate from the trusted CA gets any HTTP answer at all; everything else
fails in TLS - no status code, no body - and the bearer token is still required on top. Bad
TLS files are usage errors (exit 2) before the service opens anything.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from service_support import free_port

from jikimi.keys.base import Purpose
from jikimi.service.client import RemoteKeyring, RemoteKeyringError

# -- a throwaway PKI --------------------------------------------------------------------------


@dataclass
class Issued:
    cert: Path
    key: Path
    obj: x509.Certificate
    private: ec.EllipticCurvePrivateKey


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> None:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password
        else serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8, enc))


def _issue(out: Path, stem: str, cn: str, *, issuer: Issued | None = None,
           san: list[x509.GeneralName] | None = None,
           usage: x509.ObjectIdentifier | None = None) -> Issued:
    """A certificate for ``cn``: a self-signed CA when ``issuer`` is None, else a leaf."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    ca = issuer is None
    b = (x509.CertificateBuilder()
         .subject_name(name)
         .issuer_name(issuer.obj.subject if issuer else name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                        critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=not ca, content_commitment=False, key_encipherment=False,
             data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False))
    signer = key if issuer is None else issuer.private
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.private.public_key()), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if usage is not None:
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    cert = b.sign(signer, hashes.SHA256())
    cert_path, key_path = out / f"{stem}.crt", out / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_path, key)
    return Issued(cert_path, key_path, cert, key)


@dataclass
class Pki:
    ca: Issued
    server: Issued
    client: Issued
    other_ca: Issued
    rogue_client: Issued
    dir: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    d.chmod(0o700)
    ca = _issue(d, "ca", "jikimi test CA")
    server = _issue(d, "server", "localhost", issuer=ca,
                    san=[x509.DNSName("localhost"),
                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
                    usage=ExtendedKeyUsageOID.SERVER_AUTH)
    client = _issue(d, "client", "worker-1", issuer=ca, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    other_ca = _issue(d, "other-ca", "somebody else's CA")
    rogue = _issue(d, "rogue", "worker-1", issuer=other_ca,
                   usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(ca, server, client, other_ca, rogue, d)


def _ctx(*, trust: Path | None, cert: Issued | None,
         max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(trust) if trust else None)
    if cert is not None:
        ctx.load_cert_chain(str(cert.cert), str(cert.key))
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx


# -- the server as a process --------------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, JIKIMI_HOME=str(home), JIKIMI_PASSPHRASE="mtls test passphrase")
    for var in ("JIKIMI_AUDIT_DB", "JIKIMI_KEYS", "JIKIMI_TOKEN"):
        env.pop(var, None)
    return env


def _jikimi(*args: str) -> list[str]:
    return [sys.executable, "-m", "jikimi.cli", "serve", *args]


@dataclass
class Server:
    port: int
    token: str
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("mtls-home")
    home.chmod(0o700)
    db = f"sqlite:///{home / 'service.db'}"
    init = subprocess.run(_jikimi("--db", db, "--init"), env=_env(home), capture_output=True,
                          timeout=60, check=False)
    assert init.returncode == 0, init.stderr.decode()
    token = init.stdout.decode().strip().splitlines()[-1]
    assert token.startswith("jk_")
    port = free_port()
    proc = subprocess.Popen(
        _jikimi("--db", db, "--host", "127.0.0.1", "--port", str(port),
                "--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key),
                "--tls-client-ca", str(pki.ca.cert)),
        env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        good = _ctx(trust=pki.ca.cert, cert=pki.client)
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"jikimi serve exited {proc.returncode}: {err}")
            try:
                if httpx.get(f"https://127.0.0.1:{port}/v1/health", verify=good,
                             timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jikimi serve (TLS) did not become healthy")
            time.sleep(0.1)
        yield Server(port, token, proc)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def _raw_get(port: int, ctx: ssl.SSLContext | None, host: str = "127.0.0.1") -> bytes:
    """Everything the server sends back for one GET /v1/health (TLS when ``ctx``); raises
    whatever the TLS layer raises."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        # suppress_ragged_eofs=False: a connection cut without TLS close_notify raises
        # (SSLEOFError) instead of reading as an empty answer
        sock = (ctx.wrap_socket(raw, server_hostname=host, suppress_ragged_eofs=False)
                if ctx else raw)
        try:
            sock.sendall(f"GET /v1/health HTTP/1.1\r\nHost: {host}\r\n"
                         "Connection: close\r\n\r\n".encode())
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            if sock is not raw:
                sock.close()


def _refused(port: int, ctx: ssl.SSLContext) -> BaseException:
    """Assert that the TLS connection fails without any HTTP answer; return the error."""
    try:
        got = _raw_get(port, ctx)
    except (ssl.SSLError, ConnectionError) as exc:  # ConnectionError: reset after the alert
        return exc
    pytest.fail(f"expected a TLS failure, got an answer: {got[:80]!r}")


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_trusted_client_certificate_gets_answers(server: Server, pki: Pki, host: str) -> None:
    ctx = _ctx(trust=pki.ca.cert, cert=pki.client)
    r = httpx.get(f"https://{host}:{server.port}/v1/health", verify=ctx, timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert _raw_get(server.port, ctx, host).startswith(b"HTTP/1.1 200 ")


def test_remote_keyring_over_mutual_tls(server: Server, pki: Pki) -> None:
    ctx = _ctx(trust=pki.ca.cert, cert=pki.client)
    with RemoteKeyring(server.url, server.token, ssl_context=ctx) as ring:
        ref = ring.rotate(Purpose.TOKEN, "mtls")  # admin-only, a fresh (nonce) request
        assert ref.purpose is Purpose.TOKEN and ref.version >= 1
        assert any(k.key_id == ref.key_id for k in ring.list_keys())
    # the client certificate opens the door, it does not authenticate: the token still does
    with (RemoteKeyring(server.url, "jk_not_a_token", ssl_context=ctx) as ring,
          pytest.raises(RemoteKeyringError) as err):
        ring.list_keys()
    assert err.value.status == 401


@pytest.mark.parametrize("tls", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_client_without_certificate_fails_in_tls(server: Server, pki: Pki,
                                                 tls: ssl.TLSVersion) -> None:
    # TLS 1.2 fails inside the handshake; with 1.3 the client's handshake completes first and
    # the server's refusal (alert or cut connection) arrives at the first read - either way
    # before any HTTP byte
    _refused(server.port, _ctx(trust=pki.ca.cert, cert=None, max_version=tls))


def test_certificate_from_untrusted_ca_fails_in_tls(server: Server, pki: Pki) -> None:
    # same subject name as the good client certificate; only the issuer differs
    assert pki.rogue_client.obj.subject == pki.client.obj.subject
    _refused(server.port, _ctx(trust=pki.ca.cert, cert=pki.rogue_client))
    good = _ctx(trust=pki.ca.cert, cert=pki.client)
    assert _raw_get(server.port, good).startswith(b"HTTP/1.1 200 ")


def test_client_that_does_not_trust_the_server_ca_refuses(server: Server, pki: Pki) -> None:
    # trusts only the other CA: the server certificate does not verify, even with a good
    # client certificate
    ctx = _ctx(trust=pki.other_ca.cert, cert=pki.client)
    with pytest.raises(ssl.SSLCertVerificationError):
        _raw_get(server.port, ctx)
    # the system trust store does not know the test CA either
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/v1/health", timeout=5)


def test_remote_keyring_without_client_certificate_gets_no_answer(server: Server,
                                                                  pki: Pki) -> None:
    ctx = _ctx(trust=pki.ca.cert, cert=None)
    with (RemoteKeyring(server.url, server.token, ssl_context=ctx) as ring,
          pytest.raises(RemoteKeyringError) as err):
        ring.list_keys()
    assert err.value.status == 0  # no HTTP status: the request never reached the service
    assert server.token not in str(err.value)


def test_plain_http_to_the_tls_port_gets_no_answer(server: Server, pki: Pki) -> None:
    try:
        got = _raw_get(server.port, None)
    except ConnectionError:
        got = b""
    assert not got.startswith(b"HTTP/")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{server.port}/v1/health", timeout=5)
    # and the refused connections above did not hurt the service
    ok = httpx.get(f"{server.url}/v1/health", verify=_ctx(trust=pki.ca.cert, cert=pki.client),
                   timeout=5)
    assert ok.status_code == 200


# -- usage errors: refused before anything is opened ------------------------------------------


def _bad_tls_files(d: Path, pki: Pki) -> dict[str, tuple[list[str], str]]:
    enc_key = d / "encrypted.key"
    _write_key(enc_key, pki.server.private, password=b"key passphrase")
    junk = d / "junk.pem"
    junk.write_text("not a certificate\n")
    unreadable = d / "unreadable.key"
    unreadable.write_bytes(pki.server.key.read_bytes())
    unreadable.chmod(0o000)
    srv = ["--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key)]
    cases = {
        "client CA alone": (["--tls-client-ca", str(pki.ca.cert)], "--tls-client-ca needs both"),
        "client CA + cert, no key": (["--tls-cert", str(pki.server.cert), "--tls-client-ca",
                                      str(pki.ca.cert)], "--tls-client-ca needs both"),
        "key without cert": (["--tls-key", str(pki.server.key)], "go together"),
        "missing cert": (["--tls-cert", str(d / "nope.crt"), "--tls-key", str(pki.server.key)],
                         "cannot read --tls-cert: No such file"),
        "key is a directory": (["--tls-cert", str(pki.server.cert), "--tls-key", str(d)],
                               "cannot read --tls-key"),
        "missing client CA": ([*srv, "--tls-client-ca", str(d / "nope-ca.crt")],
                              "cannot read --tls-client-ca"),
        "encrypted key": (["--tls-cert", str(pki.server.cert), "--tls-key", str(enc_key)],
                          "passphrase-protected"),
        "key of another cert": (["--tls-cert", str(pki.server.cert), "--tls-key",
                                 str(pki.client.key)], "not a PEM certificate and its private"),
        "junk cert": (["--tls-cert", str(junk), "--tls-key", str(pki.server.key)],
                      "not a PEM certificate and its private"),
        "junk client CA": ([*srv, "--tls-client-ca", str(junk)], "no PEM CA certificate"),
    }
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        cases["unreadable key"] = (["--tls-cert", str(pki.server.cert), "--tls-key",
                                    str(unreadable)], "cannot read --tls-key: Permission denied")
    return cases


def test_bad_tls_options_are_usage_errors(pki: Pki, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from jikimi.service.cli import app

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("JIKIMI_HOME", str(home))
    monkeypatch.setenv("JIKIMI_PASSPHRASE", "mtls test passphrase")
    monkeypatch.delenv("JIKIMI_AUDIT_DB", raising=False)
    files = tmp_path / "files"
    files.mkdir()
    key_pem = pki.server.key.read_text()
    for case, (args, message) in _bad_tls_files(files, pki).items():
        r = CliRunner().invoke(app, [*args, "--port", "1"])
        assert r.exit_code == 2, (case, r.output)
        assert message in r.output, (case, r.output)
        assert r.output.count("\n") == 1, (case, r.output)  # one line, no traceback
        # names the option, never the file's path or contents
        assert str(files) not in r.output and str(pki.dir) not in r.output, (case, r.output)
        assert "PRIVATE KEY" not in r.output and key_pem not in r.output
    assert list(home.iterdir()) == []  # refused before the keyring or database was opened


# -- the protect CLI as an mTLS client ----------------------------------------------------------


def _engineer_token(server: Server, pki: Pki) -> str:
    ctx = _ctx(trust=pki.ca.cert, cert=pki.client)
    import secrets

    def fresh() -> dict[str, str]:  # admin calls carry replay protection
        return {"Authorization": f"Bearer {server.token}",
                "X-Jikimi-Nonce": secrets.token_urlsafe(18),
                "X-Jikimi-Timestamp": str(int(time.time()))}

    with httpx.Client(base_url=server.url, verify=ctx, timeout=10) as c:
        r = c.post("/v1/principals", headers=fresh(), json={
            "name": f"eng-{time.monotonic_ns()}", "roles": ["data_engineer"], "region": "KR"})
        assert r.status_code == 201, r.text
        t = c.post(f"/v1/principals/{r.json()['id']}/tokens", headers=fresh(), json={})
        assert t.status_code == 201, t.text
        return str(t.json()["token"])


def test_protect_cli_over_mutual_tls(server: Server, pki: Pki, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from jikimi.cli import app

    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "홍길동 고객님 연락처 010-2345-6789, 주민등록번호 900101-1234568"}\n',
                   encoding="utf-8")
    monkeypatch.setenv("JIKIMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JIKIMI_TOKEN", _engineer_token(server, pki))
    monkeypatch.setenv("JIKIMI_TLS_CA", str(pki.ca.cert))
    args = ["protect", str(src), "-o", str(tmp_path / "out"), "--keys", server.url]

    # without a client certificate the service never answers: the job fails, writes nothing
    r = CliRunner().invoke(app, args)
    assert r.exit_code != 0
    assert not (tmp_path / "out" / "in.jsonl").exists() or \
        "010-2345-6789" not in (tmp_path / "out" / "in.jsonl").read_text(encoding="utf-8")

    assert server.token not in r.output
    monkeypatch.setenv("JIKIMI_TLS_CLIENT_CERT", str(pki.client.cert))
    monkeypatch.setenv("JIKIMI_TLS_CLIENT_KEY", str(pki.client.key))
    r = CliRunner().invoke(app, [*args[:3], str(tmp_path / "out2"), *args[4:]])
    assert r.exit_code == 0, r.output
    out = (tmp_path / "out2" / "in.jsonl").read_text(encoding="utf-8")
    assert "010-2345-6789" not in out and "900101-1234568" not in out

    # half a client identity, or an encrypted key, is a usage error naming the variable
    monkeypatch.delenv("JIKIMI_TLS_CLIENT_CERT")
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "go together" in r.output
    enc = tmp_path / "enc.key"
    _write_key(enc, pki.client.private, password=b"pw")
    monkeypatch.setenv("JIKIMI_TLS_CLIENT_CERT", str(pki.client.cert))
    monkeypatch.setenv("JIKIMI_TLS_CLIENT_KEY", str(enc))
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "JIKIMI_TLS_CLIENT_KEY" in r.output
    assert str(enc) not in r.output


def test_a_readable_tls_key_is_warned_about(pki: Pki, tmp_path: Path) -> None:
    from jikimi.service.cli import tls_key_exposure

    key = tmp_path / "server.key"
    key.write_bytes(pki.server.key.read_bytes())
    key.chmod(0o600)
    assert tls_key_exposure(key) is None
    key.chmod(0o640)
    assert "group" in (tls_key_exposure(key) or "")
    key.chmod(0o644)
    warning = tls_key_exposure(key) or ""
    assert "every user" in warning and str(tmp_path) not in warning and "PRIVATE" not in warning

"""``jikimi serve``: run the home key service (registered into the main CLI by ``jikimi.cli``).

``--init`` creates the first administrator principal and prints its token once - there is no
other way to obtain it later (only its hash is stored); lose it and issue a new one with another
admin token, or run ``--init --admin-name <new name>``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from jikimi.service.settings import Settings

app = typer.Typer(help="The home key service.", no_args_is_help=False)


def bootstrap_admin(settings: Settings, name: str = "admin", ttl: float = 30 * 24 * 3600) -> str:
    """Create principal ``name`` with roles admin + auditor and return its first token."""
    from jikimi.service.state import ServiceState

    state = ServiceState(settings)
    try:
        if state.tokens.principal_by_name(name) is not None:
            raise ValueError(f"a principal named {name!r} exists already")
        pid = state.tokens.create_principal(name, ["admin", "auditor"], region="KR")
        _, token, _ = state.tokens.issue_token(pid, ttl=ttl, description="serve --init")
        state.record("admin", handler="serve --init", source="local", decision="done",
                     details={"op": f"created first administrator {name}"})
        return token
    finally:
        state.close()


class EncryptedKey(ValueError):
    """A TLS private key file is passphrase-protected."""


def refuse_key_password() -> bytes:
    """The ``password`` callback for ``load_cert_chain``: an encrypted key would make OpenSSL
    prompt on the terminal; raise :class:`EncryptedKey` instead."""
    raise EncryptedKey


def tls_problem(cert: Path, key: Path, client_ca: Path | None) -> str | None:
    """Why the TLS files cannot serve (None: they can): checked before anything is opened, so
    a bad file is a usage error naming the option - not a traceback after the service started,
    nor OpenSSL prompting for a key passphrase. Never echoes file contents."""
    import ssl

    for option, path in (("--tls-cert", cert), ("--tls-key", key),
                         ("--tls-client-ca", client_ca)):
        if path is None:
            continue
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            return f"cannot read {option}: {exc.strerror or type(exc).__name__}"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(str(cert), str(key), password=refuse_key_password)
    except EncryptedKey:
        return "--tls-key is passphrase-protected; give the service an unencrypted key file " \
               "readable only by its user"
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, ssl.SSLError) and exc.reason else "invalid PEM"
        return f"--tls-cert and --tls-key are not a PEM certificate and its private key " \
               f"({reason})"
    if client_ca is not None:
        try:
            ctx.load_verify_locations(cafile=str(client_ca))
        except (ssl.SSLError, OSError, ValueError):
            return "--tls-client-ca holds no PEM CA certificate"
    return None


def tls_key_exposure(key: Path) -> str | None:
    """A warning when the TLS private key is readable beyond its owner. Not refused, unlike the
    keyring and the log key: Debian's convention (group ``ssl-cert``, mode 0640) is legitimate,
    but a world-readable key lets any local user impersonate the key service."""
    try:
        mode = key.stat().st_mode & 0o777
    except OSError:
        return None
    if mode & 0o004:
        return f"--tls-key is readable by every user on this machine (mode {mode:o}); chmod 600 it"
    if mode & 0o040:
        return f"--tls-key is readable by its group (mode {mode:o}); make sure that group is meant to"
    return None


@app.command()
def serve(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: SQLite in JIKIMI_HOME; postgresql://... for production).")] = None,
    db_schema: Annotated[str | None, typer.Option("--db-schema", help="PostgreSQL schema for this service's tables.")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8787,
    init: Annotated[bool, typer.Option("--init", help="Create the first admin principal, print its token once, exit.")] = False,
    admin_name: Annotated[str, typer.Option("--admin-name", help="Name of the admin created by --init.")] = "admin",
    policy_dir: Annotated[Path | None, typer.Option("--policy-dir", help="Directory of *.cedar policies (+ schema.cedarschema); default: the packaged policy.")] = None,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="Server certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="Server private key (PEM).")] = None,
    tls_client_ca: Annotated[Path | None, typer.Option("--tls-client-ca", help="CA bundle for client certificates: enables mutual TLS (client certificate required).")] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="uvicorn access log lines (paths only; never tokens).")] = False,
) -> None:
    """Run the home key service (FastAPI + uvicorn); OpenAPI at /openapi.json."""
    from jikimi.policy.access import AccessPolicyError
    from jikimi.service.settings import Settings

    settings = Settings(db_url=db, db_schema=db_schema, policy_dir=policy_dir)
    if init:
        try:
            token = bootstrap_admin(settings, admin_name)
        except (ValueError, AccessPolicyError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo("administrator token (shown only now; store it safely):", err=True)
        typer.echo(token)
        return
    if (tls_cert is None) != (tls_key is None) or (tls_client_ca and not tls_cert):
        typer.echo("error: --tls-cert and --tls-key go together; --tls-client-ca needs both",
                   err=True)
        raise typer.Exit(2)
    if tls_cert and tls_key and (problem := tls_problem(tls_cert, tls_key, tls_client_ca)):
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    if tls_key is not None and (warning := tls_key_exposure(tls_key)):
        typer.echo(f"warning: {warning}", err=True)
    try:
        from jikimi.service.app import create_app

        application = create_app(settings)
    except AccessPolicyError as exc:
        typer.echo(f"error: invalid access policy: {exc}", err=True)
        raise typer.Exit(2) from None
    import ssl

    import uvicorn

    kwargs: dict[str, object] = {}
    if tls_cert and tls_key:
        kwargs.update(ssl_certfile=str(tls_cert), ssl_keyfile=str(tls_key))
        if tls_client_ca:
            kwargs.update(ssl_ca_certs=str(tls_client_ca), ssl_cert_reqs=ssl.CERT_REQUIRED)
    uvicorn.run(application, host=host, port=port, access_log=access_log,
                log_level="warning", **kwargs)  # type: ignore[arg-type]
    sys.exit(0)

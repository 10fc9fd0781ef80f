"""The home key service (``jikimi serve``): keys, tokens, policy-gated reveal and the audit log
over HTTP, for data owners who let protected data travel but keep keys and control at home.

:func:`create_app` builds the FastAPI app from :class:`Settings`; :class:`RemoteKeyring`
(:mod:`jikimi.service.client`) is the keyring ``jikimi protect --keys https://...`` uses.
Importing this package does not import FastAPI; the submodules do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from jikimi.service.client import RemoteKeyring
    from jikimi.service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    from jikimi.service.app import create_app as _create

    return _create(settings)


def __getattr__(name: str) -> Any:
    if name == "RemoteKeyring":
        from jikimi.service.client import RemoteKeyring

        return RemoteKeyring
    if name == "Settings":  # on first use: it imports the keyring (cryptography)
        from jikimi.service.settings import Settings

        return Settings
    raise AttributeError(name)


__all__ = ["RemoteKeyring", "Settings", "create_app"]

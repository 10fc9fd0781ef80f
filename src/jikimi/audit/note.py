"""C2SP ``signed-note`` with Ed25519 signers, ``vkey`` verifier keys and ``tlog-cosignature``.

Hand-written (no Python library implements the C2SP note formats) so that checkpoints are
byte-for-byte what Go's ``golang.org/x/mod/sumdb/note`` and the transparency-dev tooling produce
and accept:

* note = text ending in ``\\n``, a blank line, then lines ``— <name> base64(keyID || sig)``;
* key ID = ``SHA-256(name || 0x0A || type || pubkey)[:4]`` with type 0x01 (Ed25519) or 0x04
  (timestamped Ed25519 cosignature);
* verifier key (vkey) = ``name+hex(keyID)+base64(type || pubkey)``, signer key =
  ``PRIVATE+KEY+name+hex(keyID)+base64(type || seed)``;
* a cosignature signs ``cosignature/v1\\ntime <t>\\n`` + the checkpoint text and carries
  ``u64 timestamp || ed25519 signature``.

Unknown signatures are ignored (as the spec requires); a signature from a known key that fails
is an error, never silently skipped.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
DASH = "\u2014 "
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note is malformed, or no trusted signature verifies it."""


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"invalid key name {name!r}: must be non-empty, no spaces, no '+'")


def key_id(name: str, alg: int, public: bytes) -> bytes:
    """The 4-byte key ID the spec recommends (and every known implementation uses)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def _raw_public(pub: Ed25519PublicKey) -> bytes:
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A trusted public key (parsed from a vkey)."""

    name: str
    alg: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.alg, self.public)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.alg]) + self.public).decode()}"

    def verify_raw(self, msg: bytes, sig: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(sig, msg)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    """Parse ``name+keyhash+base64`` (the form Go's ``note.NewVerifier`` reads)."""
    parts = vkey.strip().split("+", 2)  # base64 may contain "+"
    if len(parts) != 3:
        raise NoteError("a vkey has the form name+keyhash+base64key")
    name, hexid, b64 = parts
    _check_name(name)
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hexid)
    except ValueError as exc:
        raise NoteError(f"malformed vkey: {exc}") from None
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError("vkey is not an Ed25519 (0x01) or cosignature/v1 (0x04) key")
    v = Verifier(name, raw[0], raw[1:])
    if len(hexid) != 8 or v.key_id != kid:
        raise NoteError(f"vkey key hash {hexid} does not match its key")
    return v


class Signer:
    """An Ed25519 note signer (log key, alg 0x01) or cosigner (witness key, alg 0x04)."""

    def __init__(self, name: str, private: Ed25519PrivateKey, alg: int = ALG_ED25519) -> None:
        _check_name(name)
        if alg not in (ALG_ED25519, ALG_COSIGNATURE_V1):
            raise NoteError(f"unsupported signature type {alg}")
        self.name = name
        self.alg = alg
        self._key = private
        self.verifier = Verifier(name, alg, _raw_public(private.public_key()))

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        return cls(name, Ed25519PrivateKey.generate(), alg)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+keyhash+base64(type || seed)``."""
        parts = skey.strip().split("+", 4)  # base64 may contain "+"
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("not a note signer key (PRIVATE+KEY+name+hash+key)")
        raw = base64.b64decode(parts[4], validate=True)
        if len(raw) != 33:
            raise NoteError("signer key must hold a 32-byte Ed25519 seed")
        s = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]), raw[0])
        if s.verifier.key_id.hex() != parts[3]:
            raise NoteError("signer key hash does not match its key")
        return s

    @property
    def skey(self) -> str:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return (
            f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+"
            f"{base64.b64encode(bytes([self.alg]) + seed).decode()}"
        )

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def sign_raw(self, msg: bytes) -> bytes:
        return self._key.sign(msg)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    data: bytes  # what follows the key ID

    def line(self) -> str:
        return f"{DASH}{self.name} {base64.b64encode(self.key_id + self.data).decode()}\n"


@dataclass(frozen=True)
class Note:
    """Note text (ending in newline) and its signature lines."""

    text: str
    signatures: tuple[Signature, ...]

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text contains control characters")


def sign_note(text: str, *signers: Signer) -> str:
    """Sign ``text`` with log signers (alg 0x01); returns the encoded note."""
    _check_text(text)
    sigs = []
    for s in signers:
        if s.alg != ALG_ED25519:
            raise NoteError("use cosign() for cosignature keys")
        sigs.append(Signature(s.name, s.verifier.key_id, s.sign_raw(text.encode())))
    return Note(text, tuple(sigs)).encode()


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into text and signature lines (no verification)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in data):
        raise NoteError("note contains control characters")
    sep = data.rfind("\n\n")
    if sep < 0 or not data.endswith("\n"):
        raise NoteError("note has no signature block")
    text, block = data[: sep + 1], data[sep + 2 :]
    sigs = []
    for line in block.splitlines():
        if not line.startswith(DASH):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, _, b64 = line[len(DASH) :].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise NoteError(f"signature by {name} is not base64") from None
        if len(raw) < 5 or not name:
            raise NoteError(f"signature line by {name!r} is too short")
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if not sigs:
        raise NoteError("note has no signatures")
    if len(sigs) > MAX_SIGNATURES:
        raise NoteError("note has too many signatures")
    return Note(text, tuple(sigs))


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def verify_note(data: str | bytes, *verifiers: Verifier) -> tuple[Note, list[Verifier]]:
    """Verify ``data`` against trusted keys. Returns the note and the verifiers whose signatures
    verified. Raises if a known key's signature fails, or if no known key signed."""
    note = parse_note(data)
    ok: list[Verifier] = []
    for sig in note.signatures:
        for v in verifiers:
            if v.name != sig.name or v.key_id != sig.key_id:
                continue
            if v.alg == ALG_ED25519:
                good = len(sig.data) == 64 and v.verify_raw(note.text.encode(), sig.data)
            else:
                good = len(sig.data) == 72 and v.verify_raw(
                    _cosigned_message(note.text, struct.unpack(">Q", sig.data[:8])[0]), sig.data[8:]
                )
            if not good:
                raise NoteError(f"signature by {v.name} ({v.key_id.hex()}) does not verify: note was altered or forged")
            ok.append(v)
    if not ok:
        names = ", ".join(sorted({s.name for s in note.signatures}))
        raise NoteError(f"no signature by a trusted key (note is signed by: {names})")
    return note, ok


def cosignature(text: str, cosigner: Signer, timestamp: int | None = None) -> Signature:
    """A tlog-cosignature/v1 (alg 0x04) over checkpoint ``text``."""
    if cosigner.alg != ALG_COSIGNATURE_V1:
        raise NoteError("cosignatures need a cosignature/v1 (0x04) key")
    _check_text(text)
    t = int(time.time()) if timestamp is None else timestamp
    if not 0 <= t < 2**63:
        raise NoteError("timestamp out of range")
    sig = cosigner.sign_raw(_cosigned_message(text, t))
    return Signature(cosigner.name, cosigner.verifier.key_id, struct.pack(">Q", t) + sig)


def add_signatures(data: str, *sigs: Signature) -> str:
    """Append signature lines to an already signed note."""
    note = parse_note(data)
    return Note(note.text, note.signatures + tuple(sigs)).encode()

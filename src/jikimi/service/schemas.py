"""Request and response bodies (pydantic), shared by the routes and published in OpenAPI.

Limits are part of the schema so clients can see them: strings are bounded, and batches carry
``maxItems`` - a batch over the limit is answered 413 (not 422), because it is a size problem,
not a shape problem."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 10_000
MAX_VALUE = 4096

Value = Annotated[str, Field(max_length=MAX_VALUE)]
EntityType = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
Short = Annotated[str, Field(max_length=256)]
Purpose = Annotated[str, Field(max_length=128)]
Justification = Annotated[str, Field(max_length=2000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Why(Strict):
    """Why the caller asks: the stated purpose, a ticket, a justification."""

    purpose: Purpose = ""
    ticket: Short = ""
    justification: Justification = ""


class ResourceIn(Strict):
    kind: Literal["field", "key", "subject", "log", "service"] = "field"
    entity_type: EntityType | None = None
    dataset: Short = ""
    subject: Short = ""
    purpose: Annotated[str, Field(max_length=32)] = ""
    name: Annotated[str, Field(max_length=64)] = "default"


class DecisionIn(Why):
    action: Annotated[str, Field(min_length=1, max_length=32)]
    resource: ResourceIn


class DecisionOut(BaseModel):
    allowed: bool
    obligations: dict[str, bool | str | list[str]]
    reasons: list[str]
    policies: list[str]
    log_index: int


class ItemError(BaseModel):
    index: int
    error: str


class TokenizeIn(Strict):
    entity_type: EntityType
    values: Annotated[list[Value], Field(max_length=MAX_BATCH)]
    mode: Literal["token", "fpe"] = "token"
    dataset: Short = ""


class TokenizeOut(BaseModel):
    entity_type: str
    mode: str
    key: str
    values: list[str | None]
    errors: list[ItemError]
    log_index: int


class DetokenizeIn(Why):
    entity_type: EntityType
    values: Annotated[list[Value], Field(max_length=MAX_BATCH)]
    key_version: Annotated[int, Field(ge=1, le=10**9)] | None = None
    dataset: Short = ""


class EncryptIn(Strict):
    entity_type: EntityType
    values: Annotated[list[Value], Field(max_length=MAX_BATCH)]
    deterministic: bool = True
    subject: Short = ""
    dataset: Short = ""


class EncryptOut(BaseModel):
    entity_type: str
    key: str
    values: list[str | None]
    errors: list[ItemError]
    log_index: int


class DecryptIn(Why):
    values: Annotated[list[Value], Field(max_length=MAX_BATCH)]
    dataset: Short = ""


class RevealItem(Strict):
    value: Value
    entity_type: EntityType | None = None
    fpe: bool = False
    key_version: Annotated[int, Field(ge=1, le=10**9)] | None = None


class RevealIn(Why):
    items: Annotated[list[RevealItem], Field(max_length=MAX_BATCH)]
    dataset: Short = ""


class RevealResult(BaseModel):
    status: Literal["revealed", "masked", "denied", "error"]
    value: str | None = None
    error: str | None = None


class DecisionSummary(BaseModel):
    entity_type: str
    allowed: bool
    obligations: dict[str, bool | str | list[str]]
    reasons: list[str]
    log_index: int


class RevealOut(BaseModel):
    results: list[RevealResult]
    decisions: list[DecisionSummary]


class DataKeyIn(Strict):
    purpose: Annotated[str, Field(max_length=32)] | None = None
    name: Annotated[str, Field(max_length=64)] = "default"
    key_id: Annotated[str, Field(max_length=128)] | None = None
    version: Annotated[int, Field(ge=1, le=10**9)] | None = None


class WrappedKey(BaseModel):
    key_id: str
    version: int
    purpose: str
    wrapped: str


class DataKeyOut(WrappedKey):
    log_index: int


class WrapIn(Strict):
    key: Annotated[str, Field(min_length=22, max_length=88, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]
    label: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class UnwrapIn(Strict):
    wrapped: Annotated[list[Annotated[str, Field(max_length=300)]], Field(min_length=1, max_length=MAX_BATCH)]


class ReleasedKey(BaseModel):
    key_id: str
    version: int
    purpose: str
    key: str


class UnwrapOut(BaseModel):
    keys: list[ReleasedKey]
    log_index: int


class SubjectKeysIn(Strict):
    ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=256)]], Field(max_length=MAX_BATCH)]
    create: bool = True
    release: bool = Field(default=False, description=(
        "Also release the keys (the unwrap decision, logged; needs the replay-protection "
        "headers): ``released`` then carries the key material and ``keys`` stays empty."))


class SubjectKeysOut(BaseModel):
    keys: dict[str, str]
    forgotten: list[str]
    log_index: int
    released: dict[str, ReleasedKey] = {}
    release_log_index: int | None = None


class KeyRefOut(BaseModel):
    key_id: str
    version: int
    purpose: str


class RotateIn(Why):
    purpose: Annotated[str, Field(max_length=32)]
    name: Annotated[str, Field(max_length=64)] = "default"
    allow_relink: bool = False


class RotateOut(KeyRefOut):
    log_index: int


class ForgetIn(Why):
    subject_id: Annotated[str, Field(max_length=256)] | None = None
    value: Value | None = None
    entity_type: EntityType | None = None


class ForgetOut(BaseModel):
    subject_id: str
    destroyed: bool
    log_index: int


class PrincipalIn(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")]
    roles: Annotated[list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]], Field(max_length=32)]
    team: Short = ""
    region: Annotated[str, Field(pattern=r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,8})?)?$")] = ""
    clearance: Annotated[int, Field(ge=0, le=3)] = 0


class PrincipalOut(BaseModel):
    id: str
    name: str
    roles: list[str]
    team: str
    region: str
    clearance: int
    disabled: bool


class TokenIn(Strict):
    ttl_seconds: Annotated[int, Field(ge=1, le=366 * 24 * 3600)] = 30 * 24 * 3600
    roles: Annotated[list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]], Field(max_length=32)] | None = None
    region: Annotated[str, Field(pattern=r"^(?:[A-Z]{2}(?:-[A-Z0-9]{1,8})?)?$")] | None = None
    description: Short = ""


class TokenOut(BaseModel):
    token_id: str
    token: str
    expires_at: float


class RevokeOut(BaseModel):
    token_id: str
    revoked: bool


class Health(BaseModel):
    status: str
    database: str
    audit_log: str
    policy: str


class Proof(BaseModel):
    index: int | None = None
    old_size: int | None = None
    size: int
    hashes: list[str]


class Entries(BaseModel):
    start: int
    entries: list[dict[str, object]]

"""Every HOMEWARD_* setting, declared once: its type, default, meaning and what it accepts."""

from __future__ import annotations

from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import Field, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from workflow.config.checks import (
    SHORTEST_SECRET,
    DatabaseUrl,
    DocumentStore,
    Flag,
    Hours,
    Languages,
    Networks,
    Origins,
    Secret,
    WebAddress,
    Whole,
    plain_text,
    wanted,
)

PREFIX = "HOMEWARD_"
KIB, MIB, GIB = 1024, 1024 * 1024, 1024 * 1024 * 1024


def in_instance(relative: str, description: str) -> Any:
    """A file or folder kept in the instance folder unless the setting names another."""
    return Field(None, description=description, json_schema_extra={"in_instance": relative})


def unset(meaning: str, description: str) -> Any:
    """A setting that may stay unset, and what Homeward does then."""
    return Field(None, description=description, json_schema_extra={"when_unset": meaning})


class Settings(BaseSettings):
    """Homeward's configuration, read from HOMEWARD_* variables by `from_environment`."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, case_sensitive=True, extra="forbid", frozen=True
    )

    ENV: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses to start unsafe (see Serving in production) and "
        "refuses demo data",
    )
    INSTANCE_PATH: str | None = unset(
        "`./instance`", "where the SQLite database, signing keys and demo password live"
    )
    DATABASE_URL: DatabaseUrl | None = unset(
        "SQLite in the instance folder", "e.g. `postgresql+psycopg://user@host/homeward`"
    )
    PUBLIC_URL: WebAddress = Field(
        "http://127.0.0.1:5000",
        description="the base of links printed on forms; `https://` in production",
    )
    WORKFLOW: str = Field("default", description="the definition new cases open on")
    KEYS_DIR: str | None = in_instance("keys", "ES256 token signing keys (`*.pem`)")
    JWT_ISSUER: str = Field("homeward", description="the issuer of the tokens Homeward signs")
    JWT_AUDIENCE: str = Field("homeward-api", description="the audience of those tokens")
    ACCESS_TOKEN_MINUTES: Whole = Field(10, ge=1, le=24 * 60, description="access token lifetime")
    REFRESH_TOKEN_HOURS: Whole = Field(12, ge=1, le=365 * 24, description="session lifetime")
    ARGON2_TIME_COST: Whole = Field(
        3, ge=1, le=100, description="password hashing (argon2id): passes over the memory"
    )
    ARGON2_MEMORY_KIB: Whole = Field(
        64 * KIB, ge=1, le=4 * MIB, description="password hashing (argon2id): memory, in KiB"
    )
    ARGON2_PARALLELISM: Whole = Field(
        4, ge=1, le=64, description="password hashing (argon2id): lanes"
    )
    MAX_JSON_BYTES: Whole = Field(
        256 * KIB, ge=1, le=64 * MIB, description="the largest JSON body accepted"
    )
    MAX_HEADER_BYTES: Whole = Field(
        16 * KIB,
        ge=1,
        le=MIB,
        description="the most request-header bytes accepted, names and values; more is a 431",
    )
    CORS_ORIGINS: Origins = Field(
        "",
        description="comma-separated exact origins allowed to call the API from a browser; "
        "empty turns CORS off",
    )
    SESSION_IDLE_MINUTES: Whole = Field(
        30, ge=1, le=24 * 60, description="a session unused this long ends"
    )
    ACCOUNT_SETUP_HOURS: Whole = Field(
        24, ge=1, le=7 * 24, description="how long a link to choose one's password works"
    )
    LOGIN_FREE_FAILURES: Whole = Field(
        5, ge=1, le=1000, description="failed sign-ins per account and address before waits begin"
    )
    LOGIN_MAX_WAIT_MINUTES: Whole = Field(
        15, ge=1, le=24 * 60, description="the longest wait a run of failed sign-ins can impose"
    )
    LOGIN_OFFICE_NETWORKS: Networks | None = unset(
        "none",
        "comma-separated networks of offices whose many people sign in from one address; their "
        "address allows ten times the failed sign-ins before its one-minute waits begin",
    )
    VERIFY_PER_MINUTE: Whole = Field(
        30, ge=1, le=100_000, description="public form checks per client address per minute"
    )
    TRUSTED_PROXY_HOPS: Whole = Field(
        0,
        ge=0,
        le=5,
        description="reverse proxies in front whose `X-Forwarded-For` is believed",
    )
    BREAK_GLASS_MINUTES: Whole = Field(
        30,
        ge=1,
        le=24 * 60,
        description="how long a case opened outside need-to-know stays readable",
    )
    REQUIRE_SECOND_FACTOR: Flag = Field(
        False,
        description="`true`: officials, auditors and administrators must set up a second "
        "factor (TOTP) before they may do anything else; lawyers may choose to",
    )
    OIDC_PROVIDERS: str | None = unset(
        "unset", "a YAML or JSON file of agencies' identity providers (see Security)"
    )
    OIDC_JWKS_CACHE_SECONDS: Whole = Field(
        3600, ge=1, le=7 * 24 * 3600, description="how long a provider's fetched key set is trusted"
    )
    OIDC_JWKS_REFETCH_SECONDS: Whole = Field(
        60,
        ge=1,
        le=24 * 3600,
        description="at most one early refetch of a provider's key set this often",
    )
    OIDC_JWKS_TIMEOUT_SECONDS: Whole = Field(
        5, ge=1, le=300, description="how long fetching a provider's key set may take"
    )
    DEMO_PASSWORD: str | None = unset("generated", "the demo users' password")
    AUDIT_KEY_FILE: str | None = in_instance(
        "audit/checkpoint-key.pem", "the Ed25519 key that signs audit checkpoints"
    )
    WORKING_HOURS: Hours = Field(
        "08-19",
        description="UTC hours, the last excluded; accesses outside them are reported to auditors",
    )
    BURST_CASES: Whole = Field(
        20,
        ge=1,
        le=100_000,
        description="reading more distinct cases than this within `BURST_MINUTES` is reported",
    )
    BURST_MINUTES: Whole = Field(
        10, ge=1, le=7 * 24 * 60, description="the window of `BURST_CASES`"
    )
    DATA_KEYS_DIR: str | None = in_instance(
        "data-keys",
        "AES-256 data keys (`*.key`) and the search index key; production refuses to start "
        "without them",
    )
    DOCUMENT_STORE: DocumentStore | None = in_instance(
        "documents", "a folder, or `s3://bucket/prefix` for an S3-compatible store"
    )
    S3_ENDPOINT_URL: WebAddress | None = unset(
        "unset (AWS)",
        "the endpoint of another S3-compatible store; credentials come the usual boto3 ways",
    )
    MAX_DOCUMENT_BYTES: Whole = Field(
        20 * MIB, ge=1, le=GIB, description="the largest document accepted"
    )
    MAX_INTAKE_ROWS: Whole = Field(
        10_000,
        ge=1,
        le=100_000,
        description="the most rows (children) one intake manifest may hold",
    )
    MAX_INTAKE_BYTES: Whole = Field(
        4 * MIB, ge=1, le=64 * MIB, description="the largest intake manifest accepted, in bytes"
    )
    MAX_IMAGE_PIXELS: Whole = Field(
        60_000_000, ge=1, le=1_000_000_000, description="the largest scan accepted, in pixels"
    )
    SANDBOX_CPU_SECONDS: Whole = Field(
        5, ge=1, le=3600, description="CPU time checking one uploaded file may take"
    )
    SANDBOX_MEMORY_MIB: Whole = Field(
        1024, ge=1, le=64 * KIB, description="memory checking one uploaded file may take, in MiB"
    )
    SANDBOX_INFLATED_MIB: Whole = Field(
        64, ge=1, le=4 * KIB, description="how far a PDF's streams may inflate when opened, in MiB"
    )
    BACKUP_KEY_FILE: str | None = in_instance(
        "backup.key", "the key that encrypts backups; keep it apart from them"
    )
    RETENTION_DAYS: Whole = Field(
        3650,
        ge=1,
        le=36_500,
        description="how long a closed case is kept before `homeward cases purge` erases it",
    )
    FORM_LANGUAGES: Languages = Field(
        "ru,en",
        description="the label sets printed on forms, in order (files in `forms/labels/`: `en`, "
        "`ru`, `kk`); a request's `?languages=` overrides them",
    )
    FORM_SIGNING_KEY_FILE: str | None = in_instance(
        "forms/signing-key.pem",
        "the key that signs forms; development makes a self-signed pair, production refuses "
        "to start without it",
    )
    FORM_SIGNING_CERT_FILE: str | None = in_instance(
        "forms/signing-cert.pem", "the certificate of that key"
    )
    TIMESTAMP_URL: WebAddress | None = unset(
        "no timestamp",
        "an RFC 3161 timestamp authority: each form's signature then carries its trusted time "
        "(PAdES B-T); a form is refused while it cannot be reached",
    )
    TIMESTAMP_USERNAME: str | None = unset("none", "the timestamp authority's basic-auth user")
    TIMESTAMP_PASSWORD: str | None = unset("none", "that user's password")
    TIMESTAMP_TIMEOUT_SECONDS: Whole = Field(
        10, ge=1, le=120, description="how long one request to the timestamp authority may take"
    )
    WORKERS: Whole | None = Field(
        None,
        ge=1,
        le=64,
        description="`homeward serve`'s processes; `--workers` wins",
        json_schema_extra={"when_unset": "one per CPU"},
    )
    THREADS: Whole | None = Field(
        None,
        ge=1,
        le=256,
        description="threads in each of those processes; `--threads` wins",
        json_schema_extra={"when_unset": "32 per CPU, shared among the processes"},
    )
    HEADER_SECONDS: Whole = Field(
        10,
        ge=1,
        le=600,
        description="the longest a client may take to send a request's headers; slower is a 408",
    )
    BODY_SECONDS: Whole = Field(
        60,
        ge=1,
        le=3600,
        description="the longest a client may take to send a request body; slower is a 408",
    )
    SEND_SECONDS: Whole = Field(
        120,
        ge=1,
        le=3600,
        description="the longest a client may take to receive one response before it is cut off",
    )
    GRACEFUL_SECONDS: Whole = Field(
        30,
        ge=1,
        le=3600,
        description="on SIGTERM, how long requests under way may finish before the server stops",
    )
    LOG_FORMAT: Literal["json", "text"] | None = unset(
        "`json` in production, else `text`",
        "`json`: one JSON object a line, one line per request (request id, route, method, "
        "status, duration, user id) and per error; `text`: the server's access log",
    )
    METRICS_ALLOW: Networks = Field(
        "127.0.0.0/8,::1",
        description="comma-separated addresses and networks that may read `/metrics`; others "
        "get a 404 (see Monitoring)",
    )
    WEB_SECRET_KEY: Secret | None = unset(
        "made in the instance folder",
        f"signs the web pages' session cookie; at least {SHORTEST_SECRET} characters, the same "
        "on every instance; required in production",
    )

    DEFAULT_LANGUAGE: Literal["en", "ru", "kk"] = Field(
        "en",
        description="the pages' language for a browser that asks for none of Homeward's, and "
        "the language of reminders to a user who has chosen none",
    )

    SMTP_HOST: str | None = unset(
        "reminders off",
        "the SMTP server that sends reminders by e-mail (see Reminders by e-mail)",
    )
    SMTP_PORT: Whole = Field(587, ge=1, le=65535, description="that server's port")
    SMTP_TLS: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description="`starttls` upgrades the connection, `tls` connects over TLS (port 465), "
        "`none` sends in the clear (a relay on this host only)",
    )
    SMTP_USERNAME: str | None = unset("no sign-in", "the account Homeward signs in to it as")
    SMTP_PASSWORD: str | None = unset("no sign-in", "that account's password")
    SMTP_PASSWORD_FILE: str | None = unset(
        "unset", "a file holding that password instead, kept out of the environment"
    )
    SMTP_FROM: str = Field(
        "homeward@localhost.localdomain",
        description="the reminders' sender address, e.g. `homeward@agency.kz`",
    )
    SMTP_TIMEOUT_SECONDS: Whole = Field(
        30, ge=1, le=600, description="how long connecting to and talking with it may take"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `from_environment` read: the caller says which variables count."""
        return (init_settings,)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: object, info: ValidationInfo) -> object:
        """Empty means unset where unset has a meaning, and is a mistake everywhere else."""
        if not isinstance(value, str):
            return value
        plain_text(value)
        default = cls.model_fields[str(info.field_name)].default
        if value == "" and default is None:
            return None
        if value == "" and default != "":
            raise wanted("must not be empty")
        return value

    @field_validator("SMTP_FROM")
    @classmethod
    def _address(cls, value: str) -> str:
        """A plain address, so the From header it fills can never be bent."""
        from workflow.errors import InvalidInput
        from workflow.reminders.addresses import checked_address

        try:
            return checked_address(value)
        except InvalidInput:
            raise wanted("must be a plain e-mail address such as homeward@agency.kz") from None

    def instance_folder(self) -> Path:
        """Where the default database, signing keys and stored documents live."""
        return Path(self.INSTANCE_PATH).resolve() if self.INSTANCE_PATH else Path.cwd() / "instance"

    def app_values(self, instance: Path) -> dict[str, Any]:
        """The values the app reads: unset files and folders are the instance folder's own."""
        values = self.model_dump()
        for name, field in type(self).model_fields.items():
            relative = noted(field, "in_instance")
            if relative and values[name] is None:
                values[name] = str(instance / str(relative))
        values["DATABASE_URL"] = values["DATABASE_URL"] or default_database_url(instance)
        # An operator's log collector reads JSON; a developer at a terminal reads text.
        values["LOG_FORMAT"] = values["LOG_FORMAT"] or (
            "json" if self.ENV == "production" else "text"
        )
        return values


def noted(field: FieldInfo, key: str) -> object:
    """What `in_instance` or `unset` noted on a setting, if anything."""
    extra = field.json_schema_extra
    return extra.get(key) if isinstance(extra, dict) else None


def bounds(field: FieldInfo) -> tuple[int, int] | None:
    """The least and greatest whole number a setting accepts, if it is a number."""
    limits = {
        name: getattr(m, name) for m in field.metadata for name in ("ge", "le") if hasattr(m, name)
    }
    return (limits["ge"], limits["le"]) if len(limits) == 2 else None


def allowed(field: FieldInfo) -> tuple[str, ...]:
    """The only values a setting accepts, if it names them (whether or not it may stay unset)."""
    annotation = field.annotation
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not NoneType)
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def default_database_url(instance: Path) -> str:
    """The embedded SQLite file inside the instance folder."""
    return f"sqlite:///{instance / 'homeward.sqlite3'}"

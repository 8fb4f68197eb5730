"""What production checks before it serves: every problem found, one line each, so that an
operator fixes them all in one go rather than meeting them one start at a time.

`create_app` refuses a production start on the settings alone; `homeward serve` (and wsgi.py)
also on the files and the database; `homeward doctor` prints every check for an operator before
going live. The checks read settings, files and the database only: they need no running app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from workflow import database_roles, migrations, sealing
from workflow.config import ConfigError
from workflow.demo import AGENCIES as DEMO_AGENCIES
from workflow.demo import USERS as DEMO_USERS
from workflow.identity.passwords import OWASP_MIN_MEMORY_KIB, OWASP_MIN_TIME_COST
from workflow.models import Agency, User

Config = Mapping[str, Any]
DEVELOPMENT_MARK = "(development)"  # in the common name of the certificate development makes
GUIDE = "docs/deployment.md"


class Check(NamedTuple):
    """One thing production needs, and the problems found with it (none: it holds)."""

    name: str
    problems: list[str]


# --- settings -------------------------------------------------------------------------------------


def settings_checks(config: Config) -> list[Check]:
    """The checks on the settings alone, made before the app is built."""
    return [
        Check("web pages' secret", _web_secret(config)),
        Check("public address", _public_url(config)),
        Check("password hashing", _hashing(config)),
    ]


def _web_secret(config: Config) -> list[str]:
    if config.get("WEB_SECRET_KEY"):
        return []
    return [
        "HOMEWARD_WEB_SECRET_KEY is not set: every instance would sign the web pages' sessions "
        "with a secret of its own, and a user would be signed out whenever another answered"
    ]


def _public_url(config: Config) -> list[str]:
    if str(config["PUBLIC_URL"]).startswith("https://"):
        return []
    return [
        "HOMEWARD_PUBLIC_URL must be the service's https address: it is printed on every form "
        "issued, for its QR code, and cannot change afterwards"
    ]


def _hashing(config: Config) -> list[str]:
    strength = int(config["ARGON2_MEMORY_KIB"]) * int(config["ARGON2_TIME_COST"])
    if strength >= OWASP_MIN_MEMORY_KIB * OWASP_MIN_TIME_COST:
        return []
    return [
        "HOMEWARD_ARGON2_MEMORY_KIB × HOMEWARD_ARGON2_TIME_COST is below OWASP's argon2id "
        f"minimum ({OWASP_MIN_MEMORY_KIB} KiB × {OWASP_MIN_TIME_COST})"
    ]


def advice(config: Config) -> list[Check]:
    """What production should have but may start without: warned of, never refused.

    A missing timestamp authority is a warning, not a problem: forms are still signed, and
    their check at /verify (with the facts they state) still works while Homeward runs; what is
    lost is a PDF that proves its own date after the signing certificate expires. An operator
    may have no accredited authority yet, and refusing to start would stop every form."""
    return [Check("trusted timestamps", _timestamps(config))]


def _timestamps(config: Config) -> list[str]:
    if config.get("TIMESTAMP_URL"):
        return []
    return [
        "HOMEWARD_TIMESTAMP_URL is not set: forms are signed without a trusted time, so a "
        "signature cannot be shown to predate its certificate's expiry or revocation"
    ]


# --- keys and certificates ------------------------------------------------------------------------


def file_checks(config: Config) -> list[Check]:
    """The keys and the certificate production must be given; development makes its own."""
    return [
        Check("token signing keys", _token_keys(Path(config["KEYS_DIR"]))),
        Check("data keys", _data_keys(Path(config["DATA_KEYS_DIR"]))),
        Check(
            "form signing certificate",
            _form_certificate(
                Path(config["FORM_SIGNING_KEY_FILE"]), Path(config["FORM_SIGNING_CERT_FILE"])
            ),
        ),
        Check("audit checkpoint key", _checkpoint_key(Path(config["AUDIT_KEY_FILE"]))),
    ]


def _token_keys(directory: Path) -> list[str]:
    if any(directory.glob("*.pem")):
        return []
    return [
        f"no token signing key in HOMEWARD_KEYS_DIR ({directory}): run `homeward keys rotate` "
        "once, with the folder every instance reads"
    ]


def _data_keys(directory: Path) -> list[str]:
    """What stops the data keys loading as the service loads them: none, a folder copied
    without its search index key, or a key that cannot be read."""
    try:
        sealing.load(directory)
    except ConfigError as error:
        return [str(error)]
    return []


def _form_certificate(key_file: Path, cert_file: Path) -> list[str]:
    if not key_file.is_file() or not cert_file.is_file():
        return [
            "no form signing key and certificate at HOMEWARD_FORM_SIGNING_KEY_FILE and "
            "HOMEWARD_FORM_SIGNING_CERT_FILE: ask your PKI for a document-signing certificate"
        ]
    try:
        certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except ValueError:
        return [f"{cert_file.name} is not a PEM certificate"]
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if any(DEVELOPMENT_MARK in str(name.value) for name in names):
        return [
            f"{cert_file.name} is the self-signed certificate development made: forms signed "
            "with it prove nothing; use one from your PKI"
        ]
    return []


def _checkpoint_key(path: Path) -> list[str]:
    if path.is_file():
        return []
    return [
        "no audit checkpoint key at HOMEWARD_AUDIT_KEY_FILE: run `homeward audit keygen` once, "
        "so that `homeward upkeep` can sign the trail's checkpoints"
    ]


# --- the database ---------------------------------------------------------------------------------


def database_checks(engine: Engine) -> list[Check]:
    """The database answers, its schema is current, it holds no demo accounts, and the role
    that serves does not own the schema (which would let it drop the trail's triggers)."""
    try:
        connection = engine.connect()
    except SQLAlchemyError as error:  # no server, no such database, refused credentials
        unreachable = (
            f"the database cannot be reached ({type(error).__name__}): check "
            "HOMEWARD_DATABASE_URL and that the server answers"
        )
        return [Check("database", [unreachable])]
    with connection:
        return [
            Check(name, _guarded(connection, check))
            for name, check in (
                ("schema", _schema),
                ("demo accounts", _demo_accounts),
                ("database role", _role),
            )
        ]


def _guarded(connection: Connection, check: Callable[[Connection], list[str]]) -> list[str]:
    """A check's problems; a table missing or a right refused said as what to run about it."""
    try:
        with connection.begin():
            return check(connection)
    except SQLAlchemyError as error:
        if database_roles.lacks_a_right(error):
            return ["this role may not read the tables: as the owner, run `homeward db grant ROLE`"]
        return [f"the schema cannot be read ({type(error).__name__}): run `homeward db upgrade`"]


def _schema(connection: Connection) -> list[str]:
    standing = migrations.schema_standing(connection)
    if standing == "current":
        return []
    if standing == "behind":
        return ["the schema is behind this release: run `homeward db upgrade` as the owner role"]
    return ["the schema is from a newer release than this one: install that release"]


def _demo_accounts(connection: Connection) -> list[str]:
    demo = select(User.username, Agency.name).join(Agency, Agency.id == User.agency_id)
    found = sorted(
        username
        for username, agency in connection.execute(demo.where(User.username.in_(list(DEMO_USERS))))
        if DEMO_USERS[username][1] == agency and agency in DEMO_AGENCIES
    )
    if not found:
        return []
    return [
        f"the demo accounts are in this database ({', '.join(found)}), with a password anyone "
        "who ran the demo knows: start production from an empty database"
    ]


def _role(connection: Connection) -> list[str]:
    if connection.dialect.name != "postgresql":
        return []  # SQLite has no roles: the file's permissions are its only guard
    owner = connection.exec_driver_sql(  # owning it through a role it is a member of counts
        "SELECT pg_has_role(current_user, tableowner, 'USAGE'), "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        "FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'audit_events'"
    ).first()
    if owner is None or not (owner[0] or owner[1]):
        return []
    return [
        "the database role serving owns the schema or is a superuser, so it could drop the "
        "audit trail's append-only triggers: serve with a runtime role given its rights by "
        f"`homeward db grant` (see {GUIDE})"
    ]


# --- all of them ----------------------------------------------------------------------------------


def all_checks(config: Config, engine: Engine) -> list[Check]:
    """Every check production makes, in the order an operator would fix them."""
    return [*settings_checks(config), *file_checks(config), *database_checks(engine)]


def problems(checks: list[Check]) -> list[str]:
    """Every problem the checks found, one line each."""
    return [problem for check in checks for problem in check.problems]


def refuse_unsafe(checks: list[Check]) -> None:
    """Stop a production start, naming every problem the checks found."""
    found = problems(checks)
    if found:
        raise ConfigError(*found)

"""The HOMEWARD_* settings on their own, no app: what each accepts, and the one line a mistake
stops the service with, which names the variable and never repeats its value."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow import config
from workflow.config import ConfigError, Settings, from_environment
from workflow.config.checks import working_hours

MINUTES = "HOMEWARD_ACCESS_TOKEN_MINUTES must be a whole number from 1 to 1440"
HOPS = "HOMEWARD_TRUSTED_PROXY_HOPS must be a whole number from 0 to 5"
HOURS = (
    "HOMEWARD_WORKING_HOURS must be two UTC hours from 00 to 24 joined by a hyphen, the first "
    "not after the second, such as 08-19"
)
ENVIRONMENTS = "HOMEWARD_ENV must be one of: development, production"
FLAG = "HOMEWARD_REQUIRE_SECOND_FACTOR must be true or false"
CONTROL = "must not contain control characters"
ORIGINS = (
    "HOMEWARD_CORS_ORIGINS must be origins separated by commas, each a scheme, host and optional "
    "port such as https://app.example"
)
LANGUAGES = (
    "HOMEWARD_FORM_LANGUAGES must be language codes separated by commas, each once, such as ru,en"
)
STORE = "HOMEWARD_DOCUMENT_STORE must be a folder, or s3://bucket/prefix with a valid bucket name"
ADDRESS = "must be an http:// or https:// address, such as https://homeward.example"
NETWORKS = (
    "HOMEWARD_METRICS_ALLOW must be IP addresses or networks separated by commas, such as "
    "127.0.0.1,::1,10.0.0.0/8"
)


def refusal(variables: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as refused:
        from_environment(variables)
    return str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        # The environment's name, which decides whether keys may be made up on the spot.
        ("HOMEWARD_ENV", "Production", ENVIRONMENTS),
        ("HOMEWARD_ENV", "PRODUCTION", ENVIRONMENTS),
        ("HOMEWARD_ENV", "prod", ENVIRONMENTS),
        ("HOMEWARD_ENV", "test", ENVIRONMENTS),
        ("HOMEWARD_ENV", " production", ENVIRONMENTS),
        ("HOMEWARD_ENV", "production\n", f"HOMEWARD_ENV {CONTROL}"),
        ("HOMEWARD_ENV", "", "HOMEWARD_ENV must not be empty"),
        # Whole numbers: malformed, negative, zero, empty, oversized, hostile, other scripts.
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "ten", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "-5", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "0", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "1441", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "9" * 20, MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "9" * 5000, MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "1.5", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "10.0", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "+10", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", " 10", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "1_0", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "10\n", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "1\x000", MINUTES),
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "٣", MINUTES),  # Arabic-Indic three: int() reads it
        ("HOMEWARD_ACCESS_TOKEN_MINUTES", "３", MINUTES),  # fullwidth three: so does this
        ("HOMEWARD_TRUSTED_PROXY_HOPS", "٣", HOPS),  # str.isdigit() let this trust 3 proxies
        ("HOMEWARD_TRUSTED_PROXY_HOPS", "6", HOPS),
        ("HOMEWARD_TRUSTED_PROXY_HOPS", "-1", HOPS),
        ("HOMEWARD_TRUSTED_PROXY_HOPS", "two", HOPS),
        ("HOMEWARD_WORKERS", "0", "HOMEWARD_WORKERS must be a whole number from 1 to 64"),
        ("HOMEWARD_THREADS", "257", "HOMEWARD_THREADS must be a whole number from 1 to 256"),
        # A switch: only `true` or `false`, since "yes", "1" or "ture" would be a guess.
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", "yes", FLAG),
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", "1", FLAG),
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", "True", FLAG),
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", "ture", FLAG),
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", " true", FLAG),
        ("HOMEWARD_REQUIRE_SECOND_FACTOR", "", "HOMEWARD_REQUIRE_SECOND_FACTOR must not be empty"),
        # Working hours, which the auditors' report reads.
        ("HOMEWARD_WORKING_HOURS", "8-25", HOURS),
        ("HOMEWARD_WORKING_HOURS", "abc", HOURS),
        ("HOMEWARD_WORKING_HOURS", "19-08", HOURS),
        ("HOMEWARD_WORKING_HOURS", "08:00-19:00", HOURS),
        ("HOMEWARD_WORKING_HOURS", "-1-19", HOURS),
        ("HOMEWARD_WORKING_HOURS", "٠٨-١٩", HOURS),
        ("HOMEWARD_WORKING_HOURS", "", "HOMEWARD_WORKING_HOURS must not be empty"),
        # Addresses, lists and places.
        ("HOMEWARD_PUBLIC_URL", "homeward.example", f"HOMEWARD_PUBLIC_URL {ADDRESS}"),
        ("HOMEWARD_PUBLIC_URL", "ftp://homeward.example", f"HOMEWARD_PUBLIC_URL {ADDRESS}"),
        ("HOMEWARD_PUBLIC_URL", "https://homeward.example/?a=1", f"HOMEWARD_PUBLIC_URL {ADDRESS}"),
        ("HOMEWARD_PUBLIC_URL", "https://homeward.example:99999", f"HOMEWARD_PUBLIC_URL {ADDRESS}"),
        ("HOMEWARD_S3_ENDPOINT_URL", "minio:9000", f"HOMEWARD_S3_ENDPOINT_URL {ADDRESS}"),
        ("HOMEWARD_CORS_ORIGINS", "*", ORIGINS),
        ("HOMEWARD_CORS_ORIGINS", "null", ORIGINS),
        ("HOMEWARD_CORS_ORIGINS", "https://app.example/", ORIGINS),
        ("HOMEWARD_CORS_ORIGINS", "https://app.example,app2.example", ORIGINS),
        ("HOMEWARD_METRICS_ALLOW", "localhost", NETWORKS),
        ("HOMEWARD_METRICS_ALLOW", "10.0.0.1/8", NETWORKS),  # host bits set: a typo, likely
        ("HOMEWARD_METRICS_ALLOW", "10.0.0.0/33", NETWORKS),
        ("HOMEWARD_METRICS_ALLOW", "127.0.0.1,,::1", NETWORKS),
        ("HOMEWARD_METRICS_ALLOW", "127.0.0.1;::1", NETWORKS),
        ("HOMEWARD_METRICS_ALLOW", "*", NETWORKS),
        (
            "HOMEWARD_LOGIN_OFFICE_NETWORKS",
            "192.0.2.0/24,офис",
            NETWORKS.replace("METRICS_ALLOW", "LOGIN_OFFICE_NETWORKS"),
        ),
        ("HOMEWARD_METRICS_ALLOW", "", "HOMEWARD_METRICS_ALLOW must not be empty"),
        ("HOMEWARD_LOG_FORMAT", "JSON", "HOMEWARD_LOG_FORMAT must be one of: json, text"),
        ("HOMEWARD_FORM_LANGUAGES", "ru,ru", LANGUAGES),
        ("HOMEWARD_FORM_LANGUAGES", "ru,,en", LANGUAGES),
        ("HOMEWARD_FORM_LANGUAGES", "RU", LANGUAGES),
        ("HOMEWARD_FORM_LANGUAGES", "", "HOMEWARD_FORM_LANGUAGES must not be empty"),
        ("HOMEWARD_DOCUMENT_STORE", "s3://", STORE),
        ("HOMEWARD_DOCUMENT_STORE", "s3://Not_A_Bucket/documents", STORE),
        ("HOMEWARD_DOCUMENT_STORE", "S3://bucket", STORE),  # would have been a folder named S3:
        ("HOMEWARD_DOCUMENT_STORE", "gs://bucket", STORE),
        (
            "HOMEWARD_DATABASE_URL",
            "homeward.sqlite3",
            "HOMEWARD_DATABASE_URL must be a database URL such as "
            "postgresql+psycopg://user@host/homeward",
        ),
        # Text that could bend a log line or a header, or is longer than any path.
        ("HOMEWARD_JWT_ISSUER", "homeward\r\nX-Injected: 1", f"HOMEWARD_JWT_ISSUER {CONTROL}"),
        ("HOMEWARD_KEYS_DIR", "/srv/keys\x1b[2J", f"HOMEWARD_KEYS_DIR {CONTROL}"),
        ("HOMEWARD_WORKFLOW", "default\u202e", f"HOMEWARD_WORKFLOW {CONTROL}"),  # bidi override
        ("HOMEWARD_WORKFLOW", "de\u200bfault", f"HOMEWARD_WORKFLOW {CONTROL}"),  # zero-width
        ("HOMEWARD_WORKFLOW", "", "HOMEWARD_WORKFLOW must not be empty"),
        (
            "HOMEWARD_OIDC_PROVIDERS",
            "/" + "p" * 4096,
            "HOMEWARD_OIDC_PROVIDERS must be at most 4096 characters",
        ),
    ],
)
def test_a_bad_value_is_refused_with_one_line_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    assert refusal({variable: value}) == message


@pytest.mark.parametrize(
    ("variable", "secret", "message"),
    [
        (
            "HOMEWARD_WEB_SECRET_KEY",
            "hunter2-too-short",
            "HOMEWARD_WEB_SECRET_KEY must be at least 32 characters",
        ),
        (
            "HOMEWARD_WEB_SECRET_KEY",
            "a-long-enough-secret-but-with-a-newline\n",
            f"HOMEWARD_WEB_SECRET_KEY {CONTROL}",
        ),
        ("HOMEWARD_DEMO_PASSWORD", "hunter2\x00", f"HOMEWARD_DEMO_PASSWORD {CONTROL}"),
        (
            "HOMEWARD_DATABASE_URL",
            "postgresql+psycopg://homeward:hunter2@db:port/homeward",
            "HOMEWARD_DATABASE_URL must be a database URL such as "
            "postgresql+psycopg://user@host/homeward",
        ),
    ],
)
def test_a_refusal_never_repeats_a_secret(variable: str, secret: str, message: str) -> None:
    said = refusal({variable: secret})

    assert said == message
    assert "hunter2" not in said and secret.strip() not in said


def test_every_problem_is_named_once_on_one_line_in_the_order_declared() -> None:
    said = refusal(
        {
            "HOMEWARD_WORKING_HOURS": "8-25",
            "HOMEWARD_ENV": "Production",
            "HOMEWARD_TRUSTED_PROXY_HOPS": "٣",
        }
    )

    assert said == f"{ENVIRONMENTS}; {HOPS}; {HOURS}"
    assert "\n" not in said


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, {"ENV": "development", "TRUSTED_PROXY_HOPS": 0, "WORKERS": None, "THREADS": None}),
        (
            {"HOMEWARD_ENV": "production", "HOMEWARD_TRUSTED_PROXY_HOPS": "5"},
            {"ENV": "production", "TRUSTED_PROXY_HOPS": 5},
        ),
        ({"HOMEWARD_ACCESS_TOKEN_MINUTES": "0010"}, {"ACCESS_TOKEN_MINUTES": 10}),
        ({"HOMEWARD_WORKERS": "64", "HOMEWARD_THREADS": "1"}, {"WORKERS": 64, "THREADS": 1}),
        ({"HOMEWARD_WORKING_HOURS": "0-24"}, {"WORKING_HOURS": "0-24"}),
        ({}, {"REQUIRE_SECOND_FACTOR": False}),
        ({"HOMEWARD_REQUIRE_SECOND_FACTOR": "true"}, {"REQUIRE_SECOND_FACTOR": True}),
        ({"HOMEWARD_REQUIRE_SECOND_FACTOR": "false"}, {"REQUIRE_SECOND_FACTOR": False}),
        (
            {"HOMEWARD_CORS_ORIGINS": "https://app.example, http://127.0.0.1:8080"},
            {"CORS_ORIGINS": "https://app.example, http://127.0.0.1:8080"},
        ),
        ({"HOMEWARD_FORM_LANGUAGES": "kk,ru,en"}, {"FORM_LANGUAGES": "kk,ru,en"}),
        (
            {"HOMEWARD_METRICS_ALLOW": "10.0.0.0/8, 192.0.2.7,fd00::/8"},
            {"METRICS_ALLOW": "10.0.0.0/8, 192.0.2.7,fd00::/8"},
        ),
        ({"HOMEWARD_LOG_FORMAT": ""}, {"LOG_FORMAT": None}),  # unset: by HOMEWARD_ENV
        (
            {"HOMEWARD_DOCUMENT_STORE": "s3://homeward-documents/cases"},
            {"DOCUMENT_STORE": "s3://homeward-documents/cases"},
        ),
        ({"HOMEWARD_DOCUMENT_STORE": "/srv/Документы"}, {"DOCUMENT_STORE": "/srv/Документы"}),
        (
            {"HOMEWARD_PUBLIC_URL": "https://homeward.example/cases"},
            {"PUBLIC_URL": "https://homeward.example/cases"},
        ),
        # Empty means unset where unset has a meaning: CORS off, the instance folder's own.
        ({"HOMEWARD_CORS_ORIGINS": ""}, {"CORS_ORIGINS": ""}),
        (
            {"HOMEWARD_DATABASE_URL": "", "HOMEWARD_WEB_SECRET_KEY": "", "HOMEWARD_WORKERS": ""},
            {"DATABASE_URL": None, "WEB_SECRET_KEY": None, "WORKERS": None},
        ),
    ],
)
def test_good_values_are_read_as_their_types(
    variables: dict[str, str], expected: dict[str, object]
) -> None:
    settings = from_environment(variables).model_dump()

    assert {name: settings[name] for name in expected} == expected


def test_only_the_variables_given_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMEWARD_ENV", "Production")
    monkeypatch.setenv("HOMEWARD_THREADS", "4")

    assert from_environment({"HOMEWARD_THREADS": "8"}).THREADS == 8
    assert from_environment({}).ENV == "development"


def test_names_are_read_exactly_as_declared() -> None:
    settings = from_environment({"homeward_env": "production", "HOMEWARD_env": "production"})

    assert settings.ENV == "development"


def test_a_tests_override_is_checked_like_the_environment() -> None:
    overridden = from_environment({"HOMEWARD_THREADS": "8"}, {"THREADS": 2, "TESTING": True})

    assert overridden.THREADS == 2
    with pytest.raises(ConfigError, match=f"^{HOPS}$"):
        from_environment({}, {"TRUSTED_PROXY_HOPS": "two"})


def test_the_app_gets_every_setting_with_files_in_the_instance_folder(tmp_path: Path) -> None:
    values = config.app_config(tmp_path, {"BACKUP_KEY_FILE": "/keys/backup.key", "TESTING": True})

    assert set(Settings.model_fields) <= set(values)
    assert values["KEYS_DIR"] == str(tmp_path / "keys")
    assert values["FORM_SIGNING_CERT_FILE"] == str(tmp_path / "forms" / "signing-cert.pem")
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'homeward.sqlite3'}"
    assert values["BACKUP_KEY_FILE"] == "/keys/backup.key"
    assert values["TESTING"] is True


def test_the_instance_folder_is_the_working_folders_own_unless_named() -> None:
    assert config.instance_path({}) == Path.cwd() / "instance"
    assert config.instance_path({"HOMEWARD_INSTANCE_PATH": ""}) == Path.cwd() / "instance"
    named = {"HOMEWARD_INSTANCE_PATH": "/srv/homeward/../homeward"}
    assert config.instance_path(named) == Path("/srv/homeward")


def test_reading_the_instance_folder_checks_every_setting() -> None:
    with pytest.raises(ConfigError, match=f"^{ENVIRONMENTS}$"):
        config.instance_path({"HOMEWARD_ENV": "Production", "HOMEWARD_INSTANCE_PATH": "/srv"})


@pytest.mark.parametrize(
    ("text", "hours"), [("08-19", (8, 19)), ("8-19", (8, 19)), ("0-24", (0, 24)), ("0-0", (0, 0))]
)
def test_working_hours_are_read_in_one_place(text: str, hours: tuple[int, int]) -> None:
    assert working_hours(text) == hours


def test_the_check_names_unknown_variables_but_not_a_commands_own() -> None:
    found = config.problems(
        {
            "HOMEWARD_ENVIRONMENT": "production",
            "HOMEWARD_ENV": "Production",
            "HOMEWARD_NEW_PASSWORD": "for users create",
            "PATH": "/usr/bin",
        }
    )

    assert found == [ENVIRONMENTS, "HOMEWARD_ENVIRONMENT is not a Homeward setting"]
    assert config.problems({"HOMEWARD_ENV": "production"}) == []

"""Configuration: defaults, then HOMEWARD_* environment variables, then a test's override, all
checked before anything starts, so that a mistake stops the service with one line naming it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import EnvSettingsSource

from workflow.config.settings import PREFIX, Settings, allowed, bounds

__all__ = [
    "PREFIX",
    "ConfigError",
    "Settings",
    "app_config",
    "from_environment",
    "instance_path",
]

# Read by `homeward users create` and `update` for a password, never by the service.
NOT_SETTINGS = frozenset({"HOMEWARD_NEW_PASSWORD"})


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the service refuses to start."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def from_environment(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read the HOMEWARD_* variables (the process's unless given), then a test's overrides."""
    variables = os.environ if environ is None else environ
    values = {**_Variables(variables)(), **declared(overrides or {})}
    try:
        return Settings(**values)
    except ValidationError as error:
        raise ConfigError(*_problems(error)) from None


def instance_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the default database, signing keys and stored documents live. Reading it checks
    every setting, so that a mistake stops the service before anything is built."""
    return from_environment(environ).instance_folder()


def app_config(instance: Path, test_config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The app's configuration: the settings, a test's overrides of them checked the same way,
    and the test's Flask keys, such as TESTING or SECRET_KEY, as they are."""
    overrides = test_config or {}
    settings = from_environment(overrides=overrides)
    return {**settings.app_values(instance), **undeclared(overrides)}


def declared(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides that are Homeward settings, checked like the environment's."""
    return {name: value for name, value in overrides.items() if name in Settings.model_fields}


def undeclared(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides that are Flask's own, such as TESTING or SECRET_KEY."""
    return {name: value for name, value in overrides.items() if name not in Settings.model_fields}


def problems(environ: Mapping[str, str]) -> list[str]:
    """Every problem with these variables, one line each, including names Homeward never reads
    (a misspelt HOMEWARD_ENVIRONMENT=production would otherwise run as development)."""
    try:
        from_environment(environ)
    except ConfigError as error:
        found = list(error.problems)
    else:
        found = []
    unknown = sorted(name for name in environ if _is_unknown(name))
    return found + [f"{name} is not a Homeward setting" for name in unknown]


def _is_unknown(name: str) -> bool:
    return (
        name.startswith(PREFIX)
        and name.removeprefix(PREFIX) not in Settings.model_fields
        and name not in NOT_SETTINGS
    )


def _problems(error: ValidationError) -> list[str]:
    lines: dict[str, str] = {}
    for detail in error.errors(include_url=False, include_input=False):
        name = str(detail["loc"][0])
        lines.setdefault(name, f"{PREFIX}{name} {_requirement(name, detail)}")
    return list(lines.values())


def _requirement(name: str, detail: ErrorDetails) -> str:
    """What the setting accepts, from its declaration; never the value that was given."""
    field = Settings.model_fields[name]
    if span := bounds(field):
        return f"must be a whole number from {span[0]} to {span[1]}"
    if detail["type"] == "setting":
        return detail["msg"]
    if choices := allowed(field):
        return f"must be one of: {', '.join(choices)}"
    return "is malformed"


class _Variables(EnvSettingsSource):
    """pydantic-settings' reading of HOMEWARD_* variables, over the variables given rather than
    the process's own, so that a test or `homeward config check` can name them."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self._variables = dict(variables)
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._variables

"""Fuzz every operation of the served OpenAPI document through the app, with real tokens: no
server error, no status or body the document does not declare, no success without sign-in."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
BOUNDED = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same requests on every run, so CI is repeatable
    database=None,  # no example database written into the working tree
    # One app and one database serve every operation's examples, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True, scope="module")
def _hypothesis_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the caches Hypothesis writes (even without a database) out of the working tree."""
    # Not restored afterwards: Hypothesis also writes them after the tests, when the run ends.
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


def served_operations(app: Any) -> list[Any]:
    """Every operation in the document the app serves, bound to the app for in-process calls."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def caller_for(operation: Any) -> str:
    """Auditors read the trail; logout ends a session of its own, not the one the rest use."""
    if operation.path.startswith("/api/v1/audit/"):
        return "auditor"
    return "lawyer2" if operation.path == "/api/v1/auth/logout" else "lawyer"


def known_ids(operation: Any, mode: GenerationMode, case_id: str) -> dict[str, str]:
    """Valid requests name the real case, so they reach the views' rules, not only the 404."""
    names = {parameter.name for parameter in operation.path_parameters}
    return {"case_id": case_id} if mode is GenerationMode.POSITIVE and "case_id" in names else {}


def has_inputs(operation: Any) -> bool:
    parts = (operation.path_parameters, operation.query, operation.headers, operation.body)
    return any(len(part) for part in parts)


def fuzz(operation: Any, mode: GenerationMode, case_id: str, headers: dict[str, str]) -> None:
    """Send generated requests to one operation and check every answer."""
    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=known_ids(operation, mode, case_id)
    )

    @BOUNDED
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


# Schemathesis's own `parametrize` reads the document at collection, before any app exists, and
# its fixture-based variant does not run on pytest 9.2; one subtest per operation does the same.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_errs_or_answers_outside_its_document(
    app: Any, api: Api, subtests: pytest.Subtests, mode: GenerationMode
) -> None:
    case_id = api.create_case("lawyer")["id"]
    operations = served_operations(app)
    assert len(operations) > 30  # the whole API, not a document that lost its blueprints
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not has_inputs(operation):
            continue  # nothing in the request to get wrong
        with subtests.test(operation.label):
            fuzz(operation, mode, case_id, api.headers(caller_for(operation)))

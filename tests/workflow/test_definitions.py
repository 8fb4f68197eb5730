"""Workflow definitions are data: validated on load, versioned, and a country can change them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.factories import Api
from tests.workflow.helpers import set_states
from workflow import transactions
from workflow.rules import catalogue
from workflow.rules.catalogue import BUILT_IN, DefinitionError, read_file
from workflow.rules.definition import Definition


def _default() -> dict[str, Any]:
    return dict(yaml.safe_load((BUILT_IN / "default.yaml").read_text(encoding="utf-8")))


def _write(tmp_path: Path, body: dict[str, Any]) -> Path:
    path = tmp_path / "workflow.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def test_every_built_in_definition_is_valid() -> None:
    names = {Definition.model_validate(read_file(p)).name for p in BUILT_IN.glob("*.yaml")}
    assert names == {"default", "guardianship-first", "kazakhstan"}


def _break_transition_target(body: dict[str, Any]) -> None:
    body["tracks"][0]["transitions"][0]["to"] = "nowhere"


def _duplicate_action(body: dict[str, Any]) -> None:
    transitions = body["tracks"][0]["transitions"]
    transitions.append(dict(transitions[0]))


def _require_unknown_track(body: dict[str, Any]) -> None:
    body["tracks"][0]["transitions"][0]["requires"] = {"track": "astrology", "in": ["done"]}


def _choice_without_options(body: dict[str, Any]) -> None:
    body["tracks"][0]["transitions"][1]["fields"] = {"verdict": {"kind": "choice"}}


def _unknown_case_check(body: dict[str, Any]) -> None:
    body["tracks"][0]["transitions"][0]["case_checks"] = ["rm -rf /"]


def _unknown_role(body: dict[str, Any]) -> None:
    body["tracks"][0]["transitions"][0]["performed_by"] = [{"role": "god", "agency_kind": "ngo"}]


def _unknown_key(body: dict[str, Any]) -> None:
    body["tracks"][0]["colour"] = "blue"


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (_break_transition_target, "nowhere"),
        (_duplicate_action, "request"),
        (_require_unknown_track, "astrology"),
        (_choice_without_options, "choice"),
        (_unknown_case_check, "case check"),
        (_unknown_role, "role"),
        (_unknown_key, "colour"),
    ],
)
def test_an_invalid_definition_is_refused_naming_the_problem(
    tmp_path: Path, breakage: Any, named: str
) -> None:
    body = _default()
    breakage(body)
    with pytest.raises(DefinitionError, match=named):
        read_file(_write(tmp_path, body))


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(b"name: [unclosed\n\xff\xfe")
    with pytest.raises(DefinitionError, match=r"broken\.yaml"):
        read_file(path)


def test_the_same_version_with_other_content_is_refused(app: Any, tmp_path: Path) -> None:
    body = _default()
    body["title"] = "Edited without a new version"
    with app.app_context(), pytest.raises(DefinitionError, match="higher version"):
        catalogue.register(transactions.session(), read_file(_write(tmp_path, body)))


def test_a_case_stays_on_the_version_it_was_opened_on(app: Any, api: Api, tmp_path: Path) -> None:
    old_case = api.create_case()
    body = _default()
    body["version"] = 4
    dna = body["tracks"][0]
    dna["transitions"] = [t for t in dna["transitions"] if t["action"] != "refuse"]
    with app.app_context(), transactions.unit_of_work() as session:
        catalogue.register(session, read_file(_write(tmp_path, body)))
    new_case = api.create_case()
    assert old_case["workflow"] == {"name": "default", "version": 3}
    assert new_case["workflow"] == {"name": "default", "version": 4}

    for case in (old_case, new_case):
        set_states(app, case["id"], {"dna": "requested"})
    old_allowed = api.case("judge", old_case["id"])["allowed_transitions"]
    new_allowed = api.case("judge", new_case["id"])["allowed_transitions"]
    assert {"track": "dna", "action": "refuse"} in old_allowed
    assert {"track": "dna", "action": "refuse"} not in new_allowed
    response = api.transition("judge", new_case["id"], "dna", "refuse", {"reason": "No"})
    assert response.status_code == 422  # version 4 has no such action


def test_the_workflow_endpoint_serves_the_contract_shape(api: Api) -> None:
    body = api.get("lawyer", "/api/v1/workflow").json
    assert (body["name"], body["version"]) == ("default", 3)
    dna = next(t for t in body["tracks"] if t["name"] == "dna")
    request = next(t for t in dna["transitions"] if t["action"] == "request")
    assert request["performed_by"] == [{"role": "lawyer", "agency_kind": "ngo"}]
    assert request["data_schema"]["required"] == ["reference_person", "relationship_tested"]
    assert request["evidence_kinds"] == ["consent"]
    confirmed = next(s for s in dna["states"] if s["name"] == "confirmed")
    assert confirmed["final"] is True
    citizenship = next(t for t in body["tracks"] if t["name"] == "citizenship")
    file = next(t for t in citizenship["transitions"] if t["action"] == "file")
    assert file["requires"]["all_of"][1] == {
        "any_of": [
            {"track": "dna", "in": ["confirmed"]},
            {"track": "parentage", "in": ["established"]},
        ]
    }


def test_a_named_older_version_can_be_read(api: Api) -> None:
    response = api.get("lawyer", "/api/v1/workflow?name=guardianship-first&version=1")
    assert response.json["name"] == "guardianship-first"
    assert api.get("lawyer", "/api/v1/workflow?name=nope&version=9").status_code == 404


def test_a_country_workflow_runs_without_code_changes(app: Any, api: Api) -> None:
    app.config["WORKFLOW"] = "guardianship-first"
    mother = {
        "relation": "mother",
        "names": [{"script": "Latn", "given": "Zarina"}],
        "alive": True,
        "whereabouts": "in_country",
    }
    granny = {"relation": "grandmother", "names": [{"script": "Latn", "given": "Saule"}]}
    case = api.create_case(people=[mother, granny])
    assert case["workflow"]["name"] == "guardianship-first"
    assert case["tracks"]["guardianship"]["state"] == "required"  # always, even with mother home
    assert "parentage" not in case["tracks"]
    case_id, granny_id = case["id"], api.person(case, "grandmother")
    for username, track, action, data in [
        ("lawyer", "birth_registration", "file", {}),  # no DNA needed first
        (
            "registrar",
            "birth_registration",
            "register",
            {"certificate_number": "B-1", "registered_on": "2026-10-01"},
        ),
        (
            "lawyer",
            "guardianship",
            "file_petition",
            {"proposed_guardian": granny_id, "relationship": "grandmother"},
        ),
        ("judge", "guardianship", "grant", {"order_number": "G-1", "guardian": granny_id}),
        ("lawyer", "citizenship", "file", {}),
        ("citizenship", "citizenship", "grant", {"identifier": "P-1"}),
        ("lawyer", "identity_document", "apply", {}),
        (
            "citizenship",
            "identity_document",
            "issue",
            {"document_number": "N-1", "expires_on": "2036-01-01"},
        ),
    ]:
        api.step(username, case_id, track, action, data)
    assert api.case("lawyer", case_id)["status"] == "complete"


def test_diagram_command_writes_mermaid_for_every_track(runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["workflow", "diagram", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "workflow-default.md").read_text(encoding="utf-8")
    assert text.count("```mermaid") == 6
    assert "requested --> authorized: authorize (court)" in text
    assert "samples_collected --> confirmed: confirm (forensic_lab)" in text


def test_the_diagrams_in_docs_match_the_definitions(runner: Any, tmp_path: Path) -> None:
    runner.invoke(args=["workflow", "diagram", "--out", str(tmp_path)])
    docs = Path(__file__).resolve().parents[2] / "docs"
    for generated in tmp_path.glob("workflow-*.md"):
        committed = docs / generated.name
        assert committed.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
            "run `make diagram` and commit docs/"
        )

"""Who may generate a form, what the trail records of it, and what is kept when it fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from forms.catalogue import FormError, load_definitions, load_labels
from forms.models import IssuedForm
from forms.sheet import form_languages
from forms.signing import form_signer
from tests.audit.helpers import events
from tests.factories import Api
from tests.forms.helpers import KAZAKH_CHILD, generate, issued, logical_text
from workflow import transactions
from workflow.config import ConfigError

LABELS = Path(__file__).parents[2] / "forms" / "labels"
DEFINITIONS = Path(__file__).parents[2] / "forms" / "definitions.yaml"


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    case = api.create_case(child=KAZAKH_CHILD)
    api.request_dna(case)
    return case


def issued_forms(app: Any) -> int:
    with app.app_context():
        return int(transactions.session().scalar(select(func.count()).select_from(IssuedForm)) or 0)


@pytest.mark.parametrize("username", ["lawyer2", "lawyer3", "registrar", "auditor", "admin"])
def test_a_user_off_the_case_cannot_tell_it_exists(
    app: Any, api: Api, case: dict, username: str
) -> None:
    response = generate(api, case["id"], "case-summary", username=username)

    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    assert issued_forms(app) == 0


def test_an_official_who_sees_the_case_still_cannot_generate_forms(
    app: Any, api: Api, case: dict
) -> None:
    response = generate(
        api, case["id"], "dna-request", username="judge"
    )  # the DNA step waits on the court

    assert response.status_code == 403
    assert response.json["error"]["code"] == "not_permitted"
    assert issued_forms(app) == 0


def test_an_unknown_form_is_not_found_and_lists_the_forms(api: Api, case: dict) -> None:
    response = generate(api, case["id"], "passport-<b>")

    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    assert "case-summary" in response.json["error"]["details"]["forms"]


@pytest.mark.parametrize(
    "query", ["variant=secret", "variant=", "variant=" + "x" * 5000, "extra=1"]
)
def test_a_malformed_query_is_refused(api: Api, case: dict, query: str) -> None:
    response = api.post("lawyer", f"/api/v1/cases/{case['id']}/forms/case-summary?{query}")

    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")


def test_a_form_request_needs_a_token(client: Any, case: dict) -> None:
    response = client.post(f"/api/v1/cases/{case['id']}/forms/case-summary")

    assert (response.status_code, response.json["error"]["code"]) == (401, "not_authenticated")


def test_generating_and_checking_a_form_are_in_the_trail(
    app: Any, api: Api, client: Any, case: dict
) -> None:
    response = generate(api, case["id"], "guardianship-petition")
    client.get(f"/verify/{response.headers['X-Verification-Code']}")

    generated, checked = events(app)[-2:]
    assert generated.action == "form.generate" and generated.username == "lawyer"
    assert generated.case_reference == case["reference"]
    assert generated.detail["kind"] == "guardianship-petition"
    assert checked.action == "form.verify" and checked.username is None
    assert checked.detail["genuine"] is True and checked.detail["form"] == generated.detail["form"]
    exported = api.get("auditor", "/api/v1/audit/export?format=jsonl").text
    assert exported.count("form.generate") == 1
    for name in KAZAKH_CHILD["names"]:
        assert name["given"] not in exported and name["family"] not in exported
    assert api.get("auditor", "/api/v1/audit/verify").json["ok"] is True


def test_a_form_whose_audit_event_fails_is_not_recorded_either(
    app: Any, api: Api, case: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_append(*_args: Any, **_fields: Any) -> None:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("workflow.http.trail.append", failing_append)

    response = generate(api, case["id"], "case-summary")

    assert response.status_code == 500
    assert response.mimetype == "application/json"  # no PDF went out
    assert issued_forms(app) == 0


def test_a_closed_case_issues_no_forms(app: Any, api: Api, case: dict) -> None:
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case['id']}/close",
        {"reason": "withdrawn"},
        **{"If-Match": '"2"'},
    )
    assert closed.status_code == 200, closed.json

    response = generate(api, case["id"], "case-summary")

    assert (response.status_code, response.json["error"]["code"]) == (409, "wrong_state")
    assert issued_forms(app) == 0


def test_a_form_that_cannot_be_signed_leaves_no_record(app: Any, api: Api, case: dict) -> None:
    with app.app_context():
        form_signer()
    Path(app.config["FORM_SIGNING_KEY_FILE"]).write_text("not a key")
    app.extensions.pop("homeward.form_signer")

    response = generate(api, case["id"], "case-summary")

    assert response.status_code == 500
    assert "Ұлпан" not in response.text
    assert issued_forms(app) == 0


def test_a_production_instance_without_a_signing_certificate_refuses_to_start(
    app: Any, tmp_path: Path
) -> None:
    app.config.update(
        ENV="production",
        FORM_SIGNING_KEY_FILE=str(tmp_path / "missing-key.pem"),
        FORM_SIGNING_CERT_FILE=str(tmp_path / "missing-cert.pem"),
    )
    app.extensions.pop("homeward.form_signer", None)

    with app.app_context(), pytest.raises(ConfigError, match="FORM_SIGNING"):
        form_signer()


@pytest.mark.parametrize("languages", ["en", "ru,en", " en , ru "])
def test_the_form_languages_are_chosen_by_configuration(
    app: Any, api: Api, case: dict, languages: str
) -> None:
    app.config["FORM_LANGUAGES"] = languages

    text = logical_text(issued(generate(api, case["id"], "birth-registration")))

    assert "Application for state registration of birth" in text
    assert ("Заявление о государственной регистрации" in text) == ("ru" in languages)


@pytest.mark.parametrize("languages", ["xx", "", "en,../etc", ","])
def test_a_form_language_without_labels_is_a_configuration_error(app: Any, languages: str) -> None:
    app.config["FORM_LANGUAGES"] = languages

    with app.app_context(), pytest.raises(ConfigError):
        form_languages()


def test_a_label_set_is_added_by_adding_a_file(tmp_path: Path) -> None:
    english = (LABELS / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(english, encoding="utf-8")
    kazakh = english.replace(
        "form.case-summary: Case summary for hand-over between agencies",
        "form.case-summary: Іс бойынша қысқаша мәлімет",
    )
    (tmp_path / "kk.yaml").write_text(kazakh, encoding="utf-8")

    labels = load_labels(tmp_path)

    assert labels["kk"]["form.case-summary"] == "Іс бойынша қысқаша мәлімет"


def test_a_label_set_missing_a_label_is_refused(tmp_path: Path) -> None:
    english = (LABELS / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(english, encoding="utf-8")
    (tmp_path / "kk.yaml").write_text(english.replace("field.sex: Sex\n", ""), encoding="utf-8")

    with pytest.raises(FormError, match=r"field\.sex"):
        load_labels(tmp_path)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("child.names", "child.shoe_size"), "unknown form field"),
        (("heading: child\n", "heading: pets\n"), "section.pets"),
        (("recipient: civil_registry", "recipient: police"), "recipient"),
    ],
)
def test_a_malformed_form_definition_is_refused(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    changed = tmp_path / "definitions.yaml"
    changed.write_text(DEFINITIONS.read_text(encoding="utf-8").replace(*change, 1))

    with pytest.raises((FormError, ValueError), match=problem):
        load_definitions(changed, load_labels(LABELS)["en"])

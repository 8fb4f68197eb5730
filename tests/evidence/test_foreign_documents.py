"""Foreign documents: a document says what language it is in, a translation names its original
and its translator, a legalisation its country and date; a step that asks for translations
refuses a foreign document named alone, by its id, never by its contents."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update

from tests.audit.helpers import events
from tests.evidence.helpers import document_rows, upload_foreign
from tests.factories import Api
from tests.workflow.helpers import set_states
from tests.workflow.kazakhstan import record_and_translation
from workflow import transactions
from workflow.db import utcnow
from workflow.models import Case

TRANSLATOR = "Айгерим Сапарова"
PETITION = {"grounds": "The DNA report confirms the grandmother's kinship."}


@pytest.fixture
def kazakhstan(app: Any) -> Any:
    app.config["WORKFLOW"] = "kazakhstan"
    return app


def documents_of(api: Api, case_id: str, username: str = "lawyer") -> dict[str, dict[str, Any]]:
    response = api.get(username, f"/api/v1/cases/{case_id}/documents")
    assert response.status_code == 200, response.json
    return {document["id"]: document for document in response.json["documents"]}


def petition(app: Any, api: Api, case_id: str, evidence: list[str]) -> Any:
    set_states(app, case_id, {"dna": "confirmed"})
    return api.transition(
        "lawyer", case_id, "parentage", "file_petition", PETITION, evidence_ids=evidence
    )


def change(api: Api, document_id: str, body: Any, username: str = "lawyer") -> Any:
    return api.client.patch(
        f"/api/v1/documents/{document_id}", json=body, headers=api.headers(username)
    )


def test_a_translation_is_kept_with_its_original_translator_and_legalisation(
    app: Any, api: Api
) -> None:
    case_id = api.create_case()["id"]
    original, translation = record_and_translation(api, case_id)
    shown = documents_of(api, case_id)
    assert shown[original]["language"] == "ar"
    assert shown[original]["translation_of"] is None
    assert shown[original]["translator"] is None
    assert shown[original]["legalisation"] == {
        "status": "legalised",
        "country": "SY",
        "on": "2019-08-01",
    }
    assert shown[translation]["language"] == "ru"
    assert shown[translation]["translation_of"] == original
    assert shown[translation]["translator"] == {
        "name": TRANSLATOR,
        "role": "notarised translator",
        "sworn": True,
    }
    assert shown[translation]["legalisation"] == {"status": "none", "country": None, "on": None}
    with app.app_context():  # the translator's name is sealed as people's names are
        stored = transactions.session().execute(text("SELECT translator_name FROM documents"))
        assert all(TRANSLATOR not in (row[0] or "") for row in stored)


def test_a_step_asking_for_translations_refuses_a_foreign_document_named_alone(
    kazakhstan: Any, api: Api
) -> None:
    case_id = api.create_case()["id"]
    original, translation = record_and_translation(api, case_id)
    refused = petition(kazakhstan, api, case_id, [original])
    assert refused.status_code == 422
    assert refused.json["error"]["details"] == [
        {
            "field": "evidence_ids.0",
            "problem": "translation_missing",
            "document": original,
            "languages": ["kk", "ru"],
            "message": "Name a translation of the document beside it.",
        }
    ]
    assert TRANSLATOR not in refused.get_data(as_text=True)
    assert api.case("lawyer", case_id)["tracks"]["parentage"]["state"] == "not_started"
    accepted = petition(kazakhstan, api, case_id, [translation, original])
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["tracks"]["parentage"]["state"] == "petition_filed"


def test_a_translation_into_another_language_does_not_count(kazakhstan: Any, api: Api) -> None:
    case_id = api.create_case()["id"]
    original = upload_foreign(api, case_id, language="ar").json["id"]
    english = upload_foreign(
        api, case_id, language="en-GB", translation_of=original, translator_name="J. Smith"
    ).json["id"]
    refused = petition(kazakhstan, api, case_id, [original, english])
    assert refused.status_code == 422
    problems = {item["document"]: item["problem"] for item in refused.json["error"]["details"]}
    assert problems == {original: "translation_missing", english: "translation_missing"}


def test_a_document_in_the_countrys_language_needs_no_translation(
    kazakhstan: Any, api: Api
) -> None:
    case_id = api.create_case()["id"]
    kazakh = upload_foreign(api, case_id, kind="lab_report", language="kk-Cyrl-KZ").json["id"]
    assert petition(kazakhstan, api, case_id, [kazakh]).status_code == 200


def test_a_document_of_unrecorded_language_waits_for_its_lawyer_to_record_it(
    kazakhstan: Any, api: Api
) -> None:
    case_id = api.create_case()["id"]
    unknown = api.upload("lawyer", case_id, "lab_report").json["id"]
    refused = petition(kazakhstan, api, case_id, [unknown])
    assert refused.status_code == 422
    assert refused.json["error"]["details"][0]["problem"] == "language_not_recorded"
    assert change(api, unknown, {"language": "ru"}).json["language"] == "ru"
    assert petition(kazakhstan, api, case_id, [unknown]).status_code == 200


def test_the_cases_lawyer_records_a_legalisation_later_and_the_trail_says_so(
    app: Any, api: Api
) -> None:
    case_id = api.create_case()["id"]
    document = upload_foreign(api, case_id, language="ar").json["id"]
    body = {"legalisation": "apostille", "legalisation_country": "tr", "legalised_on": "2020-02-03"}
    response = change(api, document, body)
    assert response.status_code == 200, response.json
    assert response.json["legalisation"] == {
        "status": "apostille",
        "country": "TR",
        "on": "2020-02-03",
    }
    assert response.json["language"] == "ar"  # left out, left as it was
    last = events(app)[-1]
    assert (last.action, last.outcome) == ("document.update", "success")
    assert last.detail["changed"] == ["legalisation", "legalisation_country", "legalised_on"]
    cleared = change(api, document, {"legalisation": "none"})
    assert cleared.json["legalisation"] == {"status": "none", "country": None, "on": None}


@pytest.mark.parametrize(
    ("username", "status"),
    [("lawyer3", 404), ("registrar", 404), ("auditor", 404), ("lab", 403)],
)
def test_only_the_cases_lawyers_change_a_document(
    app: Any, api: Api, username: str, status: int
) -> None:
    case = api.create_case()
    if username == "lab":  # the lab sees the case and reads its own report, but keeps no papers
        set_states(app, case["id"], {"dna": "authorized"})
        document = api.upload("lab", case["id"], "lab_report").json["id"]
    else:
        document = upload_foreign(api, case["id"], language="ar").json["id"]
    response = change(api, document, {"language": "kk"}, username)
    assert response.status_code == status, response.json
    assert documents_of(api, case["id"])[document]["language"] in (None, "ar")


HOSTILE_UPLOADS: dict[str, tuple[dict[str, str], str]] = {
    "unknown language": ({"language": "xx"}, "language"),
    "a language name": ({"language": "english"}, "language"),
    "underscore": ({"language": "en_US"}, "language"),
    "undetermined": ({"language": "und"}, "language"),
    "cyrillic lookalike": ({"language": "кк"}, "language"),
    "oversized language": ({"language": "ar-" * 2000}, "language"),
    "control character": ({"language": "kk\u0000"}, "language"),
    "unknown region": ({"language": "ar-QQ"}, "language"),
    "unknown legalisation": ({"legalisation": "notarised"}, "legalisation"),
    "three-letter country": (
        {"legalisation": "apostille", "legalisation_country": "SYR", "legalised_on": "2020-01-01"},
        "legalisation_country",
    ),
    "not a country": (
        {"legalisation": "apostille", "legalisation_country": "EU", "legalised_on": "2020-01-01"},
        "legalisation_country",
    ),
    "legalised in the future": (
        {"legalisation": "legalised", "legalisation_country": "SY", "legalised_on": "2999-01-01"},
        "legalised_on",
    ),
    "legalised nowhere": ({"legalisation": "legalised"}, "legalisation_country"),
    "a country without legalisation": ({"legalisation_country": "SY"}, "legalisation_country"),
    "a translator of no translation": ({"translator_name": TRANSLATOR}, "translator_name"),
    "a translation of no language": (
        {"translation_of": "{original}", "translator_name": TRANSLATOR},
        "language",
    ),
    "a translation by nobody": (
        {"translation_of": "{original}", "language": "ru"},
        "translator_name",
    ),
    "oversized translator": (
        {"translation_of": "{original}", "language": "ru", "translator_name": TRANSLATOR * 20},
        "translator_name",
    ),
    "translator with a newline": (
        {"translation_of": "{original}", "language": "ru", "translator_name": "A\nB"},
        "translator_name",
    ),
    "translation of a malformed id": (
        {"translation_of": "../../etc/passwd", "language": "ru", "translator_name": TRANSLATOR},
        "translation_of",
    ),
    "sworn as a word": (
        {
            "translation_of": "{original}",
            "language": "ru",
            "translator_name": "A",
            "translator_sworn": "perhaps",
        },
        "translator_sworn",
    ),
}


@pytest.mark.parametrize("variant", list(HOSTILE_UPLOADS))
def test_hostile_particulars_are_refused_naming_the_field_and_keep_nothing(
    app: Any, api: Api, variant: str
) -> None:
    case_id = api.create_case()["id"]
    original = upload_foreign(api, case_id, language="ar").json["id"]
    fields, field = HOSTILE_UPLOADS[variant]
    sent = {name: value.replace("{original}", original) for name, value in fields.items()}
    before = len(document_rows(app))
    response = upload_foreign(api, case_id, **sent)
    assert response.status_code == 422, response.json
    assert field in {item["field"] for item in response.json["error"]["details"]}
    assert TRANSLATOR not in response.get_data(as_text=True)
    assert len(document_rows(app)) == before


def test_unicode_particulars_are_kept_as_typed(api: Api) -> None:
    case_id = api.create_case()["id"]
    original = upload_foreign(api, case_id, language="ar-Arab-SY").json["id"]
    name = "مُحَمَّد عَبْد الله"
    translation = upload_foreign(
        api, case_id, language="KK-cyrl", translation_of=original, translator_name=name
    )
    assert translation.status_code == 201, translation.json
    assert translation.json["language"] == "kk-Cyrl"
    assert translation.json["translator"]["name"] == name


def test_a_translation_of_a_document_the_uploader_may_not_read_is_answered_as_none(
    app: Any, api: Api
) -> None:
    """Another case's document, one the uploader may not read and one that does not exist are
    refused alike: the answer does not tell which exists."""
    case = api.create_case()
    other = api.create_case()["id"]
    elsewhere = upload_foreign(api, other, language="ar").json["id"]
    unreadable = upload_foreign(api, case["id"], language="ar").json["id"]  # the lab may not read
    set_states(app, case["id"], {"dna": "authorized"})  # the lab now sees the case
    answers = []
    for username, original in [
        ("lawyer", elsewhere),
        ("lab", unreadable),
        ("lab", str(uuid.uuid4())),
    ]:
        response = upload_foreign(
            api,
            case["id"],
            kind="lab_report",
            username=username,
            language="ru",
            translation_of=original,
            translator_name=TRANSLATOR,
        )
        answers.append((response.status_code, response.json["error"]["details"]))
        assert original not in response.get_data(as_text=True)
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422
    assert answers[0][1][0]["problem"] == "no_such_document"


def test_a_purged_case_takes_its_translations_with_it(app: Any, api: Api, runner: Any) -> None:
    case = api.create_case()
    record_and_translation(api, case["id"])
    version = api.case_version("lawyer", case["id"])
    closing = {"reason": "transferred"}
    closed = api.post(
        "lawyer", f"/api/v1/cases/{case['id']}/close", closing, **{"If-Match": f'"{version}"'}
    )
    assert closed.status_code == 200
    with app.app_context(), transactions.unit_of_work() as session:
        past = utcnow() - timedelta(days=app.config["RETENTION_DAYS"] + 1)
        session.execute(
            update(Case).where(Case.id == uuid.UUID(case["id"])).values(updated_at=past)
        )
    result = runner.invoke(args=["cases", "purge"])
    assert result.exit_code == 0, result.output
    assert [d for d in document_rows(app) if str(d.case_id) == case["id"]] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"language": 5}, "language"),
        ({"language": "ar" * 100}, "language"),
        ({}, ""),
        ({"language": "ar", "translator_name": TRANSLATOR}, "translator_name"),
        ({"legalisation": "apostille"}, "legalisation_country"),
        ({"legalised_on": "2020-01-01"}, "legalised_on"),
        (
            {
                "legalisation": "legalised",
                "legalisation_country": "SY",
                "legalised_on": "2999-01-01",
            },
            "legalised_on",
        ),
    ],
)
def test_a_hostile_change_is_refused_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    case_id = api.create_case()["id"]
    document = upload_foreign(api, case_id, language="ar").json["id"]
    before = documents_of(api, case_id)[document]
    response = change(api, document, body)
    assert response.status_code == 422, response.json
    assert field in {item["field"] for item in response.json["error"]["details"]}
    assert TRANSLATOR not in response.get_data(as_text=True)
    assert documents_of(api, case_id)[document] == before


def test_a_translation_keeps_its_language(api: Api) -> None:
    case_id = api.create_case()["id"]
    original = upload_foreign(api, case_id, language="ar").json["id"]
    translation = upload_foreign(
        api, case_id, language="ru", translation_of=original, translator_name="J. Smith"
    ).json["id"]

    response = change(api, translation, {"language": None})

    assert (response.status_code, response.json["error"]["code"]) == (422, "invalid_input")
    assert documents_of(api, case_id)[translation]["language"] == "ru"
    assert change(api, original, {"language": None}).status_code == 200  # an original may not


def test_a_change_that_is_not_json_is_refused(api: Api) -> None:
    case_id = api.create_case()["id"]
    document = upload_foreign(api, case_id, language="ar").json["id"]
    response = api.client.patch(
        f"/api/v1/documents/{document}",
        data="language=kk",
        headers=api.headers("lawyer", **{"Content-Type": "application/x-www-form-urlencoded"}),
    )
    assert response.status_code == 415
    assert documents_of(api, case_id)[document]["language"] == "ar"

"""Every write refused to the wrong caller, through the API and the pages, with the one answer the
contract promises (404 where the case is hidden, 403 where it is seen but the write is not
theirs), and nothing changed after it; and the holes mutations found, each closed by a test."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from tests.factories import Api
from tests.security.strangers import (
    CONSENT,
    HIDDEN,
    NOT_THEIRS,
    OFFICIALS,
    REASON,
    VERSION,
    Asker,
    Call,
    HiddenCase,
    answer_of,
    as_its_lawyer_sees_it,
    authorized_case,
    browsers,
    fresh_case,
    names_nobody,
    stored_rows,
)

WRONG_WRITERS = ("lawyer2", "lawyer3", *OFFICIALS, "auditor", "admin")
# Who sees the authorized case without working it: the court that ruled, the laboratories.
SEEING = ("judge", "lab")
FILE_BIRTH = {"track": "birth_registration", "action": "file", "data": {}, "evidence_ids": []}
SAMPLES = {"sample_ids": ["S-1"], "collected_on": "2026-01-20"}
COLLECT = {"track": "dna", "action": "collect_samples", "data": SAMPLES, "evidence_ids": []}


@dataclass(frozen=True)
class Write:
    """One write, how to send it, and which officials who see the case it refuses as not theirs
    (the others may make it, so are not asked)."""

    name: str
    method: str
    path: str
    call: Call
    seeing: tuple[str, ...] = SEEING


API = "/api/v1/cases/{case}"
REOPEN = Write("reopen", "POST", API + "/reopen", Call({}, if_match=True))
WRITES = [
    Write("record a consent", "POST", API + "/consents", Call(CONSENT)),
    Write("withdraw a consent", "POST", API + "/consents/{consent}/withdraw", Call({})),
    Write("assign a colleague", "POST", API + "/assignments", Call({"username": "lawyer2"})),
    Write("change particulars", "PATCH", API, Call({"child": {"sex": "male"}}, if_match=True)),
    Write("upload", "POST", API + "/documents", Call({"kind": "other"}, upload=True), ()),
    Write("generate a form", "POST", API + "/forms/case-summary", Call()),
    Write("close", "POST", API + "/close", Call({"reason": "withdrawn"}, if_match=True)),
    REOPEN,
    Write("file the birth", "POST", API + "/transitions", Call(FILE_BIRTH, if_match=True)),
    Write(
        "collect samples", "POST", API + "/transitions", Call(COLLECT, if_match=True), ("judge",)
    ),
    Write("page: record a consent", "POST", "/cases/{case}/consents", Call(CONSENT)),
    Write("page: particulars form", "GET", "/cases/{case}/particulars", Call()),
    Write(
        "page: change particulars",
        "POST",
        "/cases/{case}/particulars",
        Call({"version": VERSION, "child.sex": "male"}),
    ),
    Write(
        "page: upload", "POST", "/cases/{case}/documents", Call({"kind": "other"}, upload=True), ()
    ),
    Write("page: generate a form", "POST", "/cases/{case}/forms/case-summary", Call()),
    Write(
        "page: file the birth",
        "POST",
        "/cases/{case}/steps",
        Call({"track": "birth_registration", "action": "file", "version": VERSION}),
    ),
    Write(
        "page: collect samples",
        "POST",
        "/cases/{case}/steps",
        Call({"track": "dna", "action": "collect_samples", "version": VERSION}),
        ("judge",),
    ),
]


def refused_exactly(
    app: Flask, asker: Asker, who: str, write: Write, case: HiddenCase, expected: tuple[int, str]
) -> None:
    """Send the write as the user; assert the one answer expected and that nothing changed."""
    before = stored_rows(app, case.id)
    path = write.path.format(case=case.id, consent=case.consent)
    response = asker.send(who, write.method, path, write.call, case)
    assert answer_of(app, response) == expected, (who, response.get_data(as_text=True)[:400])
    if expected == HIDDEN:
        assert names_nobody(response.get_data(as_text=True), case), who
    assert stored_rows(app, case.id) == before, who


def test_every_write_is_refused_to_the_wrong_caller(app: Flask, api: Api, subtests: Any) -> None:
    case = authorized_case(api)
    asker = Asker(api, browsers(app, WRONG_WRITERS))
    for write in WRITES:
        before = as_its_lawyer_sees_it(api, case.id)
        for who in (*case.strangers, *write.seeing):
            expected = HIDDEN if who in case.strangers else NOT_THEIRS
            with subtests.test(write.name, who=who):
                refused_exactly(app, asker, who, write, case, expected)
        assert as_its_lawyer_sees_it(api, case.id) == before, write.name


def test_break_glass_is_refused_to_who_may_not_or_need_not_break_it(
    app: Flask, api: Api, subtests: Any
) -> None:
    case = authorized_case(api)
    asker = Asker(api)
    glass = Write("break the glass", "POST", API + "/break-glass", Call({"reason": REASON}))
    answers = {"auditor": NOT_THEIRS, "admin": NOT_THEIRS}
    answers |= {who: (409, "conflict") for who in ("lawyer", *SEEING)}
    for who, expected in answers.items():
        with subtests.test(who=who):
            refused_exactly(app, asker, who, glass, case, expected)


def test_a_break_glass_grant_opens_no_write(app: Flask, api: Api, subtests: Any) -> None:
    case = authorized_case(api)
    granted = api.post("lawyer3", f"/api/v1/cases/{case.id}/break-glass", {"reason": REASON})
    assert granted.status_code == 201, granted.json
    asker = Asker(api, browsers(app, ("lawyer3",)))
    for write in WRITES:
        with subtests.test(write.name):
            refused_exactly(app, asker, "lawyer3", write, case, HIDDEN)


def test_a_closed_case_is_reopened_only_by_its_lawyers(app: Flask, api: Api, subtests: Any) -> None:
    case = authorized_case(api)
    version = f'"{case.version}"'
    closed = api.post(
        "lawyer",
        f"/api/v1/cases/{case.id}/close",
        {"reason": "transferred"},
        **{"If-Match": version},
    )
    assert closed.status_code == 200, closed.json
    # Closed, it waits on nobody: the laboratory loses sight of it, the court that ruled keeps it.
    case = replace(case, version=closed.json["version"], strangers=(*case.strangers, "lab"))
    asker = Asker(api)
    for who in (*case.strangers, "judge"):
        with subtests.test(who=who):
            expected = HIDDEN if who in case.strangers else NOT_THEIRS
            refused_exactly(app, asker, who, REOPEN, case, expected)
    assert api.case("lawyer", case.id)["status"] == "closed"
    reopened = api.post(
        "lawyer", f"/api/v1/cases/{case.id}/reopen", {}, **{"If-Match": f'"{case.version}"'}
    )
    assert (reopened.status_code, reopened.json["status"]) == (200, "open")


def test_an_official_who_sees_the_case_may_not_withdraw_its_consent(app: Flask, api: Api) -> None:
    case = authorized_case(api)
    path = f"/api/v1/cases/{case.id}/consents/{case.consent}/withdraw"
    for official in SEEING:
        assert api.get(official, f"/api/v1/cases/{case.id}").status_code == 200
        withdrawal = api.post(official, path, {})
        assert answer_of(app, withdrawal) == NOT_THEIRS
    consents = api.get("lawyer", f"/api/v1/cases/{case.id}/consents").json["consents"]
    assert [(c["id"], c["in_force"]) for c in consents] == [(case.consent, True)]


def test_a_consent_of_another_case_is_refused(app: Flask, api: Api) -> None:
    mine, other = authorized_case(api), fresh_case(api)
    before = {case.id: stored_rows(app, case.id) for case in (mine, other)}
    path = f"/api/v1/cases/{mine.id}/consents/{other.consent}/withdraw"
    withdrawal = api.post("lawyer", path, {})
    assert answer_of(app, withdrawal) == HIDDEN
    citing = {**CONSENT, "person_id": mine.mother, "document_id": other.document}
    recorded = api.post("lawyer", f"/api/v1/cases/{mine.id}/consents", citing)
    assert_invalid(app, recorded, "document_id", "no_such_document")
    of_other_mother = api.post(
        "lawyer", f"/api/v1/cases/{mine.id}/consents", {**CONSENT, "person_id": other.mother}
    )
    assert_invalid(app, of_other_mother, "person_id", "not_a_person_on_this_case")
    for cited in (other.consent, other.document):
        step = api.transition("lawyer", mine.id, "birth_registration", "file", evidence_ids=[cited])
        assert_invalid(app, step, "evidence_ids.0", "no_such_document")
    assert {case.id: stored_rows(app, case.id) for case in (mine, other)} == before


def test_the_consent_form_refuses_another_cases_document(app: Flask, api: Api) -> None:
    mine, other = authorized_case(api), fresh_case(api)
    before = stored_rows(app, mine.id)
    browser, token = browsers(app, ("lawyer",))["lawyer"]
    form = {**CONSENT, "person_id": mine.mother, "document_id": other.document}
    page = browser.post(f"/cases/{mine.id}/consents", data={"csrf_token": token, **form})
    assert answer_of(app, page) == (422, "invalid_input")
    assert stored_rows(app, mine.id) == before


def assert_invalid(app: Flask, response: TestResponse, field: str, problem: str) -> None:
    assert answer_of(app, response) == (422, "invalid_input")
    assert (field, problem) in {
        (d["field"], d["problem"]) for d in response.json["error"]["details"]
    }


def test_a_step_form_shows_another_ngos_lawyer_nothing(app: Flask, api: Api, subtests: Any) -> None:
    case = authorized_case(api)
    browser, token = browsers(app, ("lawyer3",))["lawyer3"]
    before = stored_rows(app, case.id)
    step = {"csrf_token": token, "track": "dna", "action": "request", "version": case.version}
    step |= {"reference_person": case.mother, "relationship_tested": "maternity"}
    for named in (case.id, case.reference):
        for method, path in (("GET", f"/cases/{named}"), ("POST", f"/cases/{named}/steps")):
            with subtests.test(method=method, named=named):
                page = browser.open(path, method=method, data=step if method == "POST" else None)
                assert answer_of(app, page) == HIDDEN
                assert names_nobody(page.get_data(as_text=True).replace(named, "<typed>"), case)
    assert stored_rows(app, case.id) == before

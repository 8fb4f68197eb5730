"""Need-to-know, route by route, generated from the URL map: every route that names a case, a
document or a consent answers someone who may not see it exactly as it answers an id that names
nothing, names nobody in that answer, and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from itertools import product
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.factories import Api
from tests.security.strangers import (
    CONSENT,
    EVERYONE,
    HIDDEN,
    NOT_THEIRS,
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
    without_tokens,
)
from workflow import transactions
from workflow.db import Base
from workflow.models import Agency, User
from workflow.references import new_reference

# Path arguments that name something of a case's; a new route taking one must join CALLS.
ID_ARGUMENTS = frozenset(
    {"case_id", "case", "document_id", "consent_id", "person_id", "person", "family_id", "family"}
)
NOT_AUDITORS = tuple(user for user in EVERYONE if user != "auditor")
# Breaking the glass exists to open a case one may not see; only who may not break it is refused.
CANNOT_BREAK_GLASS = ("auditor", "admin")
STEP = {"track": "dna", "action": "request", "data": {}, "evidence_ids": []}
FORM = "case-summary"
UNUSED = frozenset({"HEAD", "OPTIONS"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


CALLS: dict[str, Call] = {
    "cases.get_case": Call(),
    "cases.patch_case": Call({"child": {"sex": "male"}}, if_match=True),
    "cases.post_transition": Call(STEP, if_match=True),
    "cases.post_close": Call({"reason": "withdrawn"}, if_match=True),
    "cases.post_reopen": Call({}, if_match=True),
    "cases.get_history": Call(),
    "cases.post_assignment": Call({"username": "lawyer2"}),
    "cases.delete_assignment": Call(),
    "families.get_family": Call(),
    "references.post_reference": Call({"issuer": "unhcr", "value": "KZ-2019/000451"}),
    "references.get_references": Call(),
    "references.delete_reference": Call(),
    "break_glass.post_break_glass": Call({"reason": REASON}, refused=CANNOT_BREAK_GLASS),
    "consents.post_consent": Call(CONSENT),
    "consents.get_consents": Call(),
    "consents.post_withdrawal": Call({}),
    "documents.post_document": Call({"kind": "consent"}, upload=True),
    "documents.get_documents": Call(),
    "documents.get_document": Call(),
    "documents.patch_document": Call({"language": "ar"}),
    "forms.post_form": Call(),
    "audit.get_case_accesses": Call(refused=NOT_AUDITORS),
    "web.case_page": Call(),
    "web.particulars_page": Call(),
    "web.change_particulars": Call({"version": VERSION, "child.sex": "male"}),
    "web.take_step": Call({"track": "dna", "action": "request", "version": VERSION}),
    "web.record_consent": Call(CONSENT),
    "web.add_reference": Call({"issuer": "unhcr", "value": "KZ-2019/000451"}),
    "web.remove_reference": Call(),
    "web.upload_document": Call({"kind": "consent"}, upload=True),
    "web.download_document": Call(),
    "web.generate_form": Call(),
    "web.case_accesses": Call(refused=NOT_AUDITORS),
}
# Cases named in query strings and forms: whom each refuses (none: who may not see the case),
# what it answers them, and how the case is named.
QUERIES: list[tuple[str, str, tuple[str, ...], tuple[int, str], tuple[str, ...]]] = [
    ("GET", "/api/v1/audit/events?case={case}", NOT_AUDITORS, NOT_THEIRS, ("id", "reference")),
    ("GET", "/api/v1/audit/export?case={case}", NOT_AUDITORS, NOT_THEIRS, ("id", "reference")),
    ("GET", "/audit?case={case}", NOT_AUDITORS, NOT_THEIRS, ("id", "reference")),
    ("GET", "/audit/export?case={case}", NOT_AUDITORS, NOT_THEIRS, ("id", "reference")),
    # A reference typed in the case list's search box goes to that case's page.
    ("POST", "/cases", (), HIDDEN, ("reference",)),
]


def id_routes(app: Flask) -> Iterator[Rule]:
    """Every route whose path names a case, a document, a consent, a person or a family."""
    return (rule for rule in app.url_map.iter_rules() if set(rule.arguments) & ID_ARGUMENTS)


def _names_a_case(rule: Rule) -> bool:
    return bool({"case_id", "case"} & set(rule.arguments))


def real_and_random(case: HiddenCase, by: str) -> tuple[dict[str, str], dict[str, str]]:
    """The path values naming the hidden case's things, and values of the same shape naming
    nothing; the case by its id or by its reference."""
    real = {"case": case.id if by == "id" else case.reference}
    random = {"case": str(uuid.uuid4()) if by == "id" else new_reference()}
    real |= {"document": case.document, "consent": case.consent, "family": case.family}
    random |= {"document": str(uuid.uuid4()), "consent": str(uuid.uuid4())}
    random |= {"family": str(uuid.uuid4())}
    return real, random


def path_of(app: Flask, rule: Rule, method: str, named: dict[str, str]) -> str:
    values = {
        "case_id": named["case"],
        "case": named["case"],
        "document_id": named["document"],
        "consent_id": named["consent"],
        "family_id": named["family"],
        "form": FORM,
        "kind": FORM,
        "username": "lawyer",
        "reference_id": str(uuid.UUID(int=0)),
    }
    given = {name: value for name, value in values.items() if name in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, given, method=method)


def seen_as_missing(
    answers: list[TestResponse], named: tuple[dict[str, str], dict[str, str]]
) -> str:
    """Assert both answers are one; return the hidden one's text, the ids it echoes blanked."""
    real, random = answers
    assert real.status_code == random.status_code
    assert real.mimetype == random.mimetype
    if real.mimetype == "application/json":
        assert real.json == random.json
        return real.get_data(as_text=True)
    shown = [
        _blanked(answer.get_data(as_text=True), ids)
        for answer, ids in zip(answers, named, strict=True)
    ]
    assert shown[0] == shown[1]
    return shown[0]


def _blanked(html: str, named: dict[str, str]) -> str:
    """The page without its CSRF values and with the ids the request named (a page echoes its
    own address) replaced by what they stand for."""
    html = without_tokens(html)
    for name, value in named.items():
        html = html.replace(value, f"<{name}>")
    return html


def test_every_route_naming_a_case_is_in_the_table(app: Flask) -> None:
    routes = {rule.endpoint for rule in id_routes(app)}
    assert routes - set(CALLS) == set(), "add these routes to CALLS: say how to call them"
    assert set(CALLS) - routes == set(), "these endpoints are gone: take them out of CALLS"


def test_a_hidden_case_answers_as_a_missing_one(app: Flask, api: Api, subtests: Any) -> None:
    asker = Asker(api, browsers(app, EVERYONE))
    # Cases are found by id or by reference alike; the second lookup is tried on one case.
    for case, ways in ((fresh_case(api), ("id", "reference")), (authorized_case(api), ("id",))):
        start = _kept(app, api, case)
        for rule in sorted(id_routes(app), key=lambda rule: rule.endpoint):
            before = _kept(app, api, case) if rule.methods & WRITES else None
            for method in sorted(rule.methods - UNUSED):
                for by in ways if _names_a_case(rule) else ("id",):
                    with subtests.test(rule.endpoint, method=method, by=by, step=case.version):
                        _ask_each_stranger(app, asker, rule, method, case, by)
            if before is not None:
                assert _kept(app, api, case) == before, rule.endpoint
        assert _kept(app, api, case) == start


def _kept(app: Flask, api: Api, case: HiddenCase) -> tuple[Any, ...]:
    """What a refusal must leave as it was: the case as its lawyer sees it, and every row kept
    about it, forms issued and grants included, which the lawyer's view does not show."""
    return as_its_lawyer_sees_it(api, case.id), stored_rows(app, case.id)


def _ask_each_stranger(
    app: Flask, asker: Asker, rule: Rule, method: str, case: HiddenCase, by: str
) -> None:
    call = CALLS[rule.endpoint]
    expected = NOT_THEIRS if call.refused else HIDDEN
    real, random = real_and_random(case, by)
    for who in call.refused or case.strangers:
        answers = []
        for named in (real, random):
            answers.append(asker.send(who, method, path_of(app, rule, method, named), call, case))
            assert answer_of(app, answers[-1]) == expected, who
        assert names_nobody(seen_as_missing(answers, (real, random)), case), who


def test_a_case_named_in_a_query_answers_as_a_missing_one(
    app: Flask, api: Api, subtests: Any
) -> None:
    asker = Asker(api, browsers(app, EVERYONE))
    case = fresh_case(api)
    before = _kept(app, api, case)
    for method, address, refused, expected, ways in QUERIES:
        for by in ways:
            real, random = real_and_random(case, by)
            for who in refused or case.strangers:
                with subtests.test(address, method=method, by=by, who=who):
                    answers = []
                    for named in (real, random):
                        answers.append(asker.query(who, method, address, named))
                        assert answer_of(app, answers[-1]) == expected
                    assert names_nobody(seen_as_missing(answers, (real, random)), case)
    assert _kept(app, api, case) == before


# The administrator's pages: every route under /admin, and the form each takes. Nobody but an
# administrator reaches one, and a refused form changes no account, agency or link.
NOT_ADMINISTRATORS = tuple(user for user in EVERYONE if user != "admin")
ADMIN_FORMS: dict[str, dict[str, str]] = {
    "web.admin_users": {},
    "web.admin_agencies": {},
    "web.admin_account": {},
    "web.create_account": {"username": "intruder", "role": "admin", "agency": "<operator>"},
    "web.create_agency": {"name": "Shadow Agency", "kind": "operator"},
    "web.change_account": {"role": "lawyer", "agency": "<other NGO>"},
    "web.disable_account": {},
    "web.enable_account": {},
    "web.reset_password": {},
    "web.reset_second_factor": {},
}


def admin_routes(app: Flask) -> Iterator[Rule]:
    return (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin"))


def accounts_kept(app: Flask) -> list[str]:
    """Every account, agency and setup link as stored, passwords' hashes included."""
    tables = ("users", "agencies", "account_setup_links", "second_factors", "recovery_codes")
    with app.app_context():
        session = transactions.session()
        return sorted(
            repr(row)
            for name in tables
            for row in session.execute(select(Base.metadata.tables[name]))
        )


def test_every_administration_route_is_in_the_table(app: Flask) -> None:
    routes = {rule.endpoint for rule in admin_routes(app)}
    assert routes == set(ADMIN_FORMS), "say in ADMIN_FORMS how to call these routes"


def test_only_administrators_reach_the_administration(app: Flask, api: Api, subtests: Any) -> None:
    pages = browsers(app, NOT_ADMINISTRATORS)
    named = _named_by_admin_forms(app)
    before = accounts_kept(app)
    for rule in sorted(admin_routes(app), key=lambda rule: rule.endpoint):
        path = app.url_map.bind("localhost").build(rule.endpoint, {"user_id": named["<lawyer>"]})
        form = {key: named.get(value, value) for key, value in ADMIN_FORMS[rule.endpoint].items()}
        for method, who in product(sorted(rule.methods - UNUSED), NOT_ADMINISTRATORS):
            with subtests.test(rule.endpoint, method=method, who=who):
                browser, token = pages[who]
                data = {**form, "csrf_token": token} if method == "POST" else None
                answer = browser.open(path, method=method, data=data)
                assert answer_of(app, answer) == NOT_THEIRS
    assert accounts_kept(app) == before


def _named_by_admin_forms(app: Flask) -> dict[str, str]:
    """The ids the placeholders of ADMIN_FORMS and the paths stand for."""
    with app.app_context():
        session = transactions.session()
        return {
            "<lawyer>": str(session.scalar(select(User.id).filter_by(username="lawyer"))),
            "<operator>": str(session.scalar(select(Agency.id).filter_by(kind="operator"))),
            "<other NGO>": str(
                session.scalar(select(Agency.id).filter_by(name="Safe Return Lawyers"))
            ),
        }

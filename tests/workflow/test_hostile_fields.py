"""Hostile values in request bodies: a wrong type, a missing or over-long value or an unknown
field is refused with the failing field named, never echoed, and never written."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import PASSWORD
from tests.factories import Api
from tests.workflow.hostile import (
    CHILD,
    LONG,
    MOTHER,
    NOBODY,
    PETITION,
    SECRET,
    VERY_LONG,
    named,
    open_target_case,
    refuse_each,
    refused_and_unchanged,
    with_child,
    with_mother,
    with_petition,
)

DNA_REQUEST = {"track": "dna", "action": "request"}

WRONG_TYPES = [
    ("login", {"username": 42, "password": SECRET}, "username"),
    ("login", {"username": [SECRET], "password": PASSWORD}, "username"),
    ("login", {"username": "lawyer", "password": True}, "password"),
    ("login", {"username": "lawyer"}, "password"),
    ("login", {"username": None, "password": None}, "username"),
    ("login", {"username": "", "password": SECRET}, "username"),
    ("refresh", {"refresh_token": 12345}, "refresh_token"),
    ("refresh", {"refresh_token": [SECRET]}, "refresh_token"),
    ("refresh", {}, "refresh_token"),
    ("refresh", {"refresh_token": ""}, "refresh_token"),
    ("create", {}, "child"),
    ("create", {"child": SECRET}, "child"),
    ("create", with_child(names=SECRET), "child.names"),
    ("create", with_child(names=[]), "child.names"),
    ("create", with_child(names=[{"script": "Latn", "given": 12345}]), "child.names.0.given"),
    ("create", with_child(names=[{"script": "Klingon", "given": SECRET}]), "child.names.0.script"),
    ("create", with_child(names=[{"script": "Latn", "patronymic": SECRET}]), "child.names.0"),
    ("create", with_child(sex=["female"]), "child.sex"),
    ("create", with_child(birth_date="2016-01-01"), "child.birth_date"),
    (
        "create",
        with_child(birth_date={"value": "2016-13-45", "precision": "year"}),
        "child.birth_date.value",
    ),
    (
        "create",
        with_child(birth_date={"value": "2999-01-01", "precision": "exact"}),
        "child.birth_date.value",
    ),
    (
        "create",
        with_child(birth_date={"value": "2016-01-01", "precision": "roughly"}),
        "child.birth_date.precision",
    ),
    ("create", with_child(birth_place={"country": "Kazakhstan"}), "child.birth_place.country"),
    ("create", with_child(languages="kk"), "child.languages"),
    ("create", {"child": CHILD, "people": MOTHER}, "people"),
    ("create", with_mother(relation="child"), "people.0.relation"),
    ("create", with_mother(alive="perhaps"), "people.0.alive"),
    ("create", with_mother(whereabouts="on the moon"), "people.0.whereabouts"),
    ("create", with_mother(citizenship=398), "people.0.citizenship"),
    ("create", with_mother(names=[{"script": "Cyrl", "given": 1}]), "people.0.names.0.given"),
    ("patch", {"child": []}, "child"),
    ("patch", {"child": {"sex": 1}}, "child.sex"),
    ("patch", {"child": {"names": []}}, "child.names"),
    ("patch", {"people": [{"id": SECRET}]}, "people.0.id"),
    ("patch", {"people": [{"id": NOBODY, "alive": False}]}, "people.id"),
    ("patch", {"people": [{"names": [{"script": "Latn", "given": SECRET}]}]}, "people"),
    ("transitions", with_petition(track=5), "track"),
    ("transitions", {"track": "parentage", "data": PETITION["data"]}, "action"),
    ("transitions", with_petition(data=[SECRET]), "data"),
    ("transitions", with_petition(data={"grounds": 42}), "data.grounds"),
    ("transitions", with_petition(data={}), "data.grounds"),
    ("transitions", with_petition(evidence_ids=[SECRET]), "evidence_ids.0"),
    ("transitions", with_petition(evidence_ids=SECRET), "evidence_ids"),
    ("transitions", with_petition(note=5), "note"),
    ("transitions", with_petition(track="no_such_track"), "track"),
    ("transitions", with_petition(action="no_such_action"), "action"),
    (
        "transitions",
        {**DNA_REQUEST, "data": {"reference_person": NOBODY, "relationship_tested": "maternity"}},
        "data.reference_person",
    ),
    (
        "transitions",
        {**DNA_REQUEST, "data": {"reference_person": SECRET, "relationship_tested": SECRET}},
        "data.relationship_tested",
    ),
    ("close", {}, "reason"),
    ("close", {"reason": "because"}, "reason"),
    ("close", {"reason": ["withdrawn"]}, "reason"),
    ("close", {"reason": "withdrawn", "note": 5}, "note"),
    ("reopen", {"note": [SECRET]}, "note"),
    ("assignments", {"username": 5}, "username"),
    ("assignments", {"username": ["lawyer2"]}, "username"),
    ("assignments", {}, "username"),
    ("assignments", {"username": SECRET}, "username"),
]


def test_a_wrong_or_missing_value_is_refused_and_named(api: Api, subtests: pytest.Subtests) -> None:
    variants = named(WRONG_TYPES)
    needing_consent = {key: row for key, row in variants.items() if row[1].get("track") == "dna"}
    on_the_case = {key: row for key, row in variants.items() if key not in needing_consent}
    refuse_each(api.client, subtests, on_the_case)
    for variant, (name, body, field) in needing_consent.items():
        with subtests.test(msg=variant, name=name, field=field):
            # The request stands on a consent, on a case of its own; its data is what is wrong.
            case = open_target_case(api)
            evidence = api.provide_evidence("lawyer", case["id"], "dna", "request")
            refused_and_unchanged(api, case, name, {**body, "evidence_ids": evidence}, field)


TOO_LONG = [
    ("login", {"username": "l" * 65, "password": PASSWORD}, "username"),
    ("login", {"username": "lawyer", "password": SECRET * 57}, "password"),
    ("refresh", {"refresh_token": "x" * 513}, "refresh_token"),
    ("create", with_child(names=[{"script": "Latn", "given": LONG}]), "child.names.0.given"),
    ("create", with_child(names=[{"script": "Latn", "family": LONG}]), "child.names.0.family"),
    (
        "create",
        with_child(names=[{"script": "Latn", "given": "A", "patronymic": LONG}]),
        "child.names.0.patronymic",
    ),
    (
        "create",
        with_child(birth_place={"country": "SY", "locality": LONG}),
        "child.birth_place.locality",
    ),
    ("create", with_child(residence=VERY_LONG), "child.residence"),
    ("create", with_child(languages=["k" * 101]), "child.languages.0"),
    ("create", with_child(languages=["kk"] * 11), "child.languages"),
    ("create", with_child(names=CHILD["names"] * 7), "child.names"),
    ("create", {"child": CHILD, "people": [MOTHER] * 31}, "people"),
    ("patch", {"child": {"residence": VERY_LONG}}, "child.residence"),
    (
        "patch",
        {"people": [{"relation": "aunt", "names": [{"script": "Latn", "family": LONG}]}]},
        "people.0.names.0.family",
    ),
    ("transitions", with_petition(track="t" * 41), "track"),
    ("transitions", with_petition(action="a" * 41), "action"),
    ("transitions", with_petition(note=VERY_LONG), "note"),
    ("transitions", with_petition(data={"grounds": VERY_LONG}), "data.grounds"),
    (
        "transitions",
        with_petition(evidence_ids=[str(uuid.uuid4()) for _ in range(21)]),
        "evidence_ids",
    ),
    ("close", {"reason": "withdrawn", "note": VERY_LONG}, "note"),
    ("reopen", {"note": VERY_LONG}, "note"),
    ("assignments", {"username": "l" * 65}, "username"),
]


def test_an_over_long_value_is_refused_and_named(api: Api, subtests: pytest.Subtests) -> None:
    refuse_each(api.client, subtests, named(TOO_LONG))


UNKNOWN_FIELDS = [
    ("login", {"username": "lawyer", "password": PASSWORD, "remember_me": True}, "remember_me"),
    ("login", {"username": "lawyer", "password": PASSWORD, "role": "admin"}, "role"),
    ("refresh", {"refresh_token": "x" * 43, "scope": "admin"}, "scope"),
    ("create", {**with_child(), "status": "complete"}, "status"),
    ("create", {**with_child(), "reference": "HW-0000-0000-0000"}, "reference"),
    ("create", with_child(nickname=SECRET), "child.nickname"),
    (
        "create",
        with_child(names=[{"script": "Latn", "given": "A", "middle": SECRET}]),
        "child.names.0.middle",
    ),
    (
        "create",
        with_child(birth_date={"value": "2016-01-01", "precision": "year", "approximate": True}),
        "child.birth_date.approximate",
    ),
    ("create", with_mother(religion=SECRET), "people.0.religion"),
    ("create", with_mother(id=NOBODY), "people.0.id"),
    ("patch", {"version": 99}, "version"),
    ("patch", {"status": "closed"}, "status"),
    ("patch", {"child": {"relation": "mother"}}, "child.relation"),
    ("patch", {"people": [{"id": NOBODY, "case_id": NOBODY}]}, "people.0.case_id"),
    ("transitions", with_petition(to="established"), "to"),
    ("transitions", with_petition(performed_by="judge"), "performed_by"),
    (
        "transitions",
        with_petition(data={"grounds": "Camp records", "approved": True}),
        "data.approved",
    ),
    ("close", {"reason": "withdrawn", "status": "open"}, "status"),
    ("reopen", {"status": "open"}, "status"),
    ("assignments", {"username": "lawyer2", "role": "admin"}, "role"),
]


def test_an_unknown_field_is_refused_and_named(api: Api, subtests: pytest.Subtests) -> None:
    refuse_each(api.client, subtests, named(UNKNOWN_FIELDS))

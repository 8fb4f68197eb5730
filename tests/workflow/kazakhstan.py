"""A case on the Kazakhstan definition, walked step by step as its agencies would, and the
foreign documents its court and registry need translated."""

from __future__ import annotations

from typing import Any

from tests.evidence.helpers import upload_foreign
from tests.factories import Api

IIN = "190515500129"  # born 15 May 2019, in the 2000s; 9 is its check digit


def record_and_translation(api: Api, case_id: str) -> tuple[str, str]:
    """A Syrian birth record in Arabic, legalised, and its sworn Russian translation."""
    original = upload_foreign(
        api,
        case_id,
        language="ar",
        legalisation="legalised",
        legalisation_country="SY",
        legalised_on="2019-08-01",
    )
    assert original.status_code == 201, original.json
    translation = upload_foreign(
        api,
        case_id,
        language="ru",
        translation_of=original.json["id"],
        translator_name="Айгерим Сапарова",
        translator_role="notarised translator",
        translator_sworn="true",
    )
    assert translation.status_code == 201, translation.json
    return original.json["id"], translation.json["id"]


def walk_to_kinship(api: Api, case: dict[str, Any]) -> tuple[str, str]:
    """DNA confirmed against the grandmother; return the foreign record and its translation."""
    case_id, granny = case["id"], api.person(case, "grandmother")
    api.step(
        "lawyer",
        case_id,
        "dna",
        "request",
        {"reference_person": granny, "relationship_tested": "grandmaternity"},
    )
    api.step(
        "lab",
        case_id,
        "dna",
        "collect_samples",
        {"sample_ids": ["KZ-S-1"], "collected_on": "2026-10-01"},
    )
    api.step("lab", case_id, "dna", "confirm", {"report_number": "L-7", "probability": 0.9999})
    return record_and_translation(api, case_id)


def steps_after_kinship(
    api: Api, case: dict[str, Any]
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Every step from the court's ruling to the identity document: (user, track, action, data)."""
    granny, mother = api.person(case, "grandmother"), api.person(case, "mother")
    return [
        ("judge", "parentage", "establish", {"ruling_number": "2-1187/2026", "parent": mother}),
        ("lawyer", "birth_registration", "file", {}),
        ("registrar", "birth_registration", "take_review", {}),
        (
            "registrar",
            "birth_registration",
            "register",
            {"certificate_number": "I-АЛ 0048213", "registered_on": "2026-10-20", "iin": IIN},
        ),
        (
            "lawyer",
            "guardianship",
            "apply",
            {"proposed_guardian": granny, "relationship": "grandmother"},
        ),
        (
            "guardianship",
            "guardianship",
            "grant",
            {"decision_number": "ОО-311", "guardian": granny},
        ),
        ("lawyer", "citizenship", "file", {}),
        ("citizenship", "citizenship", "take_review", {}),
        ("citizenship", "citizenship", "grant", {"decision_number": "МВД-5521"}),
        ("lawyer", "identity_document", "apply", {}),
        (
            "citizenship",
            "identity_document",
            "issue",
            {"document_number": "N-0448213", "expires_on": "2036-01-01"},
        ),
    ]

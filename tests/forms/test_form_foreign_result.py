"""The DNA request printed for the court shows a result from a laboratory abroad where the case
has one: the laboratory, its country, each relative tested with the relationship, the report."""

from __future__ import annotations

from tests.factories import Api
from tests.forms.helpers import generate, issued, logical_text

FOREIGN = {
    "laboratory": "مختبر بغداد للأدلة الجنائية",
    "laboratory_country": "IQ",
    "tested_on": "2025-11-03",
    "report_number": "ЛАБ-77/2025",
    "probability": 0.99962,
}


def test_the_dna_request_prints_the_result_from_abroad(api: Api) -> None:
    case = api.create_case()
    mother, grandmother = api.person(case, "mother"), api.person(case, "grandmother")
    relatives = [
        {"person": mother, "relationship": "maternity"},
        {"person": grandmother, "relationship": "grandmaternity"},
    ]
    api.step(
        "lawyer",
        case["id"],
        "dna",
        "record_foreign_result",
        {**FOREIGN, "relatives_tested": relatives},
    )

    text = logical_text(issued(generate(api, case["id"], "dna-request")))
    assert "Result of a laboratory abroad" in text
    assert "ЛАБ-77/2025" in text and "0.99962" in text and "2025-11-03" in text
    assert "Нұрғалиева Гүлнар (материнство / maternity)" in text  # the court's two languages
    assert "Нұрғалиева Сәуле (родство с бабушкой / grandmaternity)" in text


def test_a_dna_request_without_a_result_from_abroad_has_no_such_section(api: Api) -> None:
    case = api.create_case()
    api.request_dna(case)
    text = logical_text(issued(generate(api, case["id"], "dna-request")))
    assert "Result of a laboratory abroad" not in text

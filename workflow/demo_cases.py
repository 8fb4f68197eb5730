"""The demo's children: names in Kazakh Cyrillic, Arabic and Latin, at every stage of the work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

LAWYER = "{lawyer}"  # the case's own lawyer
ON = "{on}"  # in a step's data: the day the step is taken; "{on+N}", N days after it
Step = tuple[str, str, str, dict[str, Any]]

# How many days after the step before it each step is typically taken, within the targets the
# default procedure sets; the demo scales a story down when the case opened too recently for it.
STEP_DAYS = {
    ("dna", "request"): 3,
    ("dna", "authorize"): 9,
    ("dna", "collect_samples"): 12,
    ("dna", "confirm"): 20,
    ("birth_registration", "file"): 4,
    ("birth_registration", "take_review"): 2,
    ("birth_registration", "register"): 18,
    ("birth_registration", "request_info"): 10,
    ("guardianship", "file_petition"): 5,
    ("guardianship", "assess_suitable"): 20,
    ("guardianship", "schedule_hearing"): 15,
    ("guardianship", "grant"): 35,
    ("citizenship", "file"): 5,
    ("citizenship", "take_review"): 3,
    ("citizenship", "grant"): 40,
    ("identity_document", "apply"): 4,
    ("identity_document", "issue"): 21,
    ("parentage", "file_petition"): 7,
}

DNA_REQUESTED: list[Step] = [
    (LAWYER, "dna", "request", {"reference_person": "@mother", "relationship_tested": "maternity"}),
]
DNA_AUTHORIZED = [*DNA_REQUESTED, ("judge", "dna", "authorize", {"ruling_number": "2-1187/2026"})]
DNA_SAMPLED = [
    *DNA_AUTHORIZED,
    (
        "lab",
        "dna",
        "collect_samples",
        {"sample_ids": ["S-0412", "S-0413"], "collected_on": ON},
    ),
]
DNA_CONFIRMED = [
    *DNA_SAMPLED,
    ("lab", "dna", "confirm", {"report_number": "FL-2026-0932", "probability": 0.99991}),
]
BIRTH_FILED: list[Step] = [(LAWYER, "birth_registration", "file", {})]
BIRTH_IN_REVIEW = [*BIRTH_FILED, ("registrar", "birth_registration", "take_review", {})]
BIRTH_REGISTERED = [
    *BIRTH_IN_REVIEW,
    (
        "registrar",
        "birth_registration",
        "register",
        {"certificate_number": "I-АЛ 0048213", "registered_on": ON},
    ),
]
GUARDIANSHIP_FILED = [
    (
        LAWYER,
        "guardianship",
        "file_petition",
        {"proposed_guardian": "@grandmother", "relationship": "maternal grandmother"},
    )
]
GUARDIANSHIP_HEARING = [
    *GUARDIANSHIP_FILED,
    ("guardianship", "guardianship", "assess_suitable", {"report_reference": "GA-2026-311"}),
    ("judge", "guardianship", "schedule_hearing", {"hearing_date": "{on+21}"}),
]
GUARDIANSHIP_GRANTED = [
    *GUARDIANSHIP_HEARING,
    (
        "judge",
        "guardianship",
        "grant",
        {"order_number": "2-3021/2026", "order_type": "permanent", "guardian": "@grandmother"},
    ),
]
CITIZENSHIP_IN_REVIEW: list[Step] = [
    (LAWYER, "citizenship", "file", {}),
    ("citizenship", "citizenship", "take_review", {}),
]
CITIZENSHIP_GRANTED = [
    *CITIZENSHIP_IN_REVIEW,
    (
        "citizenship",
        "citizenship",
        "grant",
        {"identifier_kind": "personal_identification_number", "identifier": "160304650123"},
    ),
]
ID_APPLIED: list[Step] = [(LAWYER, "identity_document", "apply", {})]
ID_ISSUED = [
    *ID_APPLIED,
    (
        "citizenship",
        "identity_document",
        "issue",
        {"document_number": "N12345678", "expires_on": "{on+3652}"},
    ),
]
READY_FOR_CITIZENSHIP = [*DNA_CONFIRMED, *BIRTH_REGISTERED, *GUARDIANSHIP_GRANTED]


@dataclass(frozen=True)
class DemoCase:
    lawyer: str
    particulars: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    opened_days_ago: int = 10
    pace: float = 1.0  # the story's steps come this many times STEP_DAYS apart


def dated(data: dict[str, Any], on: date) -> dict[str, Any]:
    """A step's data with ON and "{on+N}" replaced by the day the step is taken, or N after."""
    return {key: _date_of(value, on) for key, value in data.items()}


def _date_of(value: Any, on: date) -> Any:
    if not (isinstance(value, str) and value.startswith("{on") and value.endswith("}")):
        return value
    days = int(value[4:-1] or 0)
    return (on + timedelta(days=days)).isoformat()


def _name(script: str, given: str, family: str) -> dict[str, str]:
    return {"script": script, "given": given, "family": family}


def _child(
    names: list[dict[str, str]],
    sex: str,
    born: str,
    precision: str = "year",
    country: str = "SY",
    locality: str = "Raqqa",
) -> dict[str, Any]:
    return {
        "names": names,
        "sex": sex,
        "birth_date": {"value": born, "precision": precision},
        "birth_place": {"country": country, "locality": locality},
        "languages": ["kk", "ar"],
        "residence": "With the maternal grandmother, Almaty region",
    }


def _mother(names: list[dict[str, str]], whereabouts: str = "detained_abroad") -> dict[str, Any]:
    return {
        "relation": "mother",
        "names": names,
        "alive": whereabouts != "deceased",
        "whereabouts": whereabouts,
        "citizenship": "KZ",
        "sex": "female",
    }


def _grandmother(names: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "relation": "grandmother",
        "names": names,
        "alive": True,
        "whereabouts": "in_country",
        "citizenship": "KZ",
        "sex": "female",
    }


def _family(
    child: list[dict[str, str]],
    mother: list[dict[str, str]],
    sex: str,
    born: str,
    whereabouts: str = "detained_abroad",
    **place: str,
) -> dict[str, Any]:
    granny = [
        _name(n["script"], "Сәуле" if n["script"] == "Cyrl" else "Saule", n["family"])
        for n in mother
        if n["script"] != "Arab"
    ]
    return {
        "child": _child(child, sex, born, **place),
        "people": [_mother(mother, whereabouts), _grandmother(granny)],
    }


DEMO_CASES = [
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Әлия", "Нұрғалиева"), _name("Latn", "Aliya", "Nurgalieva")],
            [_name("Cyrl", "Гүлнар", "Нұрғалиева")],
            "female",
            "2016-01-01",
        ),
        opened_days_ago=2,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Arab", "مريم", "الحسن"), _name("Latn", "Maryam", "Al-Hassan")],
            [_name("Cyrl", "Жанар", "Әбенова"), _name("Arab", "جنار", "عابينوفا")],
            "female",
            "2018-05-01",
            "camp_abroad",
            country="SY",
            locality="Al-Hol",
        ),
        DNA_REQUESTED,
        20,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Ұлан", "Қасымов"), _name("Latn", "Ulan", "Kassymov")],
            [_name("Cyrl", "Айнұр", "Қасымова")],
            "male",
            "2015-03-01",
            country="IQ",
            locality="Mosul",
        ),
        DNA_AUTHORIZED,
        80,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Айгерім", "Сейітқали"), _name("Latn", "Aigerim", "Seitkali")],
            [_name("Cyrl", "Мөлдір", "Сейітқали")],
            "female",
            "2017-07-01",
            precision="month",
        ),
        DNA_SAMPLED,
        30,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Ибрагим", "Ахметов"), _name("Arab", "إبراهيم", "أحمدوف")],
            [_name("Cyrl", "Гүлмира", "Ахметова")],
            "male",
            "2014-02-11",
            "in_country",
            precision="exact",
        ),
        [*DNA_CONFIRMED, *BIRTH_FILED],
        60,
    ),
    DemoCase(
        "lawyer2",
        _family(
            [_name("Arab", "خديجة", "يوسف"), _name("Cyrl", "Хадиша", "Жүсіпова")],
            [_name("Cyrl", "Ләззат", "Жүсіпова")],
            "female",
            "2019-01-01",
        ),
        [*DNA_CONFIRMED, *BIRTH_IN_REVIEW],
        70,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Latn", "Dina", "Omarova"), _name("Cyrl", "Дина", "Омарова")],
            [_name("Cyrl", "Салтанат", "Омарова")],
            "female",
            "2016-06-01",
        ),
        [*DNA_CONFIRMED, *BIRTH_REGISTERED, *GUARDIANSHIP_FILED],
        110,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Жүсіп", "Жақсылықов"), _name("Arab", "يوسف", "جاكسيليكوف")],
            [_name("Cyrl", "Әсел", "Жақсылықова")],
            "male",
            "2015-09-01",
        ),
        [*DNA_CONFIRMED, *BIRTH_REGISTERED, *GUARDIANSHIP_HEARING],
        150,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Амина", "Бекова"), _name("Arab", "أمينة", "بيكوفا")],
            [_name("Cyrl", "Індира", "Бекова")],
            "female",
            "2017-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_IN_REVIEW],
        200,
    ),
    DemoCase(
        "lawyer2",
        _family(
            [_name("Cyrl", "Темірлан", "Оспанов"), _name("Latn", "Temirlan", "Ospanov")],
            [_name("Cyrl", "Һәнна", "Оспанова")],
            "male",
            "2013-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_GRANTED, *ID_APPLIED],
        230,
    ),
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Сафия", "Төлеуова"), _name("Latn", "Safiya", "Toleuova")],
            [_name("Cyrl", "Үміт", "Төлеуова")],
            "female",
            "2012-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_GRANTED, *ID_ISSUED],
        300,
        1.1,
    ),
    DemoCase(
        "lawyer2",
        _family(
            [_name("Cyrl", "Нұрсұлтан", "Ғабитов"), _name("Latn", "Nursultan", "Gabitov")],
            [_name("Cyrl", "Ғалия", "Ғабитова")],
            "male",
            "2018-01-01",
            "deceased",
        ),
        [
            (
                LAWYER,
                "parentage",
                "file_petition",
                {"grounds": "Mother deceased; camp records and witness statements"},
            )
        ],
        35,
    ),
    DemoCase(
        "lawyer3",
        _family(
            [_name("Latn", "Zainab", "Rahimova"), _name("Arab", "زينب", "رحيموفا")],
            [_name("Cyrl", "Зарина", "Рахимова")],
            "female",
            "2019-06-01",
        ),
        [
            *DNA_CONFIRMED,
            *BIRTH_IN_REVIEW,
            (
                "registrar",
                "birth_registration",
                "request_info",
                {"reason": "The place of birth needs a supporting camp record."},
            ),
        ],
        75,
    ),
    # Three more cases taken to completion, at different paces, so that completions fall in
    # different months.
    DemoCase(
        "lawyer",
        _family(
            [_name("Cyrl", "Айша", "Мұратова"), _name("Latn", "Aisha", "Muratova")],
            [_name("Cyrl", "Назым", "Мұратова")],
            "female",
            "2014-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_GRANTED, *ID_ISSUED],
        340,
    ),
    DemoCase(
        "lawyer2",
        _family(
            [_name("Cyrl", "Әли", "Серікбаев"), _name("Arab", "علي", "سيريكباييف")],
            [_name("Cyrl", "Гүлжан", "Серікбаева")],
            "male",
            "2016-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_GRANTED, *ID_ISSUED],
        280,
        0.85,
    ),
    DemoCase(
        "lawyer3",
        _family(
            [_name("Latn", "Yusuf", "Karimov"), _name("Cyrl", "Юсуф", "Каримов")],
            [_name("Cyrl", "Мадина", "Каримова")],
            "male",
            "2015-01-01",
        ),
        [*READY_FOR_CITIZENSHIP, *CITIZENSHIP_GRANTED, *ID_ISSUED],
        250,
        0.8,
    ),
]

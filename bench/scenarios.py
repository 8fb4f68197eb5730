"""What the benchmark times: health, reading a case, taking steps, and listing with filters."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from bench.client import Client, version_of
from bench.measure import Budget, Measurement, measure, measure_in_turns
from bench.seed import BUSY_LAWYER
from workflow.models import Assignment, Case, TrackState, User
from workflow.vocabulary import CaseStatus

REGISTRAR = "registrar"
TRACK = "birth_registration"
# The steps of birth registration that can repeat forever: file, take for review, ask for more.
ROUND: dict[str, tuple[str, str, dict[str, Any]]] = {
    "info_requested": (BUSY_LAWYER, "file", {}),
    "rejected": (BUSY_LAWYER, "file", {}),
    "filed": (REGISTRAR, "take_review", {}),
    "under_review": (REGISTRAR, "request_info", {"reason": "Send the mother's birth record."}),
}
AFTER = {"file": "filed", "take_review": "under_review", "request_info": "info_requested"}
LISTS: list[tuple[str, str, dict[str, str]]] = [
    ("no filter", BUSY_LAWYER, {}),
    ("track+state", BUSY_LAWYER, {"track": TRACK, "state": "under_review"}),
    ("overdue=true", BUSY_LAWYER, {"overdue": "true"}),
    ("q, Latin family name", BUSY_LAWYER, {"q": "Nurgalieva"}),
    ("q, Cyrillic full name", BUSY_LAWYER, {"q": "Әлия Нұрғалиева"}),
    ("q, Arabic given name", BUSY_LAWYER, {"q": "عالية"}),
    # Names common enough to fill a page of 10 on a registry of 1,000 cases too, so that a
    # comparison of the two sizes shows the same number of cases on both.
    ("q, Latin start, 10 a page", BUSY_LAWYER, {"q": "nur", "per_page": "10"}),
    ("q, Cyrillic start, 10 a page", BUSY_LAWYER, {"q": "нұр", "per_page": "10"}),
    ("q, Arabic start, 10 a page", BUSY_LAWYER, {"q": "نور", "per_page": "10"}),
    ("queue=agency", REGISTRAR, {"queue": "agency"}),
    ("queue=agency, overdue=true", REGISTRAR, {"queue": "agency", "overdue": "true"}),
    ("no filter", REGISTRAR, {}),
    ("q, Latin family name", REGISTRAR, {"q": "Nurgalieva"}),
]


@dataclass(frozen=True)
class Budgets:
    """The iteration caps of each kind of measurement, under one time limit."""

    seconds: float

    def of(self, iterations: int, warmup: int) -> Budget:
        return Budget(iterations, self.seconds, warmup)


def health(client: Client, budgets: Budgets, label: str) -> Measurement:
    """GET /healthz: the whole stack and one database round trip, no authentication."""
    return measure(label, lambda: client.get(None, "/healthz"), budgets.of(50_000, 200))


def case_read(client: Client, engine: Engine, budgets: Budgets) -> Measurement:
    """GET /api/v1/cases/{id} as the lawyer assigned, over many of the lawyer's cases."""
    assigned = _assigned(engine, BUSY_LAWYER, 2_000)
    case_ids = itertools.cycle(assigned)
    client.sign_in(BUSY_LAWYER)
    return measure(
        "GET /api/v1/cases/{id}",
        lambda: client.get(BUSY_LAWYER, f"/api/v1/cases/{next(case_ids)}"),
        budgets.of(20_000, 50),
        f"as {BUSY_LAWYER}, assigned; cycling over {len(assigned):,} cases",
    )


def transitions(client: Client, engine: Engine, budgets: Budgets) -> Measurement:
    """POST /api/v1/cases/{id}/transitions, file -> take_review -> request_info, over many cases."""
    desks = _birth_registrations(engine, 500)
    client.sign_in(BUSY_LAWYER, REGISTRAR)
    return measure(
        "POST /api/v1/cases/{id}/transitions",
        Rounds(client, desks),
        budgets.of(10_000, 30),
        f"{TRACK} file/take_review/request_info; {BUSY_LAWYER} and {REGISTRAR}; {len(desks)} cases",
    )


def case_lists(client: Client, budgets: Budgets) -> list[Measurement]:
    """GET /api/v1/cases with each filter, first page of 25."""
    client.sign_in(BUSY_LAWYER, REGISTRAR)
    return [_case_list(client, budgets, *case_list) for case_list in LISTS]


def _case_list(
    client: Client, budgets: Budgets, name: str, username: str, query: dict[str, str]
) -> Measurement:
    total = _total(client, username, query)
    return measure(
        f"GET /api/v1/cases {name}",
        lambda: client.get(username, "/api/v1/cases", **query),
        budgets.of(2_000, 3),
        f"as {username}; {total} match",
    )


def case_lists_in_turns(
    small: Client, large: Client, budgets: Budgets
) -> list[tuple[Measurement, Measurement]]:
    """Each list of LISTS on a small registry and on a large one, timed in turns: the same
    request to one, then the other, so whatever else the machine does slows both alike."""
    for client in (small, large):
        client.sign_in(BUSY_LAWYER, REGISTRAR)
    return [_list_in_turns(small, large, budgets, *case_list) for case_list in LISTS]


def _list_in_turns(
    small: Client,
    large: Client,
    budgets: Budgets,
    name: str,
    username: str,
    query: dict[str, str],
) -> tuple[Measurement, Measurement]:
    totals = [_total(client, username, query) for client in (small, large)]
    label = f"GET /api/v1/cases {name}"
    measured = measure_in_turns(
        (label, label),
        lambda on_small: (small if on_small else large).get(username, "/api/v1/cases", **query),
        budgets.of(2_000, 3),
    )
    return (
        dataclasses.replace(measured[0], detail=f"as {username}; {totals[0]} match"),
        dataclasses.replace(measured[1], detail=f"as {username}; {totals[1]} match"),
    )


def _total(client: Client, username: str, query: dict[str, str]) -> str:
    """The list's total as the API gives it: "1,000+" when it is a lower bound."""
    body = client.get(username, "/api/v1/cases", **query).json or {}
    return f"{body['total']:,}" + ("" if body.get("total_exact", True) else "+")


@dataclass
class Desk:
    """One case's birth registration, as the benchmark last saw it."""

    case_id: str
    version: int
    state: str


class Rounds:
    """Take the next birth-registration step on one case after another, round and round."""

    def __init__(self, client: Client, desks: list[Desk]) -> None:
        if not desks:
            raise RuntimeError("no open case of the busy lawyer has a birth registration to cycle")
        self.client = client
        self.turns: Iterator[Desk] = itertools.cycle(desks)

    def __call__(self) -> None:
        desk = next(self.turns)
        username, action, data = ROUND[desk.state]
        response = self.client.post(
            username,
            f"/api/v1/cases/{desk.case_id}/transitions",
            {"track": TRACK, "action": action, "data": data},
            desk.version,
        )
        desk.version, desk.state = version_of(response), AFTER[action]


def _assigned(engine: Engine, username: str, limit: int) -> list[str]:
    statement = (
        select(Assignment.case_id)
        .join(User, User.id == Assignment.user_id)
        .where(User.username == username)
        .order_by(func.random())
        .limit(limit)
    )
    return [str(case_id) for (case_id,) in _rows(engine, statement)]


def _birth_registrations(engine: Engine, limit: int) -> list[Desk]:
    statement = (
        select(Case.id, Case.version, TrackState.state)
        .join(TrackState, TrackState.case_id == Case.id)
        .join(Assignment, Assignment.case_id == Case.id)
        .join(User, User.id == Assignment.user_id)
        .where(
            User.username == BUSY_LAWYER,
            Case.status == CaseStatus.OPEN,
            TrackState.track == TRACK,
            TrackState.state.in_(ROUND),
        )
        .order_by(func.random())
        .limit(limit)
    )
    return [
        Desk(str(case_id), version, state) for case_id, version, state in _rows(engine, statement)
    ]


def _rows(engine: Engine, statement: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(statement).all())

"""Every route of the app either leaves an event in the trail under a named action or is listed,
with its reason, as leaving none: a new route is a decision, never an accident."""

from __future__ import annotations

from flask import Flask

from audit.actions import ACTIONS, NOT_AUDITED


def endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_route_is_audited_or_says_why_not(app: Flask) -> None:
    undecided = endpoints(app) - ACTIONS.keys() - NOT_AUDITED.keys()
    assert not undecided, f"name these in ACTIONS, or in NOT_AUDITED with a reason: {undecided}"


def test_no_route_is_both_audited_and_not() -> None:
    assert not ACTIONS.keys() & NOT_AUDITED.keys()


def test_the_tables_name_only_routes_that_exist(app: Flask) -> None:
    assert not (ACTIONS.keys() | NOT_AUDITED.keys()) - endpoints(app)


def test_each_route_left_unaudited_gives_a_reason() -> None:
    assert all(reason.strip() for reason in NOT_AUDITED.values())

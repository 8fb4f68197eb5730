"""What a case waits for next, read from the default workflow: alternatives from its `any_of`."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.rules.catalogue import read_file
from workflow.rules.definition import Definition
from workflow.rules.progress import NextStep, alternatives, next_steps

DEFAULT = Path(__file__).resolve().parents[2] / "workflow" / "definitions" / "default.yaml"


@pytest.fixture(scope="module")
def definition() -> Definition:
    return Definition.model_validate(read_file(DEFAULT))


def fresh(definition: Definition, **states: str) -> dict[str, str]:
    return {track.name: track.initial for track in definition.tracks} | states


def test_dna_and_parentage_are_alternatives(definition: Definition) -> None:
    assert alternatives(definition) == [("dna", "parentage")]


def test_a_new_case_waits_on_the_lawyer_for_one_of_the_alternatives(
    definition: Definition,
) -> None:
    steps = next_steps(definition, fresh(definition))
    assert steps[0] == NextStep(("dna", "parentage"), ("ngo",))
    assert ("birth_registration",) in [step.tracks for step in steps]


def test_the_alternative_under_way_is_the_one_that_waits(definition: Definition) -> None:
    steps = next_steps(definition, fresh(definition, dna="requested"))
    assert steps[0] == NextStep(("dna",), ("court",))


def test_once_one_alternative_is_met_the_other_is_not_needed(definition: Definition) -> None:
    steps = next_steps(definition, fresh(definition, parentage="established"))
    assert all("dna" not in step.tracks for step in steps)


def test_a_finished_or_blocked_track_waits_on_nobody(definition: Definition) -> None:
    tracks = [step.tracks for step in next_steps(definition, fresh(definition))]
    assert ("citizenship",) not in tracks  # it needs the birth registered first
    done = fresh(definition, birth_registration="registered")
    assert ("birth_registration",) not in [step.tracks for step in next_steps(definition, done)]

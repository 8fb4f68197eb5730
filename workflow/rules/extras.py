"""What a step may ask beyond its own data: a result that reaches the threshold of the
relationship tested, and a reference sample kept once for the person it was taken from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from workflow.rules.definition import Track

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Threshold(Strict):
    """The number in field `value` must reach the minimum of the relationship in field `by`
    (this step's, or else as the track's latest step recorded them)."""

    value: Name
    by: Name
    minimum: dict[Name, Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1)


class KeptSample(Strict):
    """The sample id in field `sample` is the reference sample of the person in field `of`,
    taken on the date in field `taken_on`, kept once for her and counted on every case she is on;
    left empty, the one held (if any) is recorded with the step."""

    sample: Name
    of: Name
    taken_on: Name


def check_extras(track: Track) -> None:
    """Every threshold and kept sample of the track names fields that exist, of the right kind."""
    from workflow.rules.definition import fields_of

    for transition in track.transitions:
        if transition.threshold is not None:
            _check_threshold(track, transition.threshold)
        kept = transition.keeps_sample
        if kept is not None:
            spec = transition.fields.get(kept.sample)
            if spec is None or spec.kind != "text" or not spec.optional:
                raise ValueError(f"keeps_sample names no optional text field {kept.sample!r}")
            _must_name(kept.of, fields_of(track, "person"), "person field")
            dates = {name for name, spec in transition.fields.items() if spec.kind == "date"}
            _must_name(kept.taken_on, dates, "date field")


def _check_threshold(track: Track, threshold: Threshold) -> None:
    from workflow.rules.definition import fields_of

    _must_name(threshold.value, fields_of(track, "number"), "number field")
    _must_name(threshold.by, fields_of(track, "choice", "relatives"), "choice or relatives field")
    options = {
        option
        for transition in track.transitions
        for name, spec in transition.fields.items()
        if name == threshold.by
        for option in spec.options or []
    }
    if options != set(threshold.minimum):
        raise ValueError(
            f"a threshold needs a minimum for each option of {threshold.by}, and no other: "
            f"{', '.join(sorted(options ^ set(threshold.minimum)))}"
        )


def _must_name(name: str, defined: set[str], what: str) -> None:
    if name not in defined:
        raise ValueError(f"unknown {what}: {name}")

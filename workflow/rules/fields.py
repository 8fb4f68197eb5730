"""The data a transition needs, as a pydantic model built from its field specs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from workflow.rules.care import Institution
from workflow.rules.definition import FieldSpec, Transition
from workflow.rules.iin import checked_iin
from workflow.rules.languages import a_country
from workflow.text import clean_line, clean_paragraph

MAX_LIST_ITEMS = 50
MAX_RELATIVES = 10  # tested in one kinship test: a mother, grandparents, siblings, an aunt


class TransitionData(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Keyed by id(); the transition is kept beside its model so that the id is never reused.
_MODELS: dict[int, tuple[Transition, type[TransitionData]]] = {}


def data_model(transition: Transition) -> type[TransitionData]:
    """The pydantic model of a transition's `data`, built once per transition."""
    cached = _MODELS.get(id(transition))
    if cached is None:
        cached = _MODELS[id(transition)] = (transition, _build(transition))
    return cached[1]


def _build(transition: Transition) -> type[TransitionData]:
    definitions: dict[str, Any] = {}
    for name, spec in transition.fields.items():
        annotation = _annotation(spec)
        definitions[name] = (annotation | None, None) if spec.optional else (annotation, ...)
    name = "".join(part.title() for part in transition.action.split("_")) + "Data"
    return create_model(name, __base__=TransitionData, **definitions)


def data_schema(transition: Transition) -> dict[str, Any]:
    """The JSON Schema of a transition's `data`, for the API and the UI."""
    schema = data_model(transition).model_json_schema()
    schema.setdefault("required", [])
    return schema


def _annotation(spec: FieldSpec) -> Any:
    if spec.kind == "text":
        return _text(spec.max_length or 100, clean_line)
    if spec.kind == "reason":
        return _text(spec.max_length or 2000, clean_paragraph)
    if spec.kind == "text_list":
        item = _text(spec.max_length or 100, clean_line)
        return Annotated[list[item], Field(min_length=1, max_length=MAX_LIST_ITEMS)]  # type: ignore[valid-type]
    if spec.kind == "number":
        return Annotated[float, Field(ge=spec.minimum, le=spec.maximum, allow_inf_nan=False)]
    if spec.kind == "choice":
        return Literal[tuple(spec.options or ())]
    if spec.kind == "iin":
        return Annotated[str, Field(pattern=r"^[0-9]{12}$"), AfterValidator(checked_iin)]
    if spec.kind == "person":
        return Annotated[uuid.UUID, Field(json_schema_extra={"x-homeward-kind": "person"})]
    if spec.kind == "institution":
        return Institution
    if spec.kind == "country":
        country = Field(json_schema_extra={"x-homeward-kind": "country"})
        return Annotated[str, country, AfterValidator(a_country)]
    if spec.kind == "relatives":
        return _relatives(spec)
    return Annotated[date, AfterValidator(_date_check(spec))]


def _relatives(spec: FieldSpec) -> Any:
    """People on the case, each once, with the relationship tested."""
    person: Any = Annotated[uuid.UUID, Field(json_schema_extra={"x-homeward-kind": "person"})]
    relationship: Any = Literal[tuple(spec.options or ())]
    item = create_model(
        "Relative", __base__=TransitionData, person=(person, ...), relationship=(relationship, ...)
    )
    return Annotated[
        list[item],
        Field(
            min_length=1,
            max_length=MAX_RELATIVES,
            json_schema_extra={"x-homeward-kind": "relatives"},
        ),
        AfterValidator(_each_once),
    ]


def _each_once(relatives: list[Any]) -> list[Any]:
    people = [relative.person for relative in relatives]
    if len(set(people)) != len(people):
        raise ValueError("name each relative once")
    return relatives


def _text(max_length: int, cleaner: Any) -> Any:
    return Annotated[str, Field(min_length=1, max_length=max_length), AfterValidator(cleaner)]


def _date_check(spec: FieldSpec) -> Any:
    def check(value: date) -> date:
        today = datetime.now(UTC).date()
        if spec.past and value > today:
            raise ValueError("date must not be in the future")
        if spec.future and value <= today:
            raise ValueError("date must be in the future")
        return value

    return check

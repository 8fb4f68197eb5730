"""Tracks a country switches on in its definition file: checked when loaded, else left out."""

from __future__ import annotations

from typing import Any

from workflow.rules.definition import Track, _check_requirement


def switched_on(body: Any) -> Any:
    """The definition body without its switched-off tracks, once each of them is checked."""
    if not isinstance(body, dict) or not isinstance(body.get("tracks"), list):
        return body  # not a definition's shape: the model's own checks say what is wrong
    raw = body["tracks"]
    off = [item for item in raw if isinstance(item, dict) and item.get("enabled") is False]
    if not off:
        return body
    _check_switched_off(raw, off)
    return {**body, "tracks": [item for item in raw if not any(item is o for o in off)]}


def _check_switched_off(raw: list[Any], off: list[dict[str, Any]]) -> None:
    """Each switched-off track is a valid track whose requirements name known tracks and states."""
    checked = [Track.model_validate(item) for item in off]
    states: dict[str, set[str]] = {
        item["name"]: {
            str(state.get("name")) for state in item["states"] if isinstance(state, dict)
        }
        for item in raw
        if isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("states"), list)
    }
    for track in checked:
        for transition in track.transitions:
            _check_requirement(transition.requires, states)

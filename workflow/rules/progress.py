"""What a case waits for next, read from the workflow definition: which tracks can move now, on
whom each waits, and which tracks are alternatives (one of them is enough, as `any_of` says)."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.rules.definition import AnyOf, Condition, Definition, Requirement, Track, unmet


@dataclass(frozen=True)
class NextStep:
    """One thing the case waits for: a track, or alternative tracks of which one will do."""

    tracks: tuple[str, ...]
    waiting_on: tuple[str, ...]  # agency kinds, in the definition's order of appearance


def alternatives(definition: Definition) -> list[tuple[str, ...]]:
    """Groups of tracks any of which satisfies a requirement somewhere in the definition."""
    found: list[tuple[str, ...]] = []
    for requirement in _requirements(definition):
        for group in _any_of_groups(requirement):
            if len(group) > 1 and group not in found:
                found.append(group)
    return found


def next_steps(definition: Definition, states: dict[str, str]) -> list[NextStep]:
    """The tracks that can move now and on whom; alternatives merged, or dropped once one is met."""
    open_tracks = {name: _performers(definition, name, states) for name in definition.track_names}
    movable = {name: kinds for name, kinds in open_tracks.items() if kinds}
    steps: list[NextStep] = []
    done: set[str] = set()
    for name in definition.track_names:
        if name not in movable or name in done:
            continue
        group = _group_of(definition, name, states)
        if group is None:
            done.add(name)  # another alternative is already met: this track is not needed
            continue
        done.update(group)
        members = _under_way(definition, [t for t in group if t in movable], states)
        kinds = [kind for track in members for kind in movable[track]]
        steps.append(NextStep(members, tuple(dict.fromkeys(kinds))))
    return steps


def _performers(definition: Definition, name: str, states: dict[str, str]) -> list[str]:
    """The agency kinds that may take a step of this track now, its prerequisites met."""
    track = definition.track(name)
    state = states.get(name)
    if track is None or state is None or _final(track, state):
        return []
    leaving = [t for t in track.leaving(state) if not unmet(t.requires, states)]
    return list(dict.fromkeys(p.agency_kind.value for t in leaving for p in t.performed_by))


def _under_way(definition: Definition, group: list[str], states: dict[str, str]) -> tuple[str, ...]:
    """Of alternatives, the ones already begun; all of them while none is."""
    begun = [name for name in group if states[name] != _initial(definition, name)]
    return tuple(begun or group)


def _initial(definition: Definition, name: str) -> str | None:
    track = definition.track(name)
    return track.initial if track else None


def _final(track: Track, state: str) -> bool:
    return state in track.state_names and track.state(state).final


def _group_of(definition: Definition, name: str, states: dict[str, str]) -> tuple[str, ...] | None:
    """The alternatives the track belongs to; None when one of them already meets its condition."""
    for requirement in _requirements(definition):
        for group, leaves in _any_of_leaves(requirement):
            if name in group and len(group) > 1:
                if any(not unmet(leaf, states) for leaf in leaves):
                    return None
                return group
    return (name,)


def _requirements(definition: Definition) -> list[Requirement]:
    found = [definition.complete_when]
    for track in definition.tracks:
        found.extend(t.requires for t in track.transitions if t.requires is not None)
    return found


def _any_of_groups(requirement: Requirement) -> list[tuple[str, ...]]:
    return [group for group, _ in _any_of_leaves(requirement)]


def _any_of_leaves(requirement: Requirement) -> list[tuple[tuple[str, ...], list[Condition]]]:
    """Each `any_of` made of plain conditions: its tracks, and the conditions themselves."""
    if isinstance(requirement, Condition):
        return []
    children = requirement.any_of if isinstance(requirement, AnyOf) else requirement.all_of
    found = [pair for child in children for pair in _any_of_leaves(child)]
    leaves = [child for child in children if isinstance(child, Condition)]
    if isinstance(requirement, AnyOf) and len(leaves) == len(children):
        found.append((tuple(dict.fromkeys(leaf.track for leaf in leaves)), leaves))
    return found

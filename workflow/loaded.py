"""Objects put in a session as a query would have loaded them, from values read otherwise: the
hottest reads (the session check's user, a case's tracks) come as plain rows, where the ORM's
loading of them cost more than the database's work."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

Loaded = TypeVar("Loaded")


def as_loaded(db: Session, model: type[Loaded], values: dict[str, Any]) -> Loaded:
    """The object of `model` with these column values, in the session as if a query had
    loaded it: the values are committed, and an attribute without one is loaded when first
    read (SQLAlchemy's `make_transient_to_detached`); the session's own if it holds that row
    already, with whatever it changed.

    It joins the session as a query's loading puts an object there (`loading._instance`: the
    session's id on its state, the state in the identity map), not through `Session.add`,
    whose cascade and events, for an object that is neither new nor changed, cost as much as
    all the rest: a case read puts eight objects in its session this way."""
    made: Loaded = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    state = instance_state(made)
    state.dict.update(values)  # as a query's loading writes them
    make_transient_to_detached(made)
    key: Any = state.key
    held: Loaded | None = db.identity_map.get(key)
    if held is not None:
        return held
    state.session_id = db.hash_key
    db.identity_map._add_unpresent(state, key)
    return made

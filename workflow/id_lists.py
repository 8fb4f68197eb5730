"""Aggregates that gather a group's values into one text, the same on SQLite and PostgreSQL: a
case's facts and its tracks in the query that finds the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class id_list(FunctionElement[str]):
    type = Text()
    name = "id_list"
    inherit_cache = True


@compiles(id_list, "sqlite")
def _sqlite(element: id_list, compiler: Any, **kw: Any) -> str:
    return f"group_concat(DISTINCT {compiler.process(element.clauses, **kw)})"


@compiles(id_list, "postgresql")
def _postgresql(element: id_list, compiler: Any, **kw: Any) -> str:
    return f"string_agg(DISTINCT CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


def split(listed: str | None) -> list[str]:
    return listed.split(",") if listed else []


class json_rows(FunctionElement[str]):
    """The group's rows as one JSON text, an array of an array of the given columns for each
    row; NULL (PostgreSQL) or an empty array (SQLite) for no rows."""

    type = Text()
    name = "json_rows"
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _sqlite_rows(element: json_rows, compiler: Any, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _postgresql_rows(element: json_rows, compiler: Any, **kw: Any) -> str:
    return f"CAST(json_agg(json_build_array({compiler.process(element.clauses, **kw)})) AS TEXT)"

"""An aggregate that gathers a column's distinct values of a group into one comma-separated
text, the same on SQLite and PostgreSQL: a case's facts in the query that finds the case."""

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

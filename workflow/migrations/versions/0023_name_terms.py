"""name search in the order of its pages on PostgreSQL: each name's tokens as rows of a btree

A GIN index finds every name holding a token but cannot give them newest first, so a search
read and sorted every match before its page, and its count read names until it had enough
matches. `person_name_terms` holds one row per token and name, kept by a trigger on
`person_names` (as SQLite's FTS5 table is by its triggers), so that a search reads the names of
one token newest first and stops at its page (several tokens are still intersected by the GIN
index, which finds few names). SQLite keeps FTS5, which reads in that order.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from alembic import op

from workflow.name_index import TERMS_TABLE

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

FOLLOW = f"{TERMS_TABLE}_follow"
# A name's terms are its tokens as they stand: replaced whole when its tokens or its case change.
FOLLOW_BODY = f"""
CREATE FUNCTION {FOLLOW}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM {TERMS_TABLE} WHERE name_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO {TERMS_TABLE} (token, name_id, case_id)
        SELECT DISTINCT token, NEW.id, NEW.case_id
        FROM unnest(string_to_array(btrim(NEW.search_key), ' ')) AS token WHERE token <> '';
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608 (table and function names are constants)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TABLE {TERMS_TABLE} (token text NOT NULL, name_id bigint NOT NULL,"
        f" case_id uuid NOT NULL,"
        # The case rides in the index, so that a search reads the index alone.
        f" CONSTRAINT pk_{TERMS_TABLE} PRIMARY KEY (token, name_id) INCLUDE (case_id))"
    )
    op.execute(f"CREATE INDEX ix_{TERMS_TABLE}_name_id ON {TERMS_TABLE} (name_id)")
    op.execute(FOLLOW_BODY)
    op.execute(
        f"CREATE TRIGGER {FOLLOW} AFTER INSERT OR DELETE OR UPDATE OF search_key, case_id"
        f" ON person_names FOR EACH ROW EXECUTE FUNCTION {FOLLOW}()"
    )
    op.execute(
        f"INSERT INTO {TERMS_TABLE} (token, name_id, case_id)"  # noqa: S608
        " SELECT DISTINCT token, id, case_id FROM person_names,"
        " unnest(string_to_array(btrim(search_key), ' ')) AS token WHERE token <> ''"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER {FOLLOW} ON person_names")
    op.execute(f"DROP FUNCTION {FOLLOW}()")
    op.execute(f"DROP TABLE {TERMS_TABLE}")

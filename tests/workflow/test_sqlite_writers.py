"""On SQLite the threads of one process take turns to write: a writer waits for the one before it
to end its transaction, however it ends, and no turn is ever left taken."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workflow import sqlite_writers
from workflow.db import build_engine

WAIT = 10.0  # seconds before a step of these tests counts as hung


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = build_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE steps (n INTEGER)"))
    return engine


def write_in_thread(engine: Engine, began: threading.Event) -> threading.Thread:
    def write() -> None:
        with engine.begin() as connection:
            began.set()
            connection.execute(text("INSERT INTO steps VALUES (2)"))

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_to_commit(engine: Engine) -> None:
    began = threading.Event()
    with engine.begin() as first:
        first.execute(text("INSERT INTO steps VALUES (1)"))
        second = write_in_thread(engine, began)
        assert not began.wait(0.2)  # its turn has not come while the first one writes
    assert began.wait(WAIT)
    second.join(WAIT)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM steps ORDER BY rowid")).scalars().all() == [
            1,
            2,
        ]


@pytest.mark.parametrize("ending", ["rollback", "failure", "close"])
def test_every_end_of_a_write_gives_the_turn_back(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    monkeypatch.setattr(sqlite_writers, "TURN_SECONDS", WAIT)
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("INSERT INTO steps VALUES (1)"))
    if ending == "rollback":
        transaction.rollback()
    elif ending == "failure":
        with pytest.raises(Exception, match="no such table"):
            connection.execute(text("INSERT INTO missing VALUES (1)"))
        transaction.rollback()
    else:
        connection.invalidate()
    connection.close()

    began = threading.Event()
    write_in_thread(engine, began).join(WAIT)

    assert began.is_set()


def test_reads_take_no_turn(engine: Engine) -> None:
    began = threading.Event()
    with engine.connect().execution_options(homeward_reading=True) as reader, reader.begin():
        reader.execute(text("SELECT count(*) FROM steps"))
        write_in_thread(engine, began).join(WAIT)
        assert began.is_set()

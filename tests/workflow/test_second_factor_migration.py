"""The second factor's tables come and go with `homeward db upgrade` and `downgrade`, on SQLite
and PostgreSQL alike, and a factor set up after the upgrade works."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import inspect

from tests.conftest import PASSWORD
from workflow import migrations

BEFORE = "0011"
TABLES = {"second_factors", "recovery_codes"}


def test_downgrading_drops_the_tables_and_upgrading_brings_them_back(
    app: Any, client: Any, accounts: Any
) -> None:
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE)
    with engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
    migrations.upgrade(engine)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES

    login = {"username": "lawyer", "password": PASSWORD}
    token = client.post("/api/v1/auth/login", json=login).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    secret = client.post("/api/v1/me/totp", headers=headers).json["secret"]
    code = {"code": pyotp.TOTP(secret).now()}
    assert client.post("/api/v1/me/totp/confirm", json=code, headers=headers).status_code == 200
    assert client.post("/api/v1/auth/login", json=login).status_code == 401

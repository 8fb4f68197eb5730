"""Bulk intake of a 1,000-row manifest (200 families of five, each mother entered once): the dry
run and the commit, in seconds and per row, beside opening one case through the API in the same
run. In process, through the real application and its one transaction per request, on SQLite.

    python -m bench.intake [--rows 1000] [--singles 50]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from bench.seed import create_cast, loading_engine, reset_schema, sqlite_url, throwaway_app
from tests.intake.manifests import as_csv, child_row
from workflow import migrations

PASSWORD = "bench-intake-password"
CHILDREN_PER_FAMILY = 5


def manifest(rows: int) -> bytes:
    return as_csv(
        [child_row(i // CHILDREN_PER_FAMILY, i % CHILDREN_PER_FAMILY) for i in range(rows)]
    )


def timed_upload(client: FlaskClient, token: str, content: bytes, commit: bool) -> float:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "m.csv")})
    started = time.perf_counter()
    answer = client.post(
        "/api/v1/intake" + ("?commit=true" if commit else ""),
        data=body,
        headers={"Authorization": f"Bearer {token}"},
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert answer.status_code == (201 if commit else 200), answer.json
    return time.perf_counter() - started


def one_case_seconds(client: FlaskClient, token: str, singles: int) -> list[float]:
    row = child_row(0, 0)
    body = {
        "child": {
            "names": [
                {"script": "Cyrl", "given": row["child_given"], "family": row["child_family"]}
            ],
            "sex": row["sex"],
            "birth_date": {"value": row["birth_date"], "precision": "exact"},
        },
        "people": [
            {
                "relation": "mother",
                "names": [{"script": "Cyrl", "given": "Гүлнар", "family": row["child_family"]}],
                "alive": True,
                "whereabouts": "detained_abroad",
            }
        ],
    }
    seconds = []
    for _ in range(singles):
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 201
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = sqlite_url(Path(workdir))
        app = throwaway_app(Path(workdir), url)
        with app.app_context():
            engine = loading_engine(url)
            reset_schema(engine)
            migrations.upgrade(engine)
            create_cast(engine, PASSWORD)
            engine.dispose()
        client = app.test_client()
        login = client.post("/api/v1/auth/login", json={"username": "lawyer", "password": PASSWORD})
        token = str((login.json or {})["access_token"])
        content = manifest(args.rows)
        single = statistics.median(one_case_seconds(client, token, args.singles))
        dry = timed_upload(client, token, content, commit=False)
        commit = timed_upload(client, token, content, commit=True)
    print(f"manifest: {args.rows} rows, {len(content):,} bytes")
    print(f"one case via POST /api/v1/cases (median of {args.singles}): {single * 1000:.1f} ms")
    for label, seconds in (("dry run", dry), ("commit", commit)):
        per_row = seconds / args.rows
        print(
            f"{label}: {seconds:.2f} s, {per_row * 1000:.2f} ms per row "
            f"({per_row / single:.2f}× one case via the API)"
        )


if __name__ == "__main__":
    main()

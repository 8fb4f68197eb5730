"""A crafted upload is taken apart in the sandbox with no transaction open: while it is, the
other users of a served instance go on as if it were not there."""

from __future__ import annotations

import threading
import time
from io import BytesIO
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.evidence.helpers import slow_to_parse_pdf
from tests.serving.served import Served, server_environment, serving

QUICK = 1.0


def upload(served: Served, headers: dict[str, str], case_id: str, content: bytes) -> int:
    boundary, body = encode_multipart(
        {"kind": "lab_report", "file": FileStorage(BytesIO(content), "scan.pdf")}
    )
    status, _headers, _body = served.request(
        "POST",
        f"/api/v1/cases/{case_id}/documents",
        body,
        {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    return status


def test_a_crafted_pdf_does_not_stall_other_users(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(
        tmp_path / "instance", database_url, HOMEWARD_SANDBOX_CPU_SECONDS="3"
    )
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        lawyer, registrar = served.sign_in("lawyer"), served.sign_in("registrar")
        case_id = served.open_case(lawyer)
        outcome: list[int] = []
        bomb = threading.Thread(
            target=lambda: outcome.append(upload(served, lawyer, case_id, slow_to_parse_pdf(60)))
        )
        bomb.start()
        slowest, reads = 0.0, 0
        while bomb.is_alive() and reads < 200:
            started = time.monotonic()
            assert served.request("GET", "/api/v1/me", headers=registrar)[0] == 200
            slowest, reads = max(slowest, time.monotonic() - started), reads + 1
        bomb.join(30)
        assert outcome == [422]
        assert reads > 3 and slowest < QUICK, f"{reads} reads, slowest {slowest:.2f} s"
        status, _headers, body = served.request(
            "GET", f"/api/v1/cases/{case_id}/documents", headers=lawyer
        )
        assert status == 200 and b'"documents":[]' in body.replace(b" ", b"")

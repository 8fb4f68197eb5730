"""The simulated users of `python -m bench.load`, for Locust: lawyers reading and filing,
officials working their queues, auditors reading and exporting the trail.

Run by bench.load in a Locust process of its own (Locust patches the standard library with
gevent, which the rest of Homeward must not see). HOMEWARD_DEMO_PASSWORD signs them in."""

from __future__ import annotations

import io
import os
import random
from datetime import UTC, datetime
from typing import Any

from locust import HttpUser, between, task
from reportlab.pdfgen.canvas import Canvas

PASSWORD = os.environ["HOMEWARD_DEMO_PASSWORD"]
SINCE = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the export grows with the run only


def scan() -> bytes:
    """A one-page PDF, as a lawyer's scanner makes."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.drawString(72, 720, "Consent of the mother, signed")
    canvas.save()
    return out.getvalue()


SCAN = scan()


class Signed(HttpUser):
    """A user who signs in once and sends the token with every request."""

    abstract = True
    wait_time = between(1.0, 3.0)  # below what 2 cores serve: latency, not a queue, is measured
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        username = random.choice(self.usernames)
        answer = self.client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            name="POST /api/v1/auth/login",
        )
        self.client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        self.cases: list[str] = []
        self.open_cases: list[str] = []  # a closed case takes no documents (409)

    def listed(self, query: str, name: str) -> list[str]:
        answer = self.client.get(f"/api/v1/cases?{query}", name=name)
        found: list[dict[str, Any]] = answer.json().get("cases", []) if answer.ok else []
        self.open_cases = [case["id"] for case in found if case["status"] == "open"]
        return [case["id"] for case in found]


class Lawyer(Signed):
    weight = 3
    usernames = ("lawyer", "lawyer2", "lawyer3")

    @task(4)
    def list_cases(self) -> None:
        self.cases = self.listed("per_page=10", "GET /api/v1/cases (lawyer)") or self.cases

    @task(6)
    def read_case(self) -> None:
        if self.cases:
            case = random.choice(self.cases)
            self.client.get(f"/api/v1/cases/{case}", name="GET /api/v1/cases/{id} (lawyer)")

    @task(1)
    def file_evidence(self) -> None:
        if self.open_cases:
            case = random.choice(self.open_cases)
            self.client.post(
                f"/api/v1/cases/{case}/documents",
                data={"kind": "other"},
                files={"file": ("scan.pdf", SCAN, "application/pdf")},
                name="POST /api/v1/cases/{id}/documents",
            )


class Official(Signed):
    weight = 3
    usernames = ("registrar", "judge", "lab", "guardianship", "citizenship")

    @task(3)
    def work_queue(self) -> None:
        self.cases = self.listed("queue=agency&per_page=10", "GET /api/v1/cases?queue=agency")

    @task(3)
    def read_case(self) -> None:
        if self.cases:
            case = random.choice(self.cases)
            self.client.get(f"/api/v1/cases/{case}", name="GET /api/v1/cases/{id} (official)")

    @task(2)
    def who_am_i(self) -> None:
        self.client.get("/api/v1/me", name="GET /api/v1/me")


class Auditor(Signed):
    weight = 1
    usernames = ("auditor",)

    @task(3)
    def read_trail(self) -> None:
        self.client.get("/api/v1/audit/events?limit=50", name="GET /api/v1/audit/events")

    @task(1)
    def export_trail(self) -> None:
        self.client.get(
            f"/api/v1/audit/export?format=jsonl&since={SINCE}", name="GET /api/v1/audit/export"
        )

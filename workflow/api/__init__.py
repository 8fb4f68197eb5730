"""The HTTP API, version 1: thin views that validate, call an operation and present the result."""

from __future__ import annotations

from flask_openapi3 import OpenAPI

from workflow.api import (
    audit,
    auth,
    break_glass,
    cases,
    evidence,
    families,
    forms,
    intake,
    references,
    system,
)
from workflow.api import definitions as workflow_views


def init_app(app: OpenAPI) -> None:
    for blueprint in (
        auth.blueprint,
        auth.protected,
        cases.blueprint,
        families.blueprint,
        references.blueprint,
        intake.blueprint,
        break_glass.blueprint,
        evidence.uploads,
        evidence.consent_views,
        workflow_views.blueprint,
        forms.generation,
        forms.verification,
        audit.blueprint,
        system.blueprint,
    ):
        app.register_api(blueprint)

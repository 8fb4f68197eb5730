"""The SQLAlchemy models of Homeward, one per file; importing this registers them all."""

from workflow.models.agency import Agency
from workflow.models.assignment import Assignment
from workflow.models.auth_session import AuthSession
from workflow.models.case import Case
from workflow.models.case_route import CaseRoute
from workflow.models.consent import Consent
from workflow.models.document import Document
from workflow.models.history import TransitionRecord
from workflow.models.person import Person, PersonName
from workflow.models.track_state import TrackState
from workflow.models.user import User
from workflow.models.workflow_record import WorkflowRecord

__all__ = [
    "Agency",
    "Assignment",
    "AuthSession",
    "Case",
    "CaseRoute",
    "Consent",
    "Document",
    "Person",
    "PersonName",
    "TrackState",
    "TransitionRecord",
    "User",
    "WorkflowRecord",
]

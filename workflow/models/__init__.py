"""The SQLAlchemy models of Homeward, one per file; importing this registers them all."""

from workflow.models.agency import Agency
from workflow.models.assignment import Assignment
from workflow.models.auth_session import AuthSession
from workflow.models.break_glass import BreakGlassGrant
from workflow.models.case import Case
from workflow.models.case_handler import CaseHandler
from workflow.models.case_person import CasePerson
from workflow.models.case_route import CaseRoute
from workflow.models.case_tally import CaseTally
from workflow.models.consent import Consent
from workflow.models.document import Document
from workflow.models.external_identity import ExternalIdentity
from workflow.models.external_reference import ExternalReference
from workflow.models.family import Family
from workflow.models.history import TransitionRecord
from workflow.models.listing import CaseListing
from workflow.models.login_throttle import LoginThrottle
from workflow.models.month_stay_tally import MonthStayTally
from workflow.models.name_key import NameKey
from workflow.models.person import Person, PersonName
from workflow.models.recovery_code import RecoveryCode
from workflow.models.reference_sample import ReferenceSample
from workflow.models.registered_particulars import RegisteredParticulars
from workflow.models.reminder import Reminder
from workflow.models.second_factor import SecondFactor
from workflow.models.setup_link import SetupLink
from workflow.models.spent_refresh_token import SpentRefreshToken
from workflow.models.stage_day_tally import StageDayTally
from workflow.models.stage_tally import StageTally
from workflow.models.stay_tally import StayTally
from workflow.models.track_state import TrackState
from workflow.models.user import User
from workflow.models.workflow_record import WorkflowRecord

__all__ = [
    "Agency",
    "Assignment",
    "AuthSession",
    "BreakGlassGrant",
    "Case",
    "CaseHandler",
    "CaseListing",
    "CasePerson",
    "CaseRoute",
    "CaseTally",
    "Consent",
    "Document",
    "ExternalIdentity",
    "ExternalReference",
    "Family",
    "LoginThrottle",
    "MonthStayTally",
    "NameKey",
    "Person",
    "PersonName",
    "RecoveryCode",
    "ReferenceSample",
    "RegisteredParticulars",
    "Reminder",
    "SecondFactor",
    "SetupLink",
    "SpentRefreshToken",
    "StageDayTally",
    "StageTally",
    "StayTally",
    "TrackState",
    "TransitionRecord",
    "User",
    "WorkflowRecord",
]

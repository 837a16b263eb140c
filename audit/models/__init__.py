"""SQLAlchemy models. Timestamps are naive UTC (see ``utcnow``)."""
from ._common import utcnow
from .actions import ACTION_STATUSES, CorrectiveAction
from .checklists import Checklist, ChecklistVersion
from .field import Assignment
from .log import AuditLogEntry
from .mail import MAIL_KINDS, OutgoingMail
from .org import LOCATION_FORMATS, ROLES, Location, Region, User, manager_location
from .stats_generation import StatsGeneration
from .review import DISPUTE_STATUSES, Dispute, DisputePhoto, ReviewComment
from .tokens import ApiToken, PasswordLink, SignIn
from .visits import CHANNELS, EDITABLE_STATUSES, VISIT_STATUSES, Answer, Evidence, Visit, VisitSectionScore

__all__ = [
    "ACTION_STATUSES", "CorrectiveAction",
    "ApiToken", "Assignment", "DISPUTE_STATUSES", "Dispute", "DisputePhoto", "ReviewComment",
    "Answer", "AuditLogEntry", "EDITABLE_STATUSES", "CHANNELS", "Checklist", "ChecklistVersion", "Evidence",
    "LOCATION_FORMATS", "Location", "MAIL_KINDS", "OutgoingMail", "PasswordLink", "ROLES", "Region", "SignIn", "StatsGeneration", "User", "VISIT_STATUSES", "Visit",
    "VisitSectionScore", "manager_location", "utcnow",
]

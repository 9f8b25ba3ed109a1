"""Authoring: a job described in Korean or English becomes a valid, explained, saved workflow.

The model never writes what rules can decide: the schedule grammar (`schedule`) turns time phrases
into cron + zone, the lexicon (`lexicon`) narrows trigger and step types, the worked-example bank
(`examples`) gives skeletons, and the planner asks the model only small constrained questions.
"""

from mwo.authoring.events import ProgressEvent
from mwo.authoring.result import AskedQuestion, Attempt, AuthoringResult, TriggerSummary
from mwo.authoring.service import AuthoringError, AuthoringService

__all__ = [
    "AskedQuestion",
    "Attempt",
    "AuthoringError",
    "AuthoringResult",
    "AuthoringService",
    "ProgressEvent",
    "TriggerSummary",
]

"""What the rule-based front of authoring hands the planner: a parsed schedule, the trigger kind, the
step types in the order the request says them, and the questions to ask when the *what* is missing.

Plain frozen records with no logic, so the grammar (`schedule`), the lexicon (`lexicon`) and the
question rules (`missing`) can each import them without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mwo.spec.steps import Channel, StepType

TriggerKind = Literal["cron", "webhook", "event", "file", "manual"]


@dataclass(frozen=True)
class Question:
    """A question tied to a plan slot (`time`, `schedule`, `topic`, `channel`, `source`, ...)."""

    slot: str
    question_ko: str
    question_en: str

    def text(self, language: str) -> str:
        """The question in `language` ("ko" or anything else for English)."""
        return self.question_ko if language == "ko" else self.question_en


@dataclass(frozen=True)
class ScheduleParse:
    """A time phrase turned into cron + IANA zone, with what was assumed and what must be asked.

    `cron` is always a valid 5-field expression; while `questions` is not empty it is provisional
    (the reading the grammar would pick) and must not be saved without an answer.
    """

    cron: str
    timezone: str
    phrase: str
    """The matched words, in text order, joined by spaces."""
    assumptions: tuple[str, ...] = ()
    """Stated in the request's language."""
    questions: tuple[Question, ...] = ()
    every_weeks: int = 1
    """2 for 격주 / every other week: cron cannot say it, `cron` then fires weekly (see schedule)."""


@dataclass(frozen=True)
class TriggerIntent:
    """The trigger kind the words point to, with the words that say so."""

    kind: TriggerKind
    evidence: str
    event_name: str | None = None
    path: str | None = None
    pattern: str | None = None
    event_filter: str | None = None
    """The event trigger's filter, when the words name whose event it is (a run of workflow X)."""


@dataclass(frozen=True)
class StepIntent:
    """One step the request asks for: its type, a short role name, and where it is said."""

    type: StepType
    role: str
    """Short English verb: fetch, summarize, translate, filter, notify, approve, check, ..."""
    evidence: str
    position: int
    """Character offset of the evidence in the request (steps are ordered by it)."""
    channel: Channel | None = None
    provider: str | None = None
    """API_CALL: naver, kma, kakao, http (a URL in the request) or None (an API, unnamed)."""

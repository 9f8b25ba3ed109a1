"""Healing: the bounded repair loop for PYTHON_SCRIPT code (deterministic fixers, then the model on
the failing part), each attempt recorded; run-time repair and authoring call it.

    healer = ScriptHealer(settings, llm, sandbox, store)
    result = healer.repair(ScriptRepairRequest(code=..., inputs={...}, goal="..."))
    result.status  # "fixed" | "already_ok" | "failed"
"""

from mwo.healing.healer import ScriptHealer
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.result import HealingEvent, RepairAttempt, RepairResult, unified_diff

__all__ = [
    "HealingEvent",
    "RepairAttempt",
    "RepairResult",
    "ScriptHealer",
    "ScriptRepairRequest",
    "unified_diff",
]

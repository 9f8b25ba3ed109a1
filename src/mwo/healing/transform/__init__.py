"""Healing for DATA_TRANSFORM steps: the same bounded loop as for scripts (deterministic fixers, then
the model on the failing part only), where the artefact is the step's config (`source` and `ops`)
and the dry run is the engine's own transform run on the failing input.

    healer = TransformHealer(settings, llm, store)
    result = healer.repair(TransformRepairRequest(workflow, step, trial, goal=..., error=...))
    result.status  # "fixed" | "already_ok" | "failed"; result.step is the fixed step

The healer never runs a transform itself: the caller hands it a `trial` (the engine's executor bound
to the run's recorded scope), so this package stays free of the engine.
"""

from mwo.healing.transform.healer import TransformHealer, TransformRepairResult
from mwo.healing.transform.request import TransformRepairRequest, TransformTrial, TrialOutcome

__all__ = [
    "TransformHealer",
    "TransformRepairRequest",
    "TransformRepairResult",
    "TransformTrial",
    "TrialOutcome",
]

"""What a repair is asked to do: one script, the input it must succeed on, and what it is for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScriptRepairRequest:
    """One script to repair so that `main(inputs)` succeeds on `inputs` and serves `goal`.

    `error` is a run-time failure already seen (the traceback text), shown to the model beside the
    dry run's own; `secrets` are the secret names the step may read (a candidate reading others is
    rejected); `output_schema` is the step's declared `output`; `expected_output`, when known (tests,
    the benchmark), is what main must return exactly. `subject` names what is repaired in the store
    (`script:clean.py`, `run:<id>:<step>`), `step` where the findings point.
    """

    code: str
    inputs: dict[str, Any] = field(default_factory=dict)
    goal: str = ""
    error: str | None = None
    allow_net: bool = False
    secrets: tuple[str, ...] = ()
    output_schema: dict[str, Any] | None = None
    subject: str = "script"
    expected_output: Any = None
    step: str | None = None

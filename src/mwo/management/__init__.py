"""Managing saved workflows: version history (diff, rollback) and run statistics.

Services over the store that the CLI, the REST API and the UI share, so each front end shows the same
numbers and the same diff.
"""

from mwo.management.statistics import (
    DurationSummary,
    FailureCause,
    RunStatistics,
    StepFailures,
    WorkflowStatistics,
    run_statistics,
)
from mwo.management.versions import StepChange, VersionDiff, diff_versions, rollback

__all__ = [
    "DurationSummary",
    "FailureCause",
    "RunStatistics",
    "StepChange",
    "StepFailures",
    "VersionDiff",
    "WorkflowStatistics",
    "diff_versions",
    "rollback",
    "run_statistics",
]

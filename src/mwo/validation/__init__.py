"""The CodeValidator: ordered checks that return structured findings a person and a small model can act on.

`check_script` checks one PYTHON_SCRIPT statically, `dry_run_script` runs one in the sandbox on sample
inputs, `CodeValidator` checks a whole workflow (optionally with a dry run of every script), and
`sample_scope` builds the template scope a dry run renders a step's inputs from.
"""

from mwo.validation.catalogue import CODES, finding
from mwo.validation.checks import DEFAULT_CHECKS, Check, Context
from mwo.validation.dry_run import DryRunResult, dry_run_script
from mwo.validation.errors import ValidationFailed
from mwo.validation.findings import Finding, Report, Severity
from mwo.validation.samples import instance_of, sample_scope
from mwo.validation.script import check_script
from mwo.validation.validator import CodeValidator

__all__ = [
    "CODES",
    "DEFAULT_CHECKS",
    "Check",
    "CodeValidator",
    "Context",
    "DryRunResult",
    "Finding",
    "Report",
    "Severity",
    "ValidationFailed",
    "check_script",
    "dry_run_script",
    "finding",
    "instance_of",
    "sample_scope",
]

"""The CodeValidator: ordered checks that return structured findings a person and a small model can act on.

`check_script` checks one PYTHON_SCRIPT statically, `dry_run_script` runs one in the sandbox on sample
inputs, `CodeValidator` checks a whole workflow (optionally with a dry run of every script), and
`sample_scope` builds the template scope a dry run renders a step's inputs from.
"""

from mwo.validation.catalogue import CODES, finding
from mwo.validation.findings import Finding, Report, Severity
from mwo.validation.script import check_script

__all__ = [
    "CODES",
    "Finding",
    "Report",
    "Severity",
    "check_script",
    "finding",
]

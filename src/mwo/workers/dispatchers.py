"""Which dispatcher a process that starts runs uses, by `MWO_EXECUTOR`: one choice for every face.

`mwo serve` and `mwo ui` both start runs; before this, the UI always executed them in its own
process, so a deployment with `MWO_EXECUTOR=celery` still ran UI-started runs in the Streamlit
process, beside the page, not on the workers the operator scaled out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mwo.engine.dispatch import RunDispatcher, Submit, SubmitDispatcher
from mwo.settings import Settings

if TYPE_CHECKING:
    from mwo.engine.runs import RunService


def open_dispatcher(settings: Settings, runs: Callable[[], RunService], submit: Submit) -> RunDispatcher:
    """`local`: this process's pool (`submit`) executes the runs; `celery`: they go to `mwo worker`
    processes. Raises CeleryUnavailable (message + fix) when Celery is chosen but not configured."""
    if settings.executor == "local":
        return SubmitDispatcher(runs, submit)
    from mwo.workers.celery_app import CeleryDispatcher, create_celery

    return CeleryDispatcher(create_celery(settings), settings)


__all__ = ["open_dispatcher"]

"""One executor per step type, and the registry of those this installation has."""

from __future__ import annotations

from typing import Protocol

from mwo.engine.executor import ExecutorRegistry
from mwo.engine.executors.api_call import ApiCallExecutor
from mwo.engine.executors.approval import ApprovalExecutor
from mwo.engine.executors.condition import ConditionExecutor
from mwo.engine.executors.data_transform import DataTransformExecutor
from mwo.engine.executors.llm_call import LlmCallExecutor
from mwo.engine.executors.notification import NotificationExecutor
from mwo.engine.executors.python_script import PythonScriptExecutor
from mwo.llm.service import LlmService
from mwo.settings import Settings
from mwo.store.abc import ApprovalStore, SecretStore, TraceStore


class ApprovalsSecretsAndTraces(ApprovalStore, SecretStore, TraceStore, Protocol):
    """What the executors store: APPROVAL's pending approvals, and LLM_CALL's service's secrets and traces."""


def default_registry(store: ApprovalsSecretsAndTraces, settings: Settings) -> ExecutorRegistry:
    """One executor for each of the seven step types; a new step type adds its executor here."""
    return ExecutorRegistry(
        [
            ApiCallExecutor(),
            ConditionExecutor(),
            ApprovalExecutor(store),
            NotificationExecutor(),
            DataTransformExecutor(),
            LlmCallExecutor(LlmService(settings.llm, store)),
            PythonScriptExecutor(settings.sandbox),
        ]
    )


__all__ = ["default_registry"]

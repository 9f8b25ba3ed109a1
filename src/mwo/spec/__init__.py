"""The workflow language: models, YAML files, static checks, references and the JSON Schema."""

from mwo.spec.checks import check_workflow
from mwo.spec.errors import SpecError, SpecErrorCode, SpecFinding
from mwo.spec.graph import Edge, StepGraph, edges_of
from mwo.spec.policies import (
    AbandonedRunPolicy,
    ApprovalTimeoutPolicy,
    Backoff,
    DeliveryPolicy,
    NetworkPolicy,
    OnFailure,
    RepairMode,
    RetryOn,
    RetryPolicy,
    WorkflowSettings,
)
from mwo.spec.schema import workflow_json_schema
from mwo.spec.secrets import SecretUse, declared_secrets, secret_uses
from mwo.spec.steps import (
    END,
    ApiCallStep,
    ApprovalStep,
    Channel,
    ConditionStep,
    DataTransformStep,
    LlmCallStep,
    NotificationStep,
    PythonScriptStep,
    Step,
    StepBase,
    StepType,
    delivery_policy,
)
from mwo.spec.templates import TemplateKind, TemplateText, step_templates, trigger_templates
from mwo.spec.templating import TemplateError, Templates
from mwo.spec.triggers import (
    CronTrigger,
    EventTrigger,
    FileTrigger,
    ManualTrigger,
    MisfirePolicy,
    OverlapPolicy,
    Trigger,
)
from mwo.spec.workflow import InputField, InputType, Workflow
from mwo.spec.yaml_io import dump_workflow, load_workflow, parse_workflow, workflow_from_data

__all__ = [
    "END",
    "AbandonedRunPolicy",
    "ApiCallStep",
    "ApprovalStep",
    "ApprovalTimeoutPolicy",
    "Backoff",
    "Channel",
    "ConditionStep",
    "CronTrigger",
    "DataTransformStep",
    "DeliveryPolicy",
    "Edge",
    "EventTrigger",
    "FileTrigger",
    "InputField",
    "InputType",
    "LlmCallStep",
    "ManualTrigger",
    "MisfirePolicy",
    "NetworkPolicy",
    "NotificationStep",
    "OnFailure",
    "OverlapPolicy",
    "PythonScriptStep",
    "RepairMode",
    "RetryOn",
    "RetryPolicy",
    "SecretUse",
    "SpecError",
    "SpecErrorCode",
    "SpecFinding",
    "Step",
    "StepBase",
    "StepGraph",
    "StepType",
    "TemplateError",
    "TemplateKind",
    "TemplateText",
    "Templates",
    "Trigger",
    "Workflow",
    "WorkflowSettings",
    "check_workflow",
    "declared_secrets",
    "delivery_policy",
    "dump_workflow",
    "edges_of",
    "load_workflow",
    "parse_workflow",
    "secret_uses",
    "step_templates",
    "trigger_templates",
    "workflow_from_data",
    "workflow_json_schema",
]

"""Compiles a workflow spec into a LangGraph StateGraph: one node per step, edges from the spec.

The graph is data built once per workflow version and run many times; per-run facts reach the
nodes through LangGraph's runtime context, never through the checkpointed state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypedDict, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END as GRAPH_END
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime

from mwo.engine.step_runner import RunContext, StepRunner
from mwo.spec import END, ConditionStep, StepBase, StepGraph, Workflow


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {**left, **right}


class RunState(TypedDict):
    """What the checkpointer persists between steps: every finished step's output."""

    outputs: Annotated[dict[str, Any], _merge]


def compile_workflow(
    workflow: Workflow, runner: StepRunner, checkpointer: BaseCheckpointSaver[Any] | None
) -> Any:
    """A compiled LangGraph graph for `workflow` (already checked by `mwo.spec.check_workflow`)."""
    graph: StateGraph[RunState, RunContext, RunState, RunState] = StateGraph(
        RunState, context_schema=RunContext
    )
    for step in workflow.steps:
        graph.add_node(step.id, cast(Any, _node(step, runner)))
    graph.add_edge(START, workflow.steps[0].id)
    for step in workflow.steps:
        _add_edges(graph, step, StepGraph(workflow.steps))
    return graph.compile(checkpointer=checkpointer, name=workflow.name)


def _node(step: StepBase, runner: StepRunner) -> Callable[[RunState, Runtime[RunContext]], dict[str, Any]]:
    def run(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        output = runner.run_step(step, state["outputs"], runtime.context)
        return {"outputs": {step.id: output}}

    run.__name__ = f"step_{step.id}"
    return run


def _add_edges(graph: StateGraph[Any, Any, Any, Any], step: StepBase, step_graph: StepGraph) -> None:
    targets = [e.target for e in step_graph.edges if e.source == step.id]
    if isinstance(step, ConditionStep):
        path_map = {t: _graph_target(t) for t in dict.fromkeys(targets)}
        graph.add_conditional_edges(step.id, _router(step), path_map)  # type: ignore[arg-type]
    else:
        graph.add_edge(step.id, _graph_target(targets[0]))


def _router(step: ConditionStep) -> Callable[[RunState], str]:
    def route(state: RunState) -> str:
        decision = state["outputs"].get(step.id)
        return str(decision["goto"]) if isinstance(decision, dict) else step.default

    return route


def _graph_target(target: str) -> str:
    return GRAPH_END if target == END else target

"""The in-memory store in use: the run service runs on it as on SQL (its contract is in
tests/contract/), and two stores over one state see each other's writes."""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver

from mwo.engine.executor import ExecutorRegistry
from mwo.engine.executors.approval import ApprovalExecutor
from mwo.engine.executors.data_transform import DataTransformExecutor
from mwo.engine.executors.notification import NotificationExecutor
from mwo.engine.runs import RunService
from mwo.settings import Settings
from mwo.spec import dump_workflow, workflow_from_data
from mwo.store.memory import MemoryState, MemoryStore
from mwo.store.records import RunStatus, StepStatus
from tests.clocks import ManualClock

WORKFLOW = {
    "name": "greet",
    "steps": [
        {"id": "shape", "type": "DATA_TRANSFORM", "source": "inputs.names"},
        {"id": "ask", "type": "APPROVAL", "message": "send it?"},
        {
            "id": "tell",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "body": "hello {{ steps.shape.output.result }}",
        },
    ],
    "inputs": {"names": {"type": "array"}},
}


def test_the_run_service_runs_a_workflow_through_an_approval_on_the_memory_store(
    settings: Settings, clock: ManualClock
) -> None:
    store = MemoryStore(clock=clock)
    registry = ExecutorRegistry([DataTransformExecutor(), ApprovalExecutor(store), NotificationExecutor()])
    runs = RunService(store, registry, InMemorySaver(), settings, clock=clock, sleep=clock.sleep)
    workflow = workflow_from_data(WORKFLOW)
    store.save_version(workflow, dump_workflow(workflow))

    waiting = runs.start("greet", {"names": ["kim", "lee"]})
    assert waiting.status is RunStatus.WAITING_APPROVAL
    assert [a.step_id for a in store.list_pending_approvals()] == ["ask"]

    done = runs.approve(waiting.id, "kim")

    assert done.status is RunStatus.SUCCEEDED
    assert [(s.step_id, s.status) for s in store.list_step_runs(done.id)] == [
        ("shape", StepStatus.SUCCEEDED),
        ("ask", StepStatus.SUCCEEDED),
        ("tell", StepStatus.SUCCEEDED),
    ]
    assert [m.body for m in store.list_messages()] == ["hello ['kim', 'lee']"]
    assert store.get_run(done.id).acquired_by is None


def test_two_stores_over_one_state_share_it_and_fresh_stores_share_nothing(clock: ManualClock) -> None:
    state = MemoryState()
    first, second = MemoryStore(state, clock=clock), MemoryStore(state, clock=clock)
    version, _ = first.save_version(workflow_from_data(WORKFLOW), "name: greet\n")
    run = first.create_run(version.id, {"names": []}, "manual", clock())

    assert second.get_run(run.id) == run
    assert second.acquire_run(run.id, "worker-b", clock(), clock()) is True
    assert first.acquire_run(run.id, "worker-a", clock(), clock()) is False
    assert MemoryStore(clock=clock).list_workflows() == []

"""The repair loop with the scripted fake model: what it keeps, what it rejects (and never runs), when
it stops, what it records, and what the model is asked."""

from __future__ import annotations

from collections.abc import Callable

from mwo.healing import HealingEvent, ScriptRepairRequest
from mwo.llm.errors import LlmError
from mwo.llm.fake import FakeReply
from mwo.store import HealingSource
from tests.unit.healing.conftest import Rig, fenced

BROKEN = 'def main(inputs):\n    return {"n": inputs["items"].count()}\n'
"""Fails on the input with a TypeError no fixer knows: only the model can repair it."""
FIXED = 'def main(inputs):\n    return {"n": len(inputs["items"])}\n'
INPUT = {"items": [1, 2, 3]}


def request(code: str = BROKEN, **changes: object) -> ScriptRepairRequest:
    fields: dict[str, object] = {
        "code": code,
        "inputs": INPUT,
        "goal": "count the items",
        "subject": "script:t.py",
    }
    return ScriptRepairRequest(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_working_script_is_already_ok_and_the_model_is_not_asked(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()

    result = rig.healer.repair(request(FIXED))

    assert (result.status, result.output, result.attempts) == ("already_ok", {"n": 3}, [])
    assert rig.model.calls == []


def test_a_model_candidate_that_fixes_is_kept_recorded_and_the_round_ends(
    make_rig: Callable[..., Rig],
) -> None:
    rig = make_rig(fenced(FIXED), fenced("never asked"))

    result = rig.healer.repair(request())

    assert (result.status, result.code, result.output) == ("fixed", FIXED, {"n": 3})
    assert len(rig.model.calls) == 1  # a candidate that passes ends the round
    [attempt] = result.attempts
    assert (attempt.source, attempt.accepted, attempt.round, attempt.findings) == (
        HealingSource.MODEL, True, 1, []
    )  # fmt: skip
    assert '-    return {"n": inputs["items"].count()}' in attempt.diff
    [stored] = rig.store.list_healing_attempts("script:t.py")
    assert (stored.repair_id, stored.accepted, stored.model, stored.tokens) == (
        result.repair_id,
        True,
        "fake",
        10,
    )
    assert stored.diff == attempt.diff


def test_garbage_and_truncated_answers_are_rejected_with_a_finding(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(
        "I cannot see any problem with this code.",
        FakeReply(text=fenced(FIXED)[:40], finish_reason="length"),
        fenced(FIXED),
    )

    result = rig.healer.repair(request())

    assert result.status == "fixed"
    codes = [[f.code for f in a.findings] for a in result.attempts]
    assert codes == [["healing.not_code"], ["healing.truncated"], []]
    assert [a.round for a in result.attempts] == [1, 1, 2]
    assert [a.accepted for a in result.attempts] == [False, False, True]


def test_a_candidate_that_adds_subprocess_is_rejected_and_never_run(make_rig: Callable[..., Rig]) -> None:
    hostile = 'import subprocess\n\n\ndef main(inputs):\n    return {"n": len(inputs["items"])}\n'
    rig = make_rig(fenced(hostile), fenced(hostile), healing_rounds=1)

    result = rig.healer.repair(request())

    assert result.status == "failed" and result.code == BROKEN  # it would have passed, had it run
    for attempt in result.attempts:
        assert attempt.findings[0].code == "healing.widens_permissions"
        assert "subprocess" in attempt.findings[0].message
        assert attempt.note.startswith("rejected, never run") and not attempt.accepted


def test_reading_the_environment_or_a_new_secret_is_widening(make_rig: Callable[..., Rig]) -> None:
    environ = (
        'import os\n\n\ndef main(inputs):\n    return {"n": len(inputs["items"]), "k": os.environ["KEY"]}\n'
    )
    secret = 'def main(inputs, secrets):\n    return {"n": len(inputs["items"]), "k": secrets["TOKEN"]}\n'
    rig = make_rig(fenced(environ), fenced(secret), healing_rounds=1)

    result = rig.healer.repair(request(secrets=("API_KEY",)))

    notes = [a.findings[0].message for a in result.attempts]
    assert "os.environ" in notes[0] and "'TOKEN'" in notes[1]
    assert result.status == "failed"


def test_the_same_failure_again_stops_the_loop(make_rig: Callable[..., Rig]) -> None:
    same = 'def main(inputs):\n    return {"n": inputs["items"].count()}  # fixed?\n'
    rig = make_rig(fenced(same), fenced(same + "\n"), *[fenced(FIXED)] * 4)

    result = rig.healer.repair(request())

    assert result.status == "failed" and result.rounds == 1
    assert result.stopped.startswith("the same failure again")
    assert len(rig.model.calls) == 2


def test_rounds_bound_the_loop_when_each_round_fails_differently(make_rig: Callable[..., Rig]) -> None:
    def failing(n: int) -> str:
        return f'def main(inputs):\n    return {{"n": inputs["missing_{n}"]}}\n'

    rig = make_rig(*[fenced(failing(n)) for n in range(10)], healing_rounds=2, healing_candidates=1)

    result = rig.healer.repair(request())

    assert (result.status, result.rounds) == ("failed", 2)
    assert result.stopped == "no fix within 2 rounds"
    assert len(rig.model.calls) == 2


def test_rounds_can_be_lowered_per_repair(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(*["not code"] * 10, healing_candidates=1)

    result = rig.healer.repair(request(), rounds=1)

    assert (result.status, result.rounds, len(rig.model.calls)) == ("failed", 1, 1)
    assert result.stopped == "no fix within 1 round"


def test_a_model_that_cannot_answer_ends_the_repair(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(FakeReply(error=LlmError("the model files are missing", "run `mwo llm pull`")))

    result = rig.healer.repair(request())

    assert (result.status, result.stopped) == ("failed", "the model could not answer")
    assert result.attempts[0].findings[0].code == "healing.model_failed"
    assert "mwo llm pull" in result.attempts[0].findings[0].hint


def test_the_time_limit_stops_before_a_round(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(fenced(FIXED), healing_time_s=0.001)

    result = rig.healer.repair(request())

    assert result.status == "failed" and result.stopped.startswith("time limit")
    assert rig.model.calls == []


def test_fixers_run_first_and_the_model_finishes_what_they_cannot(make_rig: Callable[..., Rig]) -> None:
    code = 'def main(inputs):\n    return {"n": inputs["itemz"].count(), "s": json.dumps(1)}\n'
    final = 'import json\n\n\ndef main(inputs):\n    return {"n": len(inputs["items"]), "s": json.dumps(1)}\n'
    rig = make_rig(fenced(final))

    result = rig.healer.repair(request(code))

    assert result.status == "fixed" and result.output == {"n": 3, "s": "1"}
    assert [(a.source, a.accepted) for a in result.attempts] == [
        (HealingSource.FIXER, True), (HealingSource.FIXER, True), (HealingSource.MODEL, True)
    ]  # fmt: skip
    assert len(result.assumptions) == 2
    prompt = rig.model.calls[0]["messages"][-1]["content"]
    assert 'inputs["items"].count()' in prompt  # the model saw the fixers' version


def test_an_output_other_than_the_expected_one_is_a_failure_to_repair(make_rig: Callable[..., Rig]) -> None:
    rounded = 'def main(inputs):\n    return {"avg": round(sum(inputs["xs"]) / len(inputs["xs"]), 1)}\n'
    rig = make_rig(fenced(rounded))
    code = 'def main(inputs):\n    return {"avg": sum(inputs["xs"]) / len(inputs["xs"])}\n'

    result = rig.healer.repair(request(code, inputs={"xs": [1, 2, 2]}, expected_output={"avg": 1.7}))

    assert (result.status, result.output) == ("fixed", {"avg": 1.7})


def test_the_prompt_is_short_and_keeps_a_fixed_prefix(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig("no", "no", healing_rounds=1)

    rig.healer.repair(request(goal="count the items in the list"))

    first, second = (call["messages"] for call in rig.model.calls)
    assert first[0] == second[0] and first[0]["role"] == "system"
    prompt = first[1]["content"]
    assert prompt.startswith("Goal: count the items in the list")
    assert '2|     return {"n": inputs["items"].count()}' in prompt
    assert "TypeError" in prompt and '"items": [1, 2, 3]' in prompt
    assert [call["temperature"] for call in rig.model.calls] == [0.2, 0.7]


def test_events_follow_the_repair_as_it_happens(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig("not code", fenced(FIXED))
    events: list[HealingEvent] = []

    rig.healer.repair(request(), on_event=events.append)

    stages = [e.stage for e in events]
    assert stages[0] == "checking" and stages[-1] == "done"
    assert "model" in stages and events[-1].message == "fixed"
    asked = [e.message for e in events if e.message.startswith("asking the model for candidate")]
    assert asked == [
        "asking the model for candidate 1 (temperature 0.2)",
        "asking the model for candidate 2 (temperature 0.7)",
    ]
    assert any(e.attempt is not None and e.attempt.accepted for e in events)


def test_a_different_wrong_output_is_progress_and_the_loop_goes_on(make_rig: Callable[..., Rig]) -> None:
    code = 'def main(inputs):\n    return {"avg": sum(inputs["xs"]) / len(inputs["xs"])}\n'
    wrong = 'def main(inputs):\n    return {"avg": round(sum(inputs["xs"]) / len(inputs["xs"]))}\n'
    right = 'def main(inputs):\n    return {"avg": round(sum(inputs["xs"]) / len(inputs["xs"]), 1)}\n'
    rig = make_rig(fenced(wrong), fenced(right), healing_candidates=1)

    result = rig.healer.repair(request(code, inputs={"xs": [1, 2, 2]}, expected_output={"avg": 1.7}))

    assert (result.status, result.rounds, result.output) == ("fixed", 2, {"avg": 1.7})


def test_attempts_keep_the_order_the_model_was_asked_in(make_rig: Callable[..., Rig]) -> None:
    still_broken = 'def main(inputs):\n    return {"n": inputs["items"].size}\n'
    rig = make_rig(fenced(still_broken), "no code here", healing_rounds=1)

    result = rig.healer.repair(request())

    assert [(a.candidate, a.note) for a in result.attempts] == [
        (0, "kept"),  # another failure, not seen before: progress
        (1, result.attempts[1].findings[0].message),
    ]
    assert result.attempts[1].findings[0].code == "healing.not_code"

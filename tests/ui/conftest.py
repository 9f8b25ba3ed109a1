"""The UI tests' world: real services on a fresh MWO_HOME with a few workflows (scheduled, gated by an
approval, failing, webhook, with a script step), their runs (one succeeded, one failed, one waiting
for approval) and an inbox message; runs the UI starts execute inline, so a test sees them finished.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from mwo.clock import utc_now
from mwo.engine.dispatch import SubmitDispatcher
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.ui.state import CONTEXT_KEY, LANGUAGE_KEY, UiContext

APP = Path(__file__).resolve().parents[2] / "src" / "mwo" / "ui" / "app.py"

MORNING = {
    "name": "morning-news",
    "description": "매일 아침 9시에 받은 편지함으로 인사를 보낸다",
    "trigger": {"type": "cron", "cron": "0 9 * * *", "timezone": "Asia/Seoul"},
    "steps": [
        {
            "id": "hello",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "좋은 아침",
            "body": "안녕하세요",
        }
    ],
}
GATED = {
    "name": "gated",
    "description": "승인을 받은 뒤 알린다",
    "inputs": {"who": {"default": "민지"}},
    "steps": [
        {"id": "ask", "type": "APPROVAL", "message": "{{ inputs.who }}님의 요청을 승인할까요?"},
        {
            "id": "tell",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "승인됨",
            "body": "{{ inputs.who }}",
        },
    ],
}
# Fails on its first step without network traffic: the address is refused before connecting.
FAILING = {
    "name": "failing",
    "inputs": {"base": {"default": "http://127.0.0.1:9"}},
    "steps": [
        {"id": "fetch", "type": "API_CALL", "request": {"method": "GET", "url": "{{ inputs.base }}/x"}}
    ],
}
KEYED = {
    "name": "keyed",
    "steps": [
        {
            "id": "call",
            "type": "API_CALL",
            "request": {
                "method": "GET",
                "url": "https://api.example.com/items",
                "headers": {"X-Key": "{{ secrets.API_KEY }}"},
            },
        }
    ],
}
HOOKED = {
    "name": "hooked",
    "trigger": {"type": "webhook"},
    "steps": [
        {"id": "note", "type": "NOTIFICATION", "channel": "inbox", "subject": "hook", "body": "got it"}
    ],
}
SCRIPTED = {
    "name": "scripted",
    "steps": [
        {
            "id": "shout",
            "type": "PYTHON_SCRIPT",
            "code": "def main(inputs: dict) -> dict:\n    return {'text': 'HELLO'}\n",
        }
    ],
}


# A script with a misspelt key: it fails on real input and the repair loop's fixer proposes the fix
# (no model call), so the run waits for a person's decision on it.
HEADLINES = {
    "name": "headlines",
    "settings": {"repair": "propose"},
    "inputs": {"items": {"type": "array", "default": [{"title": "rates"}, {"title": "stocks"}]}},
    "steps": [
        {"id": "pick", "type": "DATA_TRANSFORM", "source": "inputs.items"},
        {
            "id": "clean",
            "type": "PYTHON_SCRIPT",
            "code": "def main(inputs):\n    return {'titles': [i['titel'] for i in inputs['items']]}\n",
            "inputs": {"items": "{{ steps.pick.output.result }}"},
        },
    ],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def ui_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # nothing listens on this port: the app must say that `mwo serve` is not running
    monkeypatch.setenv("MWO_HOME", str(tmp_path / "mwo-home"))
    script = tmp_path / "replies.json"  # the scripted fake model's replies (tests write them)
    script.write_text("[]", encoding="utf-8")
    return Settings(  # type: ignore[call-arg]
        home=tmp_path / "mwo-home",
        serve_port=free_port(),
        llm_provider="fake",
        llm_fake_script=script,
        _env_file=None,
    )


@pytest.fixture
def ui_context(ui_settings: Settings) -> Iterator[UiContext]:
    """Services with the workflows above and their runs; the UI's runs execute inline."""
    services = Services.open(ui_settings)
    dispatcher = SubmitDispatcher(lambda: services.runs, lambda work: work())
    services.dispatcher = dispatcher
    for spec in (MORNING, GATED, FAILING, HOOKED, SCRIPTED):
        services.applier.apply_workflow(workflow_from_data(spec))
    services.store.set_secret("API_KEY", "k-123456789", utc_now())
    services.applier.apply_workflow(workflow_from_data(KEYED))
    services.store.delete_secret("API_KEY")  # keyed now needs a secret it refers to
    services.store.move_to_folder("morning-news", "team/reports")
    services.store.tag_workflow("morning-news", add=["daily"])
    services.runs.start("morning-news")
    services.runs.start("failing")
    services.runs.start("gated")
    context = UiContext(services, dispatcher)
    yield context
    context.close()


@pytest.fixture
def repair_run(ui_context: UiContext) -> str:
    """A run of HEADLINES waiting for the decision on its repair proposal."""
    from mwo.sandbox import Sandbox, SandboxConfig
    from mwo.store.records import RunStatus

    if not Sandbox(SandboxConfig(pool_size=0)).isolation.isolated:
        pytest.skip("no namespace isolation here: scripts do not run")
    ui_context.services.applier.apply_workflow(workflow_from_data(HEADLINES))
    run = ui_context.services.runs.start("headlines")
    assert run.status is RunStatus.WAITING_REPAIR, run.error
    return run.id


@pytest.fixture
def app(ui_context: UiContext) -> Callable[..., AppTest]:
    """The whole app on `page` (a file under views/), in `language`, with `query` parameters."""

    def open_page(page: str | None = None, language: str = "en", **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.session_state[CONTEXT_KEY] = ui_context
        at.session_state[LANGUAGE_KEY] = language
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(f"views/{page}").run()
        return at

    return open_page


TEXT_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "success",
    "warning",
    "error",
    "code",
    "text",
)


def click(at: AppTest, label: str) -> AppTest:
    """Press the (only) button labelled `label`, form submit buttons included, and rerun."""
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, f"{len(matches)} buttons labelled {label!r}: {[b.label for b in at.button]}"
    return matches[0].click().run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts, headings, code)."""
    parts: list[Any] = []
    for kind in TEXT_ELEMENTS:
        parts.extend(element.value for element in getattr(at, kind))
    return "\n".join(str(p) for p in parts)


def assert_clean(at: AppTest) -> None:
    """No exception box and no error on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert "Traceback" not in texts(at)

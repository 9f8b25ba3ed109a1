"""Real objects for the repair loop's tests: one sandbox for the module, a healer whose model is the
scripted fake, and a store in a temporary SQLite file to see what was recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mwo.healing import ScriptHealer
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.settings import Settings
from mwo.store import Store, open_store


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    opened = Sandbox(SandboxConfig(pool_size=1))
    yield opened
    opened.close()


@dataclass
class Rig:
    healer: ScriptHealer
    model: FakeChatModel
    store: Store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home", healing_rounds=3, healing_candidates=2, dry_run_timeout_s=10, _env_file=None
    )


@pytest.fixture
def make_rig(settings: Settings, sandbox: Sandbox) -> Iterator[Callable[..., Rig]]:
    stores: list[Store] = []

    def make(*replies: FakeReply | str, **changes: Any) -> Rig:
        used = settings.model_copy(update=changes)
        store = open_store(used)
        stores.append(store)
        model = FakeChatModel(script=list(replies))
        llm = LlmService(used.llm, store, chat_model=model)
        return Rig(ScriptHealer(used, llm, sandbox, store), model, store)

    yield make
    for store in stores:
        store.close()


def fenced(code: str) -> str:
    """A model answer: the script in a ```python block with a line of prose before it."""
    return f"Here is the fixed script:\n```python\n{code}```\n"

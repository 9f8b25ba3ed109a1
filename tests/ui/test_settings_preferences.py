"""Settings > language, time zone and language model saved to <home>/settings.yaml through AppTest on
real services: saving, the endpoint tested before saving (a loopback OpenAI-compatible server), the
error states (bad URL, missing model, broken file), the environment's override named, and a saved
change taking effect on the next rerun of the shared context, without restarting `mwo ui`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any, ClassVar

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from mwo.settings import Settings
from mwo.ui.i18n import t
from mwo.ui.state import LANGUAGE_KEY, UiContext, _shared_context
from tests.ui.conftest import APP, assert_clean, texts

App = Callable[..., AppTest]
MODEL_VARIABLES = ("MWO_LANGUAGE", "MWO_TIMEZONE", "MWO_LLM_PROVIDER", "MWO_LLM_BASE_URL", "MWO_LLM_MODEL")


@pytest.fixture(autouse=True)
def no_model_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    for name in (*MODEL_VARIABLES, "MWO_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def saved(ui_context: UiContext) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ui_context.settings.resolved_settings_file().read_text("utf-8"))
    return data


def choose_endpoint(at: AppTest, url: str, model: str, key: str = "") -> AppTest:
    at = at.radio(key="settings.llm_provider").set_value("openai").run()
    at.text_input(key="settings.llm_base_url").input(url)
    at.text_input(key="settings.llm_model").input(model)
    if key:
        at.text_input(key="settings.llm_api_key").input(key)
    return at


def press(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def test_language_and_time_zone_are_saved_as_the_default(app: App, ui_context: UiContext) -> None:
    at = app("settings.py")
    at = at.radio(key="settings.language").set_value("ko").run()
    at = at.selectbox(key="settings.tz").select("Europe/Berlin").run()
    at = press(at, "settings.prefs_save")
    assert_clean(at)
    assert saved(ui_context) == {"language": "ko", "timezone": "Europe/Berlin"}
    path = ui_context.settings.resolved_settings_file()
    assert t("settings.saved", "ko", path=f"`{path}`") in texts(at)  # the page is in Korean now
    assert t("settings.restart_servers", "ko") in texts(at)
    fresh = Settings(home=ui_context.settings.home)
    assert (fresh.language, fresh.timezone) == ("ko", "Europe/Berlin")


def test_the_endpoint_model_and_key_are_saved(app: App, ui_context: UiContext) -> None:
    at = choose_endpoint(app("settings.py"), "http://localhost:11434/v1/", "llama3.1", key="sk-test-98765")
    assert t("settings.llm_key_missing", secret="`OPENAI_API_KEY`") in texts(at)
    at = press(at, "settings.llm_save")
    assert_clean(at)
    assert saved(ui_context) == {
        "llm_provider": "openai",
        "llm_base_url": "http://localhost:11434/v1",
        "llm_model": "llama3.1",
    }
    assert ui_context.services.store.reveal_secret("OPENAI_API_KEY") == "sk-test-98765"
    assert "sk-test-98765" not in ui_context.settings.resolved_settings_file().read_text("utf-8")
    assert "sk-test-98765" not in texts(at)
    assert t("settings.llm_key_set", secret="`OPENAI_API_KEY`") in texts(at)
    assert at.text_input(key="settings.llm_model").value == "llama3.1"  # the form shows what is saved


def test_switching_back_to_the_embedded_model_keeps_the_endpoint_for_later(
    app: App, ui_context: UiContext
) -> None:
    at = press(choose_endpoint(app("settings.py"), "https://api.example.com/v1", "m1"), "settings.llm_save")
    at = press(at.radio(key="settings.llm_provider").set_value("local").run(), "settings.llm_save")
    assert_clean(at)
    assert saved(ui_context)["llm_provider"] == "local"
    assert saved(ui_context)["llm_model"] == "m1"


class _Endpoint(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.seen.append({"path": self.path, "auth": self.headers.get("authorization"), "body": body})
        reply = {
            "id": "c1",
            "object": "chat.completion",
            "model": body.get("model"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "OK"}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: ClassVar[list[dict[str, Any]]] = []
    handler = type("Handler", (_Endpoint,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()


def test_test_connection_asks_the_endpoint_as_typed_before_saving(
    app: App, ui_context: UiContext, endpoint: tuple[str, list[dict[str, Any]]]
) -> None:
    url, seen = endpoint
    at = press(choose_endpoint(app("settings.py"), url, "loop-model", key="sk-typed"), "settings.llm_test")
    assert_clean(at)
    assert at.success and "OK" in at.success[0].value
    assert [(s["path"], s["auth"], s["body"]["model"]) for s in seen] == [
        ("/v1/chat/completions", "Bearer sk-typed", "loop-model")
    ]
    assert not ui_context.settings.resolved_settings_file().exists()  # tested, not saved
    assert "OPENAI_API_KEY" not in ui_context.services.store.list_secret_names()


def test_test_connection_to_nothing_shows_the_error_and_its_fix(app: App) -> None:
    from tests.ui.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    at = press(choose_endpoint(app("settings.py"), url, "m"), "settings.llm_test")
    assert_clean(at)
    assert at.error and t("error.fix", fix="") in at.error[0].value  # the message, then how to fix


@pytest.mark.parametrize(
    ("url", "model", "says"),
    [
        ("localhost:11434", "m", "is not an http(s) URL"),
        ("http://exa mple.com/v1", "m", "is not a URL"),
        ("https://api.example.com/v1", "", "needs a model name"),
        ("", "m", "needs its URL"),
    ],
)
def test_a_bad_endpoint_is_refused_with_its_fix_and_nothing_saved(
    app: App, ui_context: UiContext, url: str, model: str, says: str
) -> None:
    at = press(choose_endpoint(app("settings.py"), url, model), "settings.llm_save")
    assert_clean(at)
    assert at.error and says in at.error[0].value
    assert t("error.fix", fix="") in at.error[0].value
    assert not ui_context.settings.resolved_settings_file().exists()


def test_an_environment_variable_deciding_a_setting_is_named(
    app: App, ui_context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_MODEL", "env-model")
    at = choose_endpoint(app("settings.py"), "https://api.example.com/v1", "ui-model")
    note = t("settings.env_set", env="`MWO_LLM_MODEL`", value="`env-model`")
    outvoted = t("settings.overridden", env="`MWO_LLM_MODEL`", value="`env-model`")
    assert note in texts(at)  # nothing saved yet: a note, not a warning
    assert outvoted not in [w.value for w in at.warning]
    at = press(at, "settings.llm_save")
    assert_clean(at)
    assert saved(ui_context)["llm_model"] == "ui-model"
    assert outvoted in [w.value for w in at.warning]


def test_a_broken_settings_file_shows_its_fix_not_a_traceback(app: App, ui_context: UiContext) -> None:
    ui_context.settings.resolved_settings_file().write_text("language: [ko\n", encoding="utf-8")
    at = app("settings.py")
    assert_clean(at)
    page = "\n".join(e.value for e in at.error)
    assert "not readable YAML" in page and "delete" in page
    assert t("settings.secrets") in texts(at)  # the rest of the page still works


def test_a_saved_model_takes_effect_on_the_next_rerun_without_a_restart(ui_settings: Settings) -> None:
    """No context put in by the test: the app's shared one, reopened when the saved settings change."""
    _shared_context.clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[LANGUAGE_KEY] = "en"
    at.run()
    at = at.switch_page("views/settings.py").run()
    assert_clean(at)
    assert at.dataframe[0].value.iloc[0, 1] == "local"
    at = press(choose_endpoint(at, "https://api.example.com/v1", "gpt-4o-mini"), "settings.llm_save")
    assert_clean(at)
    status = dict(zip(at.dataframe[0].value.iloc[:, 0], at.dataframe[0].value.iloc[:, 1], strict=True))
    assert status["provider"] == "openai" and status["model"] == "gpt-4o-mini"
    _shared_context.clear()  # closes the context (on_release)


def test_a_broken_settings_file_stops_the_app_with_its_fix(ui_settings: Settings) -> None:
    """Without readable settings the app opens no services: it says which file and how to fix it."""
    home = ui_settings.resolved_home()
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.yaml").write_text("- not\n- a mapping\n", encoding="utf-8")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert_clean(at)
    assert "must be a mapping" in at.error[0].value and "correct or delete" in at.error[0].value

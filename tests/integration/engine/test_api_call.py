"""API_CALL against a real HTTP server on 127.0.0.1: what is sent, what comes back, how it fails."""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mwo.engine.executor import StepContext
from mwo.engine.executors.api_call import MAX_TEXT_CHARS, ApiCallExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import ApiCallStep, RetryPolicy, Workflow, workflow_from_data
from mwo.store.records import LogLevel

SLOW_S = 1.0
BIG_TEXT = "가" * (MAX_TEXT_CHARS + 10)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[Seen]
    routes: dict[str, Callable[[Seen], Reply]]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is expected; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = Seen(
            self.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        self.server.seen.append(seen)
        route = self.server.routes.get(parts.path, _no_route)
        status, headers, payload = route(seen)
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test asserts on `seen`, not on stderr."""


def _no_route(_: Seen) -> Reply:
    return 404, {"Content-Type": "text/plain"}, b"no route"


def _json(status: int, data: Any) -> Reply:
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode()


def _slow(_: Seen) -> Reply:
    time.sleep(SLOW_S)
    return _json(200, {"late": True})


def _redirect(location: str) -> Callable[[Seen], Reply]:
    return lambda _: (302, {"Location": location}, b"")


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    port = httpd.server_address[1]
    httpd.seen = []
    httpd.routes = {
        "/json": lambda _: _json(200, {"hello": "세계", "items": [1, 2]}),
        "/echo": lambda seen: _json(200, {"method": seen.method, "query": seen.query}),
        "/text": lambda _: (200, {"Content-Type": "text/plain; charset=utf-8"}, "평문 text".encode()),
        "/big": lambda _: (200, {"Content-Type": "text/plain; charset=utf-8"}, BIG_TEXT.encode()),
        "/fail": lambda _: _json(500, {"error": "boom"}),
        "/slow": _slow,
        "/redirect": _redirect("/json"),
        "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/cross": _redirect(f"http://localhost:{port}/echo"),
        "/loop": _redirect("/loop"),
    }
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def base(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def workflow(*allow: str) -> Workflow:
    data = {
        "name": "api-test",
        "steps": [{"id": "noop", "type": "APPROVAL"}],
        "settings": {"network": {"allow": list(allow)}},
    }
    return workflow_from_data(data)


def api_step(url: str, **config: Any) -> ApiCallStep:
    auth = config.pop("auth", None)
    timeout_s = config.pop("timeout_s", None)
    data: dict[str, Any] = {"id": "call", "type": "API_CALL", "request": {"url": url, **config}}
    if auth is not None:
        data["auth"] = auth
    if timeout_s is not None:
        data["timeout_s"] = timeout_s
    return ApiCallStep.model_validate(data)


def fake_dns(answers: dict[str, Sequence[str]]) -> Callable[[str], Sequence[str]]:
    return lambda host: answers[host]


@pytest.fixture
def logs() -> list[tuple[LogLevel, str]]:
    return []


@pytest.fixture
def ctx(make_ctx: Callable[..., StepContext], logs: list[tuple[LogLevel, str]]) -> StepContext:
    scope = {
        "inputs": {"city": "서울", "count": 3},
        "steps": {},
        "secrets": {"API_TOKEN": "tok-9f8e7d6c"},
        "run": {"id": "run-test"},
    }
    return make_ctx(scope=scope, workflow=workflow("127.0.0.1"), logs=logs)


def run(step: ApiCallStep, ctx: StepContext, **executor: Any) -> dict[str, Any]:
    result: dict[str, Any] = ApiCallExecutor(**executor).execute(step, ctx)
    return result


def failure(step: ApiCallStep, ctx: StepContext, **executor: Any) -> StepFailed:
    with pytest.raises(StepFailed) as caught:
        run(step, ctx, **executor)
    return caught.value


# --- what is sent --------------------------------------------------------------------------------


def test_templated_url_params_headers_and_json_arrive_as_rendered(server: _Server, ctx: StepContext) -> None:
    step = api_step(
        base(server) + "/echo",
        method="POST",
        params={"q": "{{ inputs.city }}", "n": "{{ inputs.count }}"},
        headers={"X-Run": "{{ run.id }}"},
        json={"city": "{{ inputs.city }}", "count": "{{ inputs.count }}", "fixed": [True, None]},
    )
    output = run(step, ctx)

    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", "/echo")
    assert seen.query == {"q": ["서울"], "n": ["3"]}
    assert seen.headers["x-run"] == "run-test"
    assert seen.headers["user-agent"] == ctx.settings.http_user_agent
    assert seen.headers["idempotency-key"] == ctx.idempotency_key, "a POST carries the step's key"
    assert json.loads(seen.body) == {"city": "서울", "count": 3, "fixed": [True, None]}
    assert output["status"] == 200
    assert output["json"] == {"method": "POST", "query": {"q": ["서울"], "n": ["3"]}}
    assert output["headers"]["content-type"].startswith("application/json")
    assert output["url"].startswith(base(server) + "/echo?")
    assert output["elapsed_ms"] > 0
    assert ctx.rendered_input == {
        "method": "POST",
        "url": base(server) + "/echo",
        "headers": {"X-Run": "run-test", "Idempotency-Key": ctx.idempotency_key},
        "params": {"q": "서울", "n": 3},
        "json": {"city": "서울", "count": 3, "fixed": [True, None]},
    }


def test_a_raw_body_is_sent_as_text(server: _Server, ctx: StepContext) -> None:
    run(api_step(base(server) + "/echo", method="PUT", body="도시={{ inputs.city }}"), ctx)
    assert server.seen[0].body.decode() == "도시=서울"


def test_one_log_line_names_method_url_status_and_time(
    server: _Server, ctx: StepContext, logs: list[tuple[LogLevel, str]]
) -> None:
    run(api_step(base(server) + "/json", params={"q": "secret-ish"}), ctx)
    ((level, line),) = logs
    assert level is LogLevel.INFO
    assert line.startswith(f"GET {base(server)}/json -> 200 in ")
    assert line.endswith(" ms") and "secret-ish" not in line


TOKEN = "tok-9f8e7d6c"


@pytest.mark.parametrize(
    ("auth", "check"),
    [
        (
            {"kind": "bearer", "secret": "API_TOKEN"},
            lambda s: s.headers["authorization"] == f"Bearer {TOKEN}",
        ),
        (
            {"kind": "basic", "secret": "API_TOKEN", "username": "{{ inputs.city }}"},
            lambda s: (
                s.headers["authorization"] == "Basic " + base64.b64encode(f"서울:{TOKEN}".encode()).decode()
            ),
        ),
        (
            {"kind": "header", "secret": "API_TOKEN", "name": "X-Api-Key"},
            lambda s: s.headers["x-api-key"] == TOKEN,
        ),
        (
            {"kind": "query", "secret": "API_TOKEN", "name": "api_key"},
            lambda s: s.query["api_key"] == [TOKEN],
        ),
    ],
    ids=["bearer", "basic", "header", "query"],
)
def test_auth_kinds_arrive_and_the_secret_is_not_recorded(
    server: _Server, ctx: StepContext, auth: dict[str, str], check: Callable[[Seen], bool]
) -> None:
    output = run(api_step(base(server) + "/echo", auth=auth), ctx)
    assert check(server.seen[0])
    assert ctx.rendered_input["auth"]["secret"] == "API_TOKEN"
    recorded = json.dumps(ctx.rendered_input, ensure_ascii=False)
    assert TOKEN not in recorded and base64.b64encode(f"서울:{TOKEN}".encode()).decode() not in recorded
    assert TOKEN not in output["url"]


def test_a_missing_auth_secret_is_a_config_failure_before_any_request(
    server: _Server, ctx: StepContext
) -> None:
    failed = failure(api_step(base(server) + "/echo", auth={"kind": "bearer", "secret": "NOPE"}), ctx)
    assert failed.kind is FailureKind.CONFIG
    assert "NOPE" in failed.message and "mwo secrets set NOPE" in failed.fix
    assert server.seen == []


# --- what comes back -----------------------------------------------------------------------------


def test_auto_parses_json_when_the_content_type_says_so(server: _Server, ctx: StepContext) -> None:
    output = run(api_step(base(server) + "/json"), ctx)
    assert output["json"] == {"hello": "세계", "items": [1, 2]}
    assert json.loads(output["text"]) == output["json"]


def test_auto_keeps_text_as_text(server: _Server, ctx: StepContext) -> None:
    output = run(api_step(base(server) + "/text"), ctx)
    assert output["json"] is None
    assert output["text"] == "평문 text"


def test_response_json_on_a_text_answer_is_an_output_shape_failure(server: _Server, ctx: StepContext) -> None:
    failed = failure(api_step(base(server) + "/text", response="json"), ctx)
    assert failed.kind is FailureKind.OUTPUT_SHAPE
    assert "/text" in failed.message and "response: text" in failed.fix


def test_response_text_does_not_parse(server: _Server, ctx: StepContext) -> None:
    output = run(api_step(base(server) + "/json", response="text"), ctx)
    assert output["json"] is None and "세계" in json.loads(output["text"])["hello"]


def test_a_huge_text_is_cut_to_one_megabyte_with_a_warning(
    server: _Server, ctx: StepContext, logs: list[tuple[LogLevel, str]]
) -> None:
    output = run(api_step(base(server) + "/big"), ctx)
    assert len(output["text"]) == MAX_TEXT_CHARS
    assert any(level is LogLevel.WARNING and str(MAX_TEXT_CHARS) in line for level, line in logs)


# --- how it fails ---------------------------------------------------------------------------------


def test_a_slow_server_is_a_timeout(server: _Server, ctx: StepContext) -> None:
    started = time.monotonic()
    failed = failure(api_step(base(server) + "/slow", timeout_s=0.3), ctx)
    assert time.monotonic() - started < SLOW_S
    assert failed.kind is FailureKind.TIMEOUT
    assert "/slow" in failed.message and "timeout_s" in failed.fix
    assert failed.retryable_under(RetryPolicy().retry_on)


def test_500_is_an_http_status_failure_the_default_policy_retries(server: _Server, ctx: StepContext) -> None:
    failed = failure(api_step(base(server) + "/fail"), ctx)
    assert (failed.kind, failed.status) == (FailureKind.HTTP_STATUS, 500)
    assert "/fail" in failed.message and "boom" in failed.message
    assert failed.retryable_under(RetryPolicy().retry_on)


def test_404_is_not_retried(server: _Server, ctx: StepContext) -> None:
    failed = failure(api_step(base(server) + "/missing"), ctx)
    assert (failed.kind, failed.status) == (FailureKind.HTTP_STATUS, 404)
    assert "URL path" in failed.fix
    assert not failed.retryable_under(RetryPolicy().retry_on)


def test_without_fail_on_status_an_error_answer_is_output(server: _Server, ctx: StepContext) -> None:
    output = run(api_step(base(server) + "/missing", fail_on_status=False), ctx)
    assert output["status"] == 404 and output["text"] == "no route"


def test_a_closed_port_is_a_connection_failure(ctx: StepContext) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failed = failure(api_step(f"http://127.0.0.1:{port}/x"), ctx)
    assert failed.kind is FailureKind.CONNECTION
    assert f"127.0.0.1:{port}" in failed.message
    assert failed.retryable_under(RetryPolicy().retry_on)


# --- the network guard ----------------------------------------------------------------------------


def test_a_loopback_url_without_the_allow_list_is_refused_before_any_request(
    server: _Server, make_ctx: Callable[..., StepContext]
) -> None:
    failed = failure(api_step(base(server) + "/json"), make_ctx(workflow=workflow()))
    assert failed.kind is FailureKind.REFUSED_ADDRESS
    assert "127.0.0.1" in failed.message and "settings.network.allow" in failed.fix
    assert server.seen == []


def test_a_redirect_to_another_loopback_path_is_followed(server: _Server, ctx: StepContext) -> None:
    output = run(api_step(base(server) + "/redirect"), ctx)
    assert [seen.path for seen in server.seen] == ["/redirect", "/json"]
    assert output["url"] == base(server) + "/json"
    assert output["json"]["hello"] == "세계"


def test_a_redirect_to_a_refused_address_is_refused(server: _Server, ctx: StepContext) -> None:
    failed = failure(api_step(base(server) + "/to-metadata"), ctx)
    assert failed.kind is FailureKind.REFUSED_ADDRESS
    assert "169.254.169.254" in failed.message and "metadata" in failed.message
    assert [seen.path for seen in server.seen] == ["/to-metadata"]


def test_a_redirect_loop_stops_after_five_hops(server: _Server, ctx: StepContext) -> None:
    failed = failure(api_step(base(server) + "/loop"), ctx)
    assert failed.kind is FailureKind.HTTP_STATUS and "redirects" in failed.message
    assert len(server.seen) == 6
    assert not failed.retryable_under(RetryPolicy().retry_on)


def test_credentials_are_not_carried_to_another_origin(server: _Server, ctx: StepContext) -> None:
    step = api_step(
        base(server) + "/cross",
        headers={"X-Custom": "private"},
        auth={"kind": "bearer", "secret": "API_TOKEN"},
    )
    run(step, ctx, resolver=fake_dns({"localhost": ["127.0.0.1"]}))
    first, second = server.seen
    assert first.headers["authorization"] == f"Bearer {TOKEN}" and first.headers["x-custom"] == "private"
    assert second.path == "/echo"
    assert "authorization" not in second.headers and "x-custom" not in second.headers
    assert second.headers["host"] == f"localhost:{server.server_address[1]}"


def test_the_connection_goes_to_the_checked_address_under_the_real_host_name(
    server: _Server, ctx: StepContext
) -> None:
    port = server.server_address[1]
    output = run(
        api_step(f"http://api.example.test:{port}/json"),
        ctx,
        resolver=fake_dns({"api.example.test": ["127.0.0.1"]}),
    )
    assert server.seen[0].headers["host"] == f"api.example.test:{port}"
    assert output["url"] == f"http://api.example.test:{port}/json"


def test_a_name_resolving_to_loopback_is_refused_without_the_allow_list(
    server: _Server, make_ctx: Callable[..., StepContext]
) -> None:
    port = server.server_address[1]
    step = api_step(f"http://rebind.example.test:{port}/json")
    failed = failure(
        step, make_ctx(workflow=workflow()), resolver=fake_dns({"rebind.example.test": ["127.0.0.1"]})
    )
    assert failed.kind is FailureKind.REFUSED_ADDRESS and "rebind.example.test" in failed.message
    assert server.seen == []

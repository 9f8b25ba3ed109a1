"""The allow-listed packages, from the read-only directory `make setup` builds (skipped without it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mwo.engine.executors.python_script import script_net_access
from mwo.sandbox import ErrorType, Limits, Sandbox, SandboxConfig
from mwo.settings import Settings
from mwo.spec import NetworkPolicy
from tests.integration.sandbox.conftest import script

PACKAGES = Path(__file__).parents[3] / ".sandbox-packages"


@pytest.fixture(scope="module")
def with_packages() -> Iterator[Sandbox]:
    if not (PACKAGES / ".installed").exists():
        pytest.skip("no .sandbox-packages (run `make sandbox-packages`)")
    opened = Sandbox(SandboxConfig(packages=PACKAGES, pool_size=0))
    if not opened.isolation.isolated:
        pytest.skip("no namespace isolation here")
    yield opened
    opened.close()


@pytest.mark.slow
def test_every_allow_listed_package_imports_and_works(with_packages: Sandbox) -> None:
    code = script(
        "import bs4, feedparser, httpx, openpyxl, pandas as pd, requests",
        "def main(inputs):",
        "    frame = pd.DataFrame(inputs['rows'])",
        "    soup = bs4.BeautifulSoup('<p>Rates <b>held</b></p>', 'html.parser')",
        "    book = openpyxl.Workbook()",
        "    book.active['A1'] = 'x'",
        "    book.save('out.xlsx')",
        "    return {'total': int(frame['v'].sum()), 'text': soup.get_text(), 'f': feedparser.__version__}",
    )
    result = with_packages.run(code, {"rows": [{"v": 1}, {"v": 2}]}, {}, Limits(timeout_s=30, memory_mb=512))
    assert result.error is None, result.error and result.error.as_dict()
    assert result.output is not None and result.output["total"] == 3 and result.output["text"] == "Rates held"


def test_the_packages_are_read_only(with_packages: Sandbox) -> None:
    code = script("def main(i):", "    open('/opt/mwo/packages/evil.py', 'w').write('x')", "    return {}")
    result = with_packages.run(code, {}, {}, Limits(timeout_s=5))
    assert result.error is not None and result.error.type is ErrorType.VIOLATION
    assert not (PACKAGES / "evil.py").exists()


def test_the_allow_list_is_in_settings_and_in_the_requirements() -> None:
    pinned = (PACKAGES.parent / "sandbox-requirements.txt").read_text()
    names = [line.split("==")[0] for line in pinned.splitlines() if line and not line.startswith("#")]
    assert names == Settings(_env_file=None).sandbox_packages  # type: ignore[call-arg]


@pytest.mark.slow
def test_requests_and_httpx_go_through_the_egress_proxy_and_pandas_imports(with_packages: Sandbox) -> None:
    """The clients scripts use honour HTTP_PROXY by themselves; a step with the network keeps ctypes."""

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive offered: the proxy must still close after each answer

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    code = script(
        "import httpx, pandas, requests",
        "def main(inputs):",
        "    with requests.Session() as session:",
        "        first = [len(session.post(inputs['url'], data=b'r' * 300_000).content) for _ in '12']",
        "    with httpx.Client(timeout=5) as client:",
        "        second = [len(client.post(inputs['url'], content=b'h' * 300_000).content) for _ in '12']",
        "    return {'requests': first, 'httpx': second, 'pandas': int(pandas.Series([1, 2]).sum())}",
    )
    net = script_net_access(NetworkPolicy(allow=["127.0.0.1"]), True)
    url = f"http://127.0.0.1:{server.server_address[1]}/echo"
    try:
        result = with_packages.run(code, {"url": url}, {}, Limits(timeout_s=30, memory_mb=512), net)
    finally:
        server.shutdown()
        server.server_close()
    assert result.output == {"requests": [300_000] * 2, "httpx": [300_000] * 2, "pandas": 3}, result.error

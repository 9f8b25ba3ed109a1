"""The allow-listed packages, from the read-only directory `make setup` builds (skipped without it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mwo.sandbox import ErrorType, Limits, Sandbox, SandboxConfig
from mwo.settings import Settings
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

"""One real Sandbox per module (with its warm pool); tests that need namespaces skip on hosts without them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mwo.sandbox import Limits, Sandbox, SandboxConfig, SandboxResult


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    opened = Sandbox(SandboxConfig(pool_size=2))
    if not opened.isolation.isolated:
        opened.close()
        pytest.skip(f"no namespace isolation on this host: {opened.isolation.detail}")
    yield opened
    opened.close()


def run(sandbox: Sandbox, code: str, **limits: float) -> SandboxResult:
    """Run `code` with short limits (1 s unless told) so a hostile script cannot slow the suite."""
    return sandbox.run(code, {}, {}, Limits(**{"timeout_s": 1.0, **limits}))  # type: ignore[arg-type]


def script(*lines: str) -> str:
    """A script from its lines (keeps the corpus readable without long string literals)."""
    return "\n".join(lines) + "\n"

"""Literal URLs the network guard would refuse are errors at validate/apply time, naming step and field."""

from __future__ import annotations

from mwo.engine.preflight import preflight_findings
from mwo.spec import SpecErrorCode, Workflow, workflow_from_data


def _flow(url: str, allow: list[str] | None = None) -> Workflow:
    return workflow_from_data(
        {
            "name": "x",
            "settings": {"network": {"allow": allow or []}},
            "steps": [
                {"id": "call", "type": "API_CALL", "request": {"url": url}},
                {"id": "hook", "type": "NOTIFICATION", "channel": "webhook", "body": "b", "webhook_url": url},
            ],
        }
    )


def test_metadata_and_loopback_literals_are_refused_with_the_fix() -> None:
    for url in ("http://169.254.169.254/latest/meta-data", "http://localhost:8080/", "http://10.1.2.3/"):
        findings = preflight_findings(_flow(url))
        assert [(f.code, f.step, f.field) for f in findings] == [
            (SpecErrorCode.REFUSED_ADDRESS, "call", "request.url"),
            (SpecErrorCode.REFUSED_ADDRESS, "hook", "webhook_url"),
        ]
        assert "settings.network.allow" in findings[0].fix


def test_allowed_templated_and_named_urls_pass() -> None:
    assert preflight_findings(_flow("http://127.0.0.1:9/", allow=["127.0.0.1"])) == []
    assert preflight_findings(_flow("https://{{ inputs.host }}/")) == []
    assert preflight_findings(_flow("https://api.example.com/v1")) == []
    assert preflight_findings(_flow("file:///etc/passwd"))[0].code is SpecErrorCode.REFUSED_ADDRESS

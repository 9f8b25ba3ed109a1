"""The catalogue: every code has English and Korean words, and the words fill in their parameters."""

from __future__ import annotations

import pytest

from mwo.validation import CODES, Severity, finding
from mwo.validation.catalogue import CATALOGUE


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_both_languages_and_a_family(code: str) -> None:
    family = code.split(".")[0]
    assert family in {"spec", "template", "secret", "script", "llm", "step", "trigger", "dryrun"}
    english, korean = CATALOGUE[code]["en"], CATALOGUE[code]["ko"]
    assert all(english) and all(korean)
    assert english != korean or (code == "secret.not_set" and english[1] == korean[1])


def test_words_are_filled_in_per_language() -> None:
    en = finding("secret.not_set", Severity.WARNING, "en", step="fetch", field="auth.secret", name="API_KEY")
    ko = finding("secret.not_set", Severity.WARNING, "ko", step="fetch", field="auth.secret", name="API_KEY")
    assert "API_KEY" in en.message and "not set" in en.message
    assert "API_KEY" in ko.message and "설정되지" in ko.message
    assert en.hint == ko.hint == "mwo secrets set API_KEY"
    assert en.path == "step 'fetch': auth.secret"


def test_a_missing_korean_parameter_falls_back_to_the_english_one() -> None:
    made = finding("dryrun.skipped", Severity.WARNING, "ko", detail="no samples", fix="declare output")
    assert "no samples" in made.message and made.hint == "declare output"


def test_the_report_keeps_errors_and_warnings_apart() -> None:
    from mwo.validation import Report

    error = finding("script.no_main", Severity.ERROR)
    warning = finding("script.bare_except", Severity.WARNING, line=3)
    report = Report.of([warning, error])
    assert not report.ok and report.errors == [error] and report.warnings == [warning]
    data = report.as_dict()
    assert data["ok"] is False and [f["code"] for f in data["errors"]] == ["script.no_main"]
    assert data["warnings"][0]["path"] == "line 3"
    assert "expected" not in error.render() and "got" not in error.render(), "no empty expected/got"

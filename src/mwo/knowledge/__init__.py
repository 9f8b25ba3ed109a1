"""The knowledge base: shipped domain packs and user documents, searched by meaning and by words.

Authoring asks `KnowledgeService.retrieve(request, k)` for the passages that teach the LLM the
right API, and `detect_domains(request)` for what the request is about.
"""

from mwo.knowledge.errors import KnowledgeError
from mwo.knowledge.records import AddResult, DocumentRecord, DomainMatch, Passage
from mwo.knowledge.service import DomainInfo, InitReport, KnowledgeService

__all__ = [
    "AddResult",
    "DocumentRecord",
    "DomainInfo",
    "DomainMatch",
    "InitReport",
    "KnowledgeError",
    "KnowledgeService",
    "Passage",
]

"""Typed errors of the knowledge base: each says what went wrong and how to fix it."""

from __future__ import annotations

from mwo.errors import FixableError


class KnowledgeError(FixableError):
    """Base class; `code` is stable for --json output, `fix` is one sentence a person can act on."""

    code = "knowledge_error"

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message, fix)


class UnsupportedFileType(KnowledgeError):
    code = "unsupported_file_type"


class UnreadableDocument(KnowledgeError):
    """The file is damaged, truncated or not what its extension says."""

    code = "unreadable_document"


class PasswordProtected(KnowledgeError):
    code = "password_protected"


class EmptyDocument(KnowledgeError):
    """Nothing to index: no text layer, and OCR found no text either."""

    code = "empty_document"


class OcrUnavailable(KnowledgeError):
    code = "ocr_unavailable"


class EmbeddingMismatch(KnowledgeError):
    """A collection was built with another embedding model; mixing vectors would make search garbage."""

    code = "embedding_mismatch"


class EmbeddingUnavailable(KnowledgeError):
    code = "embedding_unavailable"


class UnknownDocument(KnowledgeError):
    code = "unknown_document"


class InvalidDomain(KnowledgeError):
    code = "invalid_domain"


class PackError(KnowledgeError):
    """A shipped pack is malformed (a packaging bug, not a user error)."""

    code = "pack_invalid"

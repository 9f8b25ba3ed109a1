"""The deterministic fixers, in the order the loop tries them: form first (syntax), then the contract
(entry point, parameter, return), then names and keys the dry run tripped on."""

from __future__ import annotations

from mwo.healing.fixers.base import Fix, Fixer
from mwo.healing.fixers.dates import DateFormatFixer, IsoTimestampFixer
from mwo.healing.fixers.entry_point import EntryPointFixer, MainParameterFixer
from mwo.healing.fixers.imports import MissingImportFixer
from mwo.healing.fixers.keys import KeyNameFixer
from mwo.healing.fixers.missing_return import MissingReturnFixer
from mwo.healing.fixers.parsed_json import ParsedJsonFixer
from mwo.healing.fixers.return_shape import ReturnShapeFixer
from mwo.healing.fixers.syntax import MarkdownFenceFixer, MissingColonFixer, TabIndentFixer


def default_fixers() -> tuple[Fixer, ...]:
    """A fresh list of every fixer (they hold no state; a new tuple keeps callers from sharing one)."""
    return (
        MarkdownFenceFixer(),
        MissingColonFixer(),
        TabIndentFixer(),
        EntryPointFixer(),
        MainParameterFixer(),
        MissingReturnFixer(),
        ReturnShapeFixer(),
        MissingImportFixer(),
        KeyNameFixer(),
        ParsedJsonFixer(),
        IsoTimestampFixer(),
        DateFormatFixer(),
    )


__all__ = [
    "DateFormatFixer",
    "EntryPointFixer",
    "Fix",
    "Fixer",
    "IsoTimestampFixer",
    "KeyNameFixer",
    "MainParameterFixer",
    "MarkdownFenceFixer",
    "MissingColonFixer",
    "MissingImportFixer",
    "MissingReturnFixer",
    "ParsedJsonFixer",
    "ReturnShapeFixer",
    "TabIndentFixer",
    "default_fixers",
]

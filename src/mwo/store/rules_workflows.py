"""What every store (SQL and memory) does the same with workflow names, folders and tags: how a
folder path and a tag name are normalised, and the fix its errors point to."""

from __future__ import annotations

from mwo.store.errors import InvalidInput

LIST_WORKFLOWS_FIX = "list workflows with `mwo list`"


def normalise_folder(path: str) -> str:
    """'/reports/daily/' -> 'reports/daily'; empty segments ('a//b') are InvalidInput (a ValueError)."""
    parts = path.strip().strip("/").split("/")
    if any(not part.strip() for part in parts):
        raise InvalidInput(
            f"invalid folder path {path!r}", fix="use names separated by '/', e.g. 'reports/daily'"
        )
    return "/".join(part.strip() for part in parts)


def normalise_tag(tag: str) -> str:
    """The tag's name without surrounding blanks; an empty one is InvalidInput (a ValueError)."""
    name = tag.strip()
    if not name:
        raise InvalidInput("a tag name cannot be empty", fix="give each tag at least one character")
    return name

"""`mwo config show|set|unset`: the settings saved in <home>/settings.yaml (language, time zone, which
language model answers), the same service and checks as the UI's Settings page. Environment variables
(MWO_*) still win; `show` says where one does. The endpoint's key is a secret: `mwo secrets set
OPENAI_API_KEY` (or the name in MWO_LLM_API_KEY_SECRET), never a value in the file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.context import reporting_errors
from mwo.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from mwo.management.preferences import Preference, Preferences

config_app = typer.Typer(
    help="Saved settings (<home>/settings.yaml): language, timezone, llm_provider, llm_base_url, llm_model.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
KeyArg = Annotated[str, typer.Argument(help="language, timezone, llm_provider, llm_base_url or llm_model.")]


@contextmanager
def _preferences(as_json: bool) -> Iterator[Preferences]:
    """The service for this home; its errors (and a broken file) end the command as message + fix."""
    from mwo.errors import FixableError
    from mwo.management.preferences import Preferences
    from mwo.settings import Settings

    with reporting_errors(as_json):
        try:
            yield Preferences(Settings())
        except FixableError as exc:
            fail(exc.message, exc.fix, code=exc.code, as_json=as_json)


@config_app.command("show")
def show(as_json: JsonOpt = False) -> None:
    """The editable settings: in effect, saved, default, and the variable outvoting a saved value."""
    with _preferences(as_json) as prefs:
        rows = prefs.show()
    if as_json:
        print_json({"ok": True, "file": str(prefs.path), "settings": [row.as_dict() for row in rows]})
        return
    console.print(
        f"saved in {prefs.path}" + ("" if prefs.path.exists() else " (not yet written)"), soft_wrap=True
    )
    for row in rows:
        console.print(f"  {row.key} = {row.value if row.value is not None else '(unset)'}{_origin(row)}")


@config_app.command("set")
def set_value(
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="The value, checked before it is saved.")],
    as_json: JsonOpt = False,
) -> None:
    """Save one setting (checked first; the file is replaced atomically)."""
    _save(key, value, as_json)


@config_app.command("unset")
def unset(key: KeyArg, as_json: JsonOpt = False) -> None:
    """Remove a saved setting: the environment or the default applies again."""
    _save(key, None, as_json)


def _save(key: str, value: str | None, as_json: bool) -> None:
    with _preferences(as_json) as prefs:
        rows = {row.key: row for row in prefs.save({key: value})}
    row = rows[key]
    if as_json:
        payload: dict[str, Any] = {"ok": True, "file": str(prefs.path), "setting": row.as_dict()}
        print_json(payload)
        return
    done = f"{key} saved as {row.saved}" if row.saved is not None else f"{key} unset"
    console.print(f"{done} in {prefs.path}{_origin(row)}", soft_wrap=True)
    console.print("`mwo ui` uses it on its next page load; restart `mwo serve` and `mwo worker` if they run")


def _origin(row: Preference) -> str:
    if row.overridden_by:
        return f"  [yellow](from {row.overridden_by}, which wins over the saved value)[/]"
    if row.saved is None:
        return "  (default)"
    return ""

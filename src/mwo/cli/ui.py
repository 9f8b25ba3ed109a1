"""`mwo ui`: the Streamlit app in the browser, over the same services as the CLI and the API.

It becomes `streamlit run` on `mwo/ui/app.py` in this environment (MWO_* settings pass through the
environment); headless: it prints the address instead of opening a browser itself. The UI never
fires schedules or webhooks: `mwo serve` does, and the app says when it is not running.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from mwo.cli.context import reporting_errors

DEFAULT_PORT = 8501


def ui_command(
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port of the web app.")
    ] = DEFAULT_PORT,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Open the web app for people who do not code: create, watch and approve workflows (Ctrl-C stops)."""
    from mwo.settings import Settings

    with reporting_errors():
        home = Settings().resolved_home()  # a bad MWO_* setting is reported here, in one line
    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={host}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=minimal",
        "--theme.base=light",
    ]
    typer.echo(f"MWO UI on http://{host}:{port} (home {home}); Ctrl-C stops", nl=True)
    sys.stdout.flush()
    # the app replaces this process: signals (Ctrl-C, SIGTERM) reach Streamlit itself
    os.execv(sys.executable, command)

"""The entry point `mwo ui` hands to `streamlit run`: page setup, the navigation, the banner saying
whether `mwo serve` is running, then the chosen page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mwo.ui.components import serve_banner
from mwo.ui.state import tr

# not "pages/": Streamlit would serve that folder as pages of its own, around st.navigation
VIEWS = Path(__file__).parent / "views"

# (file under views/, title key, icon, url path); the first is the default page
PAGE_TABLE = (
    ("workflows.py", "nav.workflows", ":material/account_tree:", "workflows"),
    ("create.py", "nav.create", ":material/auto_awesome:", "create"),
    ("workflow.py", "nav.workflow", ":material/schema:", "workflow"),
    ("runs.py", "nav.runs", ":material/play_circle:", "runs"),
    ("inbox.py", "nav.inbox", ":material/inbox:", "inbox"),
    ("statistics.py", "nav.statistics", ":material/monitoring:", "statistics"),
    ("knowledge.py", "nav.knowledge", ":material/menu_book:", "knowledge"),
    ("settings.py", "nav.settings", ":material/settings:", "settings"),
)


def main() -> None:
    st.set_page_config(page_title=tr("app.title"), page_icon="🧭", layout="wide")
    pages = [
        st.Page(VIEWS / file, title=tr(title), icon=icon, url_path=url, default=index == 0)
        for index, (file, title, icon, url) in enumerate(PAGE_TABLE)
    ]
    current = st.navigation(pages)
    serve_banner()
    current.run()


main()

"""Omvendt: the picture frame. Page config, the pages, the shared sidebar, then the chosen page."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Omvendt", page_icon=ui.favicon(), layout="wide",
                   initial_sidebar_state="expanded")
ui.init_state()
ui.sign_in_gate()  # team mode: nothing renders before sign-in; local mode: no-op

# ---------------------------------------------------------------------------------------------
# THE PAGES. One row per page: (section key, file, title key, icon), in the menu's order; the
# first page is the default. The folder is app_pages/, not pages/: see the README.
PAGES: list[tuple[str, str, str, str]] = [
    ("ui.nav.analysis", "app_pages/overview.py", "ui.overview.title", ":material/dashboard:"),
    ("ui.nav.analysis", "app_pages/coverage.py", "ui.coverage.title", ":material/donut_small:"),
    ("ui.nav.analysis", "app_pages/depth.py", "ui.depth.title", ":material/account_tree:"),
    ("ui.nav.analysis", "app_pages/experience.py", "ui.experience.title", ":material/sentiment_satisfied:"),
    ("ui.nav.hiring", "app_pages/compare.py", "ui.compare.title", ":material/compare_arrows:"),
    ("ui.nav.hiring", "app_pages/ratings.py", "ui.ratings.title", ":material/rate_review:"),
    ("ui.nav.hiring", "app_pages/guide.py", "ui.guide.title", ":material/description:"),
    ("ui.nav.hiring", "app_pages/planning.py", "ui.planning.title", ":material/checklist:"),
    ("ui.nav.data", "app_pages/questions.py", "ui.questions.title", ":material/label:"),
    ("ui.nav.data", "app_pages/import_data.py", "ui.import.title", ":material/upload_file:"),
    ("ui.nav.data", "app_pages/admin.py", "trust.admin.title", ":material/admin_panel_settings:"),
]
# ---------------------------------------------------------------------------------------------

sections: dict[str, list[st.Page]] = {}
for i, (section, path, title, icon) in enumerate(ui.visible_pages(PAGES)):
    sections.setdefault(ui.tr(section), []).append(
        st.Page(HERE / path, title=ui.tr(title), icon=icon, default=i == 0))
page = st.navigation(sections, position="sidebar")
ui.sidebar()
ui.account_box()
page.run()

"""Second-interview guide: one finalist's questions by fit, what they did not ask about, prompts,
the raters' view once visible and their figures next to the others'; PDF, Word and Excel."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from analysis import (
    FORMATS,
    MIME,
    Guide,
    build_guide,
    guide_blocks,
    guide_bytes,
    guide_file_name,
    record_guide_export,
)


@st.cache_data(max_entries=8, show_spinner=False)
def _guide(key: tuple, session_id: str, lang: str, pseudonyms: bool
           ) -> tuple[Guide, dict[str, bytes]]:
    # keyed on the store's version and the actor (in ``key``): a reveal or an import rebuilds it
    guide = build_guide(ui.store(), session_id, lang, pseudonyms)
    files = {fmt: guide_bytes(guide, fmt) for fmt in FORMATS} if ui.current_actor().can(
        "export") else {}
    return guide, files


ui.page_header("guide")
ui.require("read_questions")
store = ui.store()
actor = ui.current_actor()

sessions = ui.or_stop(store.sessions)
if sessions.empty:
    ui.empty_state("ui.guide.no_sessions")
    st.stop()

labels = ui.session_names(sessions)
left, right = st.columns([3, 1])
session_id = left.selectbox(ui.tr("ui.guide.session"), list(labels), key="guide_session",
                            format_func=labels.get)
st.session_state.setdefault("guide_lang", ui.lang())
lang = right.radio(ui.tr("ui.guide.language"), ("nb", "en"), key="guide_lang", horizontal=True,
                   format_func={c: ui.tr(f"ui.planning.lang_{c}") for c in ("nb", "en")}.get)

guide, files = ui.or_stop(_guide, ui.cache_key(), session_id, lang, ui.pseudonyms_on())

if files:
    cols = st.columns(len(files))
    for col, (fmt, data) in zip(cols, files.items()):
        with col:
            st.download_button(
                ui.tr(f"ui.guide.download_{fmt}"), data,
                file_name=guide_file_name(session_id, fmt, lang), mime=MIME[fmt],
                key=f"guide_download_{fmt}", icon=":material/download:",
                on_click=record_guide_export, args=(store, session_id, fmt, lang,
                                                       ui.pseudonyms_on()))
    st.caption(ui.tr("guide.notes_help"))
else:
    st.caption(ui.tr("ui.guide.no_export"))

# The blocks are the same ones the PDF and Word files are made of: the screen shows the file. Every
# text in them may quote the candidate (names, questions, notes), so all of it is shown as text.
items: list[str] = []


def _flush() -> None:
    if items:
        st.markdown("\n".join(items))
        items.clear()


for block in guide_blocks(guide):
    kind = block[0]
    if kind == "item":
        items.append("    " * block[2] + f"- {ui.plain(block[1])}")
        continue
    _flush()
    if kind == "title":
        st.subheader(ui.plain(block[1]), anchor=False)  # no link made of the candidate's name
    elif kind == "heading":
        st.markdown(f"#### {ui.plain(block[1])}")
    elif kind == "subheading":
        st.markdown(f"**{ui.plain(block[1])}**")
    elif kind == "table":  # st.table renders Markdown in its cells and headers
        rows = [[ui.plain(cell) for cell in row] for row in block[1]]
        st.table(pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0]))
    elif kind == "small":
        st.caption(ui.plain(block[1]))
    else:
        st.markdown(ui.plain(block[1]))
_flush()

"""Questions: every question with its fit, where the label came from and how sure the model was;
correct labels in place, retrain the model, and see why the model chose a label."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import ui
from analysis import (
    FITS, UNCERTAIN_BELOW, OmvendtError, config, retrain,
    uncertain_mask,
)

PAGE_SIZE = 200
SOURCES = ("model", "workbook", "correction")

ui.require("read_questions")
ui.page_header("questions")
can_correct = ui.current_actor().can("correct")


def _store_edits() -> int:
    """Store the fits picked in the editor the last run showed.

    The editor's edits are keyed by row position, so they are read only together with the ids
    of the rows that very editor showed: its key is derived from those ids and the store's
    version, so a re-sort, a filter or a stored edit makes a new, empty editor and never turns
    into a write on other rows.
    """
    key = st.session_state.get("questions_editor_key")
    ids = st.session_state.get("questions_editor_ids", ())
    edits = (st.session_state.get(key) or {}).get("edited_rows", {}) if key else {}
    codes = {ui.fit_name(f): f for f in FITS}
    saved = 0
    for position, change in edits.items():
        code = codes.get(change.get(ui.tr("ui.common.fit")))
        if code is None or not 0 <= int(position) < len(ids):
            continue
        ui.store().correct(int(ids[int(position)]), code)
        saved += 1
    if key in st.session_state:
        del st.session_state[key]  # stored: never applied again
    return saved


def _review(question_id: int, fit: str) -> None:
    """The review queue's one click: a person's label for the question."""
    try:
        ui.store().correct(question_id, fit)
    except OmvendtError as exc:
        st.session_state["questions_review_error"] = str(exc)
    else:
        st.toast(ui.tr("ui.review.saved", fit=ui.fit_name(fit)), icon=":material/check:")


if can_correct:
    try:
        if saved := _store_edits():
            st.toast(ui.tr("ui.questions.saved", n=saved), icon=":material/check:")
    except OmvendtError as exc:
        ui.render_error(exc)
data = ui.data_or_stop()

# -- the review queue: uncertain model labels, least certain first ---------------------------------
threshold = ui.percent(UNCERTAIN_BELOW)
if can_correct:
    st.subheader(ui.tr("ui.review.title"), divider="gray")
    st.caption(ui.tr("ui.review.lead", threshold=threshold))
    # both over every question in the filter: once per store version and filters
    reviewed, unsure = ui.metric("review_progress", "questions")
    if unsure:
        st.progress(reviewed / unsure, text=ui.tr("ui.review.progress", reviewed=reviewed,
                                                   total=unsure))
    if error := st.session_state.pop("questions_review_error", None):
        st.error(ui.tr("ui.errors.generic", detail=error), icon=":material/error:")
    queue = ui.metric("review_queue", "questions")
    if queue.empty:
        st.caption(ui.tr("ui.review.done"))
    else:
        item = queue.iloc[0]
        who = ui.names(data.sessions[data.sessions["session_id"] == item["session_id"]])
        with st.container(border=True, key="questions_review"):
            st.caption(ui.tr("ui.review.who", candidate=ui.plain(
                who["candidate"].iloc[0] if len(who) else ""), session=ui.plain(
                item["session_id"]), seq=int(item["seq"])))
            st.markdown(ui.tr("ui.review.item", question=ui.plain(item["question"])))
            st.caption(ui.tr("ui.review.model_says", fit=ui.fit_name(item["fit"]),
                             confidence=ui.percent(item["model_confidence"])))
            row = st.container(horizontal=True, wrap=True)
            for fit in sorted(FITS, key=lambda f: f != item["fit"]):
                label = (ui.tr("ui.review.confirm", fit=ui.fit_name(fit)) if fit == item["fit"]
                         else ui.fit_name(fit))
                row.button(label, key=f"questions_review_{fit}", on_click=_review,
                           args=(int(item["id"]), fit), width="content",
                           icon=":material/check:" if fit == item["fit"] else None,
                           type="primary" if fit == item["fit"] else "secondary")

# -- filter and sort --------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns([2, 2, 3, 3])
fits = c1.multiselect(ui.tr("ui.common.fit"), [*FITS, "none"], key="questions_fit",
                      format_func=lambda f: ui.fit_name(None if f == "none" else f),
                      placeholder=ui.tr("ui.sidebar.all"), select_all=False)
sources = c2.multiselect(ui.tr("ui.questions.source"), SOURCES, key="questions_source",
                         format_func=lambda s: ui.tr(f"source.{s}"),
                         placeholder=ui.tr("ui.sidebar.all"), select_all=False)
search = c3.text_input(ui.tr("ui.questions.search"), key="questions_search",
                       placeholder=ui.tr("ui.questions.search_hint"))
st.session_state.setdefault("questions_sort", "confidence")
order = c4.selectbox(ui.tr("ui.questions.sort"), ("confidence", "session"), key="questions_sort",
                     format_func=lambda o: ui.tr(f"ui.questions.sort_{o}"))


# a shared, read-only resource: cache_data would unpickle all 46k rows on every view to show 200
@ui.page_cache(max_entries=16)
def _listed(key: tuple, filters: tuple, fits: tuple, sources: tuple, search: str, order: str,
            _questions: pd.DataFrame, _sessions: pd.DataFrame) -> pd.DataFrame:
    # keyed on the store's version, the sidebar and this page's filters (frames not hashed)
    q = _questions.merge(_sessions[["session_id", "recruitment", "candidate"]], on="session_id",
                         how="left")
    if fits:
        wanted = q["fit"].isin([f for f in fits if f != "none"])
        q = q[wanted | (q["fit"].isna() if "none" in fits else False)]
    if sources:
        q = q[q["fit_source"].isin(sources)]
    if search:
        q = q[q["question"].str.contains(search, case=False, regex=False, na=False)]
    if order == "confidence":
        q = q.sort_values(["fit_confidence", "session_id", "seq"], na_position="first")
    else:
        q = q.sort_values(["recruitment", "session_id", "seq"])
    return q.reset_index(drop=True)


listed = _listed(ui.shared_key(), ui.filter_key(), tuple(fits), tuple(sources), search.strip(),
                 order, data.questions, data.sessions)
if listed.empty:
    ui.empty_state("ui.questions.none")
    st.stop()
pages = max(1, -(-len(listed) // PAGE_SIZE))
if st.session_state.get("questions_page", 1) > pages:
    st.session_state["questions_page"] = 1
page = 1
if pages > 1:
    page = st.number_input(ui.tr("ui.questions.page", pages=pages), min_value=1, max_value=pages,
                           key="questions_page", step=1)
part = listed.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
st.caption(ui.tr("ui.questions.showing", first=(page - 1) * PAGE_SIZE + 1,
                 last=(page - 1) * PAGE_SIZE + len(part), total=len(listed)))

# -- the editor: only the fit column is editable; an edit is stored at once ------------------------
FIT_COL, NAMES = ui.tr("ui.common.fit"), {f: ui.fit_name(f) for f in FITS}
CONF_COL = ui.tr("ui.questions.label_certainty")
shown = ui.names(part)
from_model = (part["fit_source"] == "model").to_numpy()
# each word translated once, not once per row
UNSURE_WORD, PERSON_WORD = (ui.tr("ui.questions.status_uncertain"),
                            ui.tr("ui.questions.status_person"))
SOURCE_WORDS = {s: ui.tr(f"source.{s}") for s in part["fit_source"].dropna().unique() if s}
status = [UNSURE_WORD if unsure else PERSON_WORD if person else ""
          for unsure, person in zip(uncertain_mask(part),
                                    part["fit_source"].isin(["workbook", "correction"]))]
table = pd.DataFrame({
    # the question and its fit first: they are what is read and corrected, and at 1280 px the
    # columns after them scroll (the question used to sit last, off the screen)
    ui.tr("ui.common.seq"): part["seq"].to_numpy(),
    ui.tr("ui.common.question"): part["question"].to_numpy(),
    # "no fit yet" in words, not "None"; picking it changes nothing (_store_edits skips it)
    FIT_COL: part["fit"].map(NAMES).fillna(ui.fit_name(None)).to_numpy(),
    CONF_COL: (100 * pd.to_numeric(part["model_confidence"])).where(from_model).to_numpy(),
    ui.tr("ui.questions.status"): status,
    ui.tr("ui.questions.source"): [SOURCE_WORDS[s] if s else "" for s in part["fit_source"]],
    ui.tr("ui.common.candidate"): shown["candidate"].to_numpy(),
    ui.tr("ui.common.session"): part["session_id"].to_numpy(),
})
# which question each row is: the editor reports edits by row position, so the editor's key
# names exactly these rows in this version of the store (see _store_edits)
ids = tuple(int(i) for i in part["id"])
editor_key = "questions_editor_" + hashlib.blake2b(
    repr((ids, ui.cache_key())).encode(), digest_size=6).hexdigest()
st.session_state["questions_editor_key"] = editor_key
st.session_state["questions_editor_ids"] = ids

st.data_editor(
    table, key=editor_key, hide_index=True,
    disabled=[c for c in table.columns if c != FIT_COL] if can_correct else True,
    column_config={
        FIT_COL: st.column_config.SelectboxColumn(options=[*NAMES.values(), ui.fit_name(None)],
                                                  required=True,
                                                  help=ui.tr("ui.questions.fit_help"),
                                                  width="medium"),
        ui.tr("ui.common.question"): st.column_config.TextColumn(width=420),
        ui.tr("ui.common.session"): st.column_config.TextColumn(width="small"),
        ui.tr("ui.common.seq"): st.column_config.NumberColumn(width="small"),
        ui.tr("ui.questions.source"): st.column_config.TextColumn(width="small"),
        CONF_COL: st.column_config.ProgressColumn(
            min_value=0.0, max_value=100.0, format="%.0f %%", width=130,
            help=ui.tr("ui.questions.label_certainty_help", threshold=threshold)),
        ui.tr("ui.questions.status"): st.column_config.TextColumn(width="small"),
    })
ui.download_csv(table, "questions")
st.caption(ui.tr("ui.questions.editor_help") if can_correct
           else ui.tr("ui.errors.permission", action="correct"))

# -- why the model chose a label -------------------------------------------------------------------
st.subheader(ui.tr("ui.questions.explain"), divider="gray")
options = part["id"].astype(int).tolist()
text_of = dict(zip(options, part["question"]))
picked = st.selectbox(ui.tr("ui.questions.explain_pick"), options, index=None,
                      key="questions_explain", placeholder=ui.tr("ui.questions.explain_hint"),
                      format_func=lambda i: str(text_of.get(i, i))[:120])
if picked is not None:
    try:
        model = ui.model()
        labels, confidence = model.label([text_of[picked]])
        words = model.explain(text_of[picked], top=5)
    except (OmvendtError, ImportError, FileNotFoundError) as exc:
        ui.render_error(exc)
    else:
        st.write(ui.tr("ui.questions.explained", fit=ui.fit_name(labels[0]),
                       confidence=ui.percent(confidence[0])))
        if words:
            st.write(ui.tr("ui.questions.explain_words", fit=ui.fit_name(labels[0]),
                           words=", ".join(f"«{ui.plain(w)}»" for w, _ in words)))
        else:
            st.caption(ui.tr("ui.questions.no_words"))
        row = part[part["id"] == picked].iloc[0]
        if row["fit_source"] in ("workbook", "correction"):
            st.caption(ui.tr("ui.questions.person_label", fit=ui.fit_name(row["fit"]),
                             source=ui.tr(f"source.{row['fit_source']}")))

# -- retrain ---------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.questions.retrain"), divider="gray")
st.caption(ui.tr("ui.questions.retrain_help"))
if ui.current_actor().can("retrain"):
    if st.button(ui.tr("ui.questions.retrain_button"), key="questions_retrain",
                 icon=":material/model_training:"):
        with st.status(ui.tr("ui.questions.training"), expanded=True) as status:
            try:
                done = retrain(ui.store(), config.model_path(), progress=lambda step, n: st.write(
                    ui.tr(f"ui.questions.step_{step}", n=n)))
            except OmvendtError as exc:
                status.update(label=ui.tr("ui.questions.failed"), state="error")
                ui.render_error(exc)
            else:
                status.update(label=ui.tr("ui.questions.trained"), state="complete",
                              expanded=False)
                st.session_state["questions_retrained"] = {
                    "version": done.model.version, "changes": done.changes,
                    "corrections": done.corrections}
    result = st.session_state.get("questions_retrained")
    if result:
        changes = result["changes"]
        st.success(ui.tr("ui.questions.retrained", version=result["version"],
                         changed=len(changes), corrections=result["corrections"]),
                   icon=":material/check_circle:")
        if len(changes):
            st.caption(ui.tr("ui.questions.changed_title"))
            st.dataframe(pd.DataFrame({
                ui.tr("ui.common.session"): changes["session_id"],
                ui.tr("ui.common.seq"): changes["seq"],
                ui.tr("ui.common.question"): changes["question"],
                ui.tr("ui.questions.before"): changes["before"].map(ui.fit_name),
                ui.tr("ui.questions.after"): changes["after"].map(ui.fit_name)}),
                hide_index=True, key="questions_changes")
else:
    st.caption(ui.tr("ui.errors.permission", action="retrain"))

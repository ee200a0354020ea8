"""Questions: every question with its fit, where the label came from and how sure the model was;
correct labels in place, retrain the model, and see why the model chose a label."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from analysis import FITS, OmvendtError, config
from analysis.i18n import has

PAGE_SIZE = 200
SOURCES = ("model", "workbook", "correction")

ui.require("read_questions")
ui.page_header("questions")
can_correct = ui.current_actor().can("correct")


def _store_edits() -> int:
    """Store the fits picked in the editor since the last run (rows as the last run showed them).

    Runs before the data is read, so this run already shows the new labels; the changed data
    gives the editor a fresh state, and an edit that is already stored is skipped, so an edit is
    stored once.
    """
    edits = (st.session_state.get("questions_editor") or {}).get("edited_rows", {})
    rows = st.session_state.get("questions_rows", [])
    codes = {ui.fit_name(f): f for f in FITS}
    saved = 0
    for position, change in edits.items():
        code = codes.get(change.get(ui.tr("ui.common.fit")))
        if code is None or not 0 <= int(position) < len(rows):
            continue
        row = rows[int(position)]
        if row["fit"] == code and row["fit_source"] == "correction":
            continue
        ui.store().correct(int(row["id"]), code)
        row.update(fit=code, fit_source="correction")
        saved += 1
    return saved


if can_correct:
    try:
        if saved := _store_edits():
            st.toast(ui.tr("ui.questions.saved", n=saved), icon=":material/check:")
    except OmvendtError as exc:
        ui.render_error(exc)
data = ui.data_or_stop()

# -- filter and sort --------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns([3, 3, 3, 2])
fits = c1.multiselect(ui.tr("ui.common.fit"), [*FITS, "none"], key="questions_fit",
                      format_func=lambda f: ui.fit_name(None if f == "none" else f),
                      placeholder=ui.tr("ui.sidebar.all"))
sources = c2.multiselect(ui.tr("ui.questions.source"), SOURCES, key="questions_source",
                         format_func=lambda s: ui.tr(f"source.{s}"),
                         placeholder=ui.tr("ui.sidebar.all"))
search = c3.text_input(ui.tr("ui.questions.search"), key="questions_search",
                       placeholder=ui.tr("ui.questions.search_hint"))
st.session_state.setdefault("questions_sort", "confidence")
order = c4.selectbox(ui.tr("ui.questions.sort"), ("confidence", "session"), key="questions_sort",
                     format_func=lambda o: ui.tr(f"ui.questions.sort_{o}"))


@st.cache_data(max_entries=16, show_spinner=False)
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


listed = _listed(ui.cache_key(), ui.filter_key(), tuple(fits), tuple(sources), search.strip(),
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
shown = ui.names(part)
table = pd.DataFrame({
    ui.tr("ui.common.candidate"): shown["candidate"].to_numpy(),
    ui.tr("ui.common.session"): part["session_id"].to_numpy(),
    ui.tr("ui.common.seq"): part["seq"].to_numpy(),
    ui.tr("ui.common.question"): part["question"].to_numpy(),
    FIT_COL: part["fit"].map(NAMES).to_numpy(),
    ui.tr("ui.questions.confidence"): (100 * pd.to_numeric(part["fit_confidence"])).to_numpy(),
    ui.tr("ui.questions.source"): [ui.tr(f"source.{s}") if s else "" for s in part["fit_source"]],
})
# which question each row is: the editor reports edits by row position
st.session_state["questions_rows"] = part[["id", "fit", "fit_source"]].to_dict("records")

st.data_editor(
    table, key="questions_editor", hide_index=True,
    disabled=[c for c in table.columns if c != FIT_COL] if can_correct else True,
    column_config={
        FIT_COL: st.column_config.SelectboxColumn(options=list(NAMES.values()), required=True,
                                                  help=ui.tr("ui.questions.fit_help"),
                                                  width="medium"),
        ui.tr("ui.common.question"): st.column_config.TextColumn(width="large"),
        ui.tr("ui.common.session"): st.column_config.TextColumn(width="small"),
        ui.tr("ui.common.seq"): st.column_config.NumberColumn(width="small"),
        ui.tr("ui.questions.source"): st.column_config.TextColumn(width="small"),
        ui.tr("ui.questions.confidence"): st.column_config.ProgressColumn(
            min_value=0.0, max_value=100.0, format="%.0f %%", width="small",
            help=ui.tr("ui.questions.confidence_help")),
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
            st.dataframe(pd.DataFrame(words, columns=[ui.tr("ui.questions.word"),
                                                      ui.tr("ui.questions.weight")]),
                         hide_index=True, key="questions_words")
        else:
            st.caption(ui.tr("ui.questions.no_words"))
        row = part[part["id"] == picked].iloc[0]
        if row["fit_source"] in ("workbook", "correction"):
            st.caption(ui.tr("ui.questions.person_label", fit=ui.fit_name(row["fit"]),
                             source=ui.tr(f"source.{row['fit_source']}")))

def _cv_column(key: str) -> str:
    name = f"ui.questions.cv_lang_{key}"
    return ui.tr(name) if has(name) else key


# -- retrain ---------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.questions.retrain"), divider="gray")
st.caption(ui.tr("ui.questions.retrain_help"))
if ui.current_actor().can("retrain"):
    if st.button(ui.tr("ui.questions.retrain_button"), key="questions_retrain",
                 icon=":material/model_training:"):
        from analysis import reset_default_model, save_model, train_model

        with st.status(ui.tr("ui.questions.training"), expanded=True) as status:
            try:
                corrections = ui.store().corrections()
                st.write(ui.tr("ui.questions.step_train", n=len(corrections)))
                new = train_model(corrections=corrections)
                st.write(ui.tr("ui.questions.step_save"))
                save_model(new, config.model_path())
                reset_default_model(new)
                st.write(ui.tr("ui.questions.step_relabel"))
                changed = ui.store().relabel(new)
            except OmvendtError as exc:
                status.update(label=ui.tr("ui.questions.failed"), state="error")
                ui.render_error(exc)
            else:
                status.update(label=ui.tr("ui.questions.trained"), state="complete",
                              expanded=False)
                st.session_state["questions_retrained"] = {
                    "version": new.version, "cv": new.metadata.get("cv", {}),
                    "changed": changed, "corrections": len(corrections)}
    result = st.session_state.get("questions_retrained")
    if result:
        st.success(ui.tr("ui.questions.retrained", version=result["version"],
                         changed=result["changed"], corrections=result["corrections"]),
                   icon=":material/check_circle:")
        cv = result["cv"]
        if cv:
            scores = pd.DataFrame([
                {"scheme": ui.tr(f"ui.questions.cv_{scheme}"),
                 **{_cv_column(k): v for k, v in values.items()}}
                for scheme, values in cv.items()])
            scores = scores.rename(columns={"scheme": ui.tr("ui.questions.cv_scheme")})
            st.dataframe(scores, hide_index=True, key="questions_cv")
            st.caption(ui.tr("ui.questions.cv_help"))
else:
    st.caption(ui.tr("ui.errors.permission", action="retrain"))

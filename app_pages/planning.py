"""Planning: the method's frame as a per-recruitment checklist (with what the data shows about each
item), the process check computed from the data, and the invitation letter to each finalist,
written from the recruitment's data, editable, and to copy or download in Norwegian or English."""
from __future__ import annotations

from functools import partial

import streamlit as st

import ui
from analysis import (
    CHECK_STATUSES,
    INVITATION_DETAILS,
    PLAN_ITEMS,
    build_invitation,
    checklist_evidence,
    invitation_details,
    invitation_docx,
    invitation_file_name,
    invitation_finalists,
    plan_state,
    recruitment_check,
    set_invitation_details,
    set_max_finalists,
    set_plan,
)

_ICONS = {"pass": ":green[:material/check_circle:]", "warning": ":orange[:material/warning:]",
          "unknown": ":gray[:material/help:]"}
_EVIDENCE_ICONS = {"met": ":green[:material/check_circle:]",
                   "not_met": ":orange[:material/warning:]",
                   "unknown": ":gray[:material/help:]",
                   "not_in_data": ":gray[:material/remove:]"}
_TEMPLATE = "__template__"  # the finalist picker's choice for the letter with [name]
_TEXT = "planning_invitation_text"
_EDITS = "planning_invitation_edits"  # (recruitment, finalist, lang) -> (edited text, based on)
_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _forget_recruitment() -> None:
    # another recruitment's checkboxes, details and finalist start from what the store holds
    for key in [f"planning_item_{item}" for item in PLAN_ITEMS] + [
            f"planning_invitation_{field}" for field in INVITATION_DETAILS] + [
            "planning_invitation_finalist"]:
        st.session_state.pop(key, None)


def _keep_edit(key: tuple, generated: str) -> None:
    # the edit is kept apart from the widget: a widget's state goes when another finalist or
    # language is shown, the user's text must not
    st.session_state.setdefault(_EDITS, {})[key] = (st.session_state[_TEXT], generated)


def _reset(key: tuple) -> None:
    st.session_state.setdefault(_EDITS, {}).pop(key, None)


ui.page_header("planning")
ui.require("read")
store = ui.store()
actor = ui.current_actor()
lang = ui.lang()

recruitments = ui.or_stop(store.recruitments)
if recruitments.empty:
    ui.empty_state("ui.planning.no_recruitments")
    st.stop()

recruitment = st.selectbox(ui.tr("ui.planning.recruitment"), list(recruitments["name"]),
                           key="planning_recruitment", on_change=_forget_recruitment)
settings = recruitments.set_index("name").loc[recruitment]
lines = ui.or_stop(recruitment_check, store, recruitment)
evidence = checklist_evidence(lines)

# -- checklist ---------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.planning.checklist"))
plan = plan_state(store, recruitment)
can_plan = actor.can("plan")
st.progress(sum(plan.values()) / len(plan),
            text=ui.tr("ui.planning.progress", done=sum(plan.values()), total=len(plan)))
st.caption(ui.tr("ui.planning.evidence_summary", total=len(plan),
                 met=sum(e.status == "met" for e in evidence.values())) + " "
           + ui.tr("ui.planning.evidence_help"))
with st.form("planning_form"):
    ticks = {}
    for item in PLAN_ITEMS:
        ticks[item] = st.checkbox(ui.tr(f"plan.item.{item}"), value=plan[item],
                                  key=f"planning_item_{item}", disabled=not can_plan)
        shown = evidence[item]
        # the reasons quote session ids from the workbook: plain text
        detail = f" — {ui.plain(shown.text(lang))}" if shown.lines else ""
        note = (f" {ui.tr('ui.planning.evidence_disagrees')}"
                if shown.disagrees_with(plan[item]) else "")
        st.caption(f"{_EVIDENCE_ICONS[shown.status]} **{shown.status_text(lang)}**{detail}{note}")
    saved = st.form_submit_button(ui.tr("ui.planning.save"), disabled=not can_plan)
if not can_plan:
    st.caption(ui.tr("ui.planning.read_only"))
elif saved:
    ui.act(set_plan, store, recruitment, ticks, done="ui.planning.saved")

# -- process check -----------------------------------------------------------------------------------
st.subheader(ui.tr("ui.planning.process"))
st.caption(ui.tr("ui.planning.process_help"))
counts = {s: sum(line.status == s for line in lines) for s in CHECK_STATUSES}
st.markdown(ui.tr("ui.planning.process_summary", passed=counts["pass"],
                  warnings=ui.tr("ui.planning.n_warnings", n=counts["warning"]),
                  unknown=ui.tr("ui.planning.n_unknown", n=counts["unknown"])))
for line in lines:
    # the reasons quote session ids from the workbook: plain text
    st.markdown(f"{_ICONS[line.status]} **{line.rule_text(lang)}** "
                f"({line.status_text(lang)}) — {ui.plain(line.text(lang))}")

if actor.can("configure_recruitment"):
    with st.expander(ui.tr("ui.ratings.settings"), icon=":material/settings:"):
        n = st.number_input(ui.tr("ui.planning.max_finalists"), 1, 20,
                            value=int(settings["max_finalists"] or 3), step=1,
                            key="planning_max_finalists")
        if st.button(ui.tr("ui.planning.save_settings"), key="planning_max_finalists_save"):
            ui.act(set_max_finalists, store, recruitment, int(n),
                   done="ui.planning.settings_saved")

# -- invitation ------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.planning.invitation"))
st.caption(ui.tr("ui.planning.invitation_help"))
details = ui.or_stop(invitation_details, store, recruitment)
if can_plan:
    with st.form("planning_invitation_form"):
        st.markdown(f"**{ui.tr('ui.planning.invitation_details')}**")
        cols = st.columns(3)
        typed = {field: col.text_input(
            ui.tr(f"ui.planning.invitation_{field}"), value=details[field],
            key=f"planning_invitation_{field}", max_chars=300,
            placeholder=recruitment if field == "role" else None,
            help=ui.tr("ui.planning.invitation_role_help") if field == "role" else None)
            for col, field in zip(cols, INVITATION_DETAILS)}
        if st.form_submit_button(ui.tr("ui.planning.invitation_save")):
            ui.act(set_invitation_details, store, recruitment, typed,
                   done="ui.planning.invitation_saved")

finalists = ui.names(invitation_finalists(ui.or_stop(store.sessions), recruitment))
if finalists.empty:
    st.info(ui.tr("ui.planning.invitation_no_finalists"), icon=":material/info:")
    st.stop()
labels = {}
for row in finalists.itertuples():
    declined = f" ({ui.tr('ui.planning.invitation_declined')})" if row.status == "declined" else ""
    labels[row.session_id] = f"{row.candidate}{declined}"
labels[_TEMPLATE] = ui.tr("ui.planning.invitation_template")
left, right = st.columns([3, 2])
finalist = left.selectbox(ui.tr("ui.planning.invitation_finalist"), list(labels),
                          format_func=labels.get, key="planning_invitation_finalist")
st.session_state.setdefault("planning_invitation_lang", lang)
letter_lang = right.radio(ui.tr("ui.planning.invitation_language"), ("nb", "en"),
                          key="planning_invitation_lang", horizontal=True,
                          format_func={c: ui.tr(f"ui.planning.lang_{c}") for c in ("nb", "en")}.get)

generated = build_invitation(finalists, recruitment,
                             None if finalist == _TEMPLATE else finalist,
                             details=details, lang=letter_lang)
key = (recruitment, finalist, letter_lang)
edited, based_on = st.session_state.get(_EDITS, {}).get(key, (None, None))
if edited is not None and edited == generated.text:
    edited = None  # typed back to what was generated: nothing of the user's to keep
if generated.missing:
    st.warning(ui.tr("ui.planning.invitation_missing", fields=generated.missing_text(lang)),
               icon=":material/edit_note:")
if edited is not None and based_on != generated.text:
    st.info(ui.tr("ui.planning.invitation_stale"), icon=":material/info:")
# the widget shows the user's edit, else the letter as generated now (set before it is drawn)
st.session_state[_TEXT] = generated.text if edited is None else edited
text = st.text_area(ui.tr("ui.planning.invitation_text"), key=_TEXT, height=680,
                    help=ui.tr("ui.planning.invitation_text_help"),
                    on_change=_keep_edit, args=(key, generated.text))
buttons = st.columns(3)
buttons[0].button(ui.tr("ui.planning.invitation_reset"), key="planning_invitation_reset",
                  on_click=_reset, args=(key,), disabled=edited is None,
                  help=ui.tr("ui.planning.invitation_reset_help"), icon=":material/restart_alt:")
if actor.can("export"):
    name = None if finalist == _TEMPLATE else finalists.set_index("session_id").at[
        finalist, "candidate"]
    buttons[1].download_button(
        ui.tr("ui.planning.invitation_download_txt"), text.encode("utf-8"),
        file_name=invitation_file_name(name, "txt", letter_lang),
        mime="text/plain;charset=utf-8", key="planning_invitation_txt",
        icon=":material/download:")
    buttons[2].download_button(
        # the Word file is written on the click (about 0.1 s), not on every run of the page
        ui.tr("ui.planning.invitation_download_docx"), partial(invitation_docx, text),
        file_name=invitation_file_name(name, "docx", letter_lang), mime=_DOCX_MIME,
        key="planning_invitation_docx", icon=":material/download:")
    with st.expander(ui.tr("ui.planning.invitation_copy"), icon=":material/content_copy:"):
        st.caption(ui.tr("ui.planning.invitation_copy_help"))
        st.code(text, language=None, wrap_lines=True)
else:
    st.caption(ui.tr("ui.planning.invitation_no_export"))

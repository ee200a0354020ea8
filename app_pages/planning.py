"""Planning: the method's frame as a per-recruitment checklist, the process check computed from
the data, and the invitation paragraph for the letter to finalists."""
from __future__ import annotations

import streamlit as st

import ui
from analysis import (
    CHECK_STATUSES,
    PLAN_ITEMS,
    invitation_text,
    plan_state,
    recruitment_check,
    set_max_finalists,
    set_plan,
)

_ICONS = {"pass": ":green[:material/check_circle:]", "warning": ":orange[:material/warning:]",
          "unknown": ":gray[:material/help:]"}


def _forget_ticks() -> None:
    # another recruitment's checkboxes must start from what the store holds for it
    for item in PLAN_ITEMS:
        st.session_state.pop(f"planning_item_{item}", None)


ui.page_header("planning")
ui.require("read")
store = ui.store()
actor = ui.current_actor()

recruitments = ui.or_stop(store.recruitments)
if recruitments.empty:
    ui.empty_state("ui.planning.no_recruitments")
    st.stop()

recruitment = st.selectbox(ui.tr("ui.planning.recruitment"), list(recruitments["name"]),
                           key="planning_recruitment", on_change=_forget_ticks)
settings = recruitments.set_index("name").loc[recruitment]

# -- checklist ---------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.planning.checklist"))
plan = plan_state(store, recruitment)
can_plan = actor.can("plan")
st.progress(sum(plan.values()) / len(plan),
            text=ui.tr("ui.planning.progress", done=sum(plan.values()), total=len(plan)))
with st.form("planning_form"):
    ticks = {item: st.checkbox(ui.tr(f"plan.item.{item}"), value=plan[item],
                               key=f"planning_item_{item}", disabled=not can_plan)
             for item in PLAN_ITEMS}
    saved = st.form_submit_button(ui.tr("ui.planning.save"), disabled=not can_plan)
if not can_plan:
    st.caption(ui.tr("ui.planning.read_only"))
elif saved:
    ui.act(set_plan, store, recruitment, ticks, done="ui.planning.saved")

# -- process check -----------------------------------------------------------------------------------
st.subheader(ui.tr("ui.planning.process"))
st.caption(ui.tr("ui.planning.process_help"))
lines = ui.or_stop(recruitment_check, store, recruitment)
counts = {s: sum(line.status == s for line in lines) for s in CHECK_STATUSES}
st.markdown(ui.tr("ui.planning.process_summary", passed=counts["pass"],
                  warnings=ui.tr("ui.planning.n_warnings", n=counts["warning"]),
                  unknown=ui.tr("ui.planning.n_unknown", n=counts["unknown"])))
for line in lines:
    # the reasons quote session ids from the workbook: plain text
    st.markdown(f"{_ICONS[line.status]} **{line.rule_text(ui.lang())}** "
                f"({line.status_text(ui.lang())}) — {ui.plain(line.text(ui.lang()))}")

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
nb_tab, en_tab = st.tabs([ui.tr("ui.planning.lang_nb"), ui.tr("ui.planning.lang_en")])
with nb_tab:
    st.code(invitation_text("nb"), language=None, wrap_lines=True)
with en_tab:
    st.code(invitation_text("en"), language=None, wrap_lines=True)

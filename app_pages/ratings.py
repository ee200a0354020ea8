"""Ratings: hand in your own rating, see who has handed in, and — once all are in or revealed —
the ratings side by side; agreement per recruitment. Blindness is enforced in analysis.store.ratings."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from analysis import (
    RATER_ROLES,
    REFUSALS,
    SCORES,
    InputError,
    MIN_READING_SESSIONS,
    PermissionDenied,
    datetime_text,
    handed_in,
    interval_text,
    local_datetime_text,
    markdown_table,
    rater_name,
    rating_rights,
    recruitment_agreement,
    reveal,
    session_states,
    set_required_raters,
    side_by_side,
    submit_rating,
    visible_ratings,
)

ui.page_header("ratings")
ui.require("read")
store = ui.store()
actor = ui.current_actor()

states = ui.or_stop(session_states, store)
sessions = ui.or_stop(store.sessions)
if states.empty:
    ui.empty_state("ui.ratings.no_sessions")
    st.stop()

# who may rate which session is the store's rule (analysis.store.ratings.rating_rights)
rights = ui.or_stop(rating_rights, store).set_index("session_id")
labels = ui.session_names(sessions)
if actor.role == "rater":
    # a rater sees the sessions they may rate, and those they have rated
    mine_in = set(visible_ratings(store).query("own")["session_id"])
    labels = {k: v for k, v in labels.items() if rights.loc[k, "may_rate"] or k in mine_in}
    if not labels:
        ui.empty_state("ui.ratings.none_to_rate")
        st.stop()
for key in labels:  # declined and erased sessions are marked, and nobody rates them
    if rights.loc[key, "reason"] in ("declined", "erased"):
        labels[key] += " · " + ui.tr(f"ui.ratings.mark_{rights.loc[key, 'reason']}")
if st.session_state.get("ratings_session") not in labels:  # e.g. a link to another's session
    st.session_state.pop("ratings_session", None)
session_id = st.selectbox(ui.tr("ui.ratings.session"), list(labels), key="ratings_session",
                          format_func=labels.get)
state = states.set_index("session_id").loc[session_id]
right = rights.loc[session_id]
required, n_in = int(state["required_raters"]), int(state["handed_in"])

# -- who has handed in (everyone may see this) ----------------------------------------------------
st.subheader(ui.tr("ui.ratings.handed_in", n=n_in, required=required))
who = handed_in(store, session_id)
if who.empty:
    st.caption(ui.tr("ui.ratings.nobody_yet"))
else:
    who = who.assign(role=who["role"].map(lambda r: ui.tr(f"role.{r}") if r in RATER_ROLES else "–"),
                     source=who["source"].map(lambda s: ui.tr(f"ui.ratings.source_{s}")),
                     # handed in here: stored in UTC; from a workbook: the time as typed there
                     submitted=[datetime_text(at) if src == "workbook" else local_datetime_text(at)
                                for at, src in zip(who["submitted"], who["source"])])
    st.dataframe(ui.headers(who, {"rater": "ui.ratings.col_rater", "role": "ui.ratings.col_role",
                                  "submitted": "ui.ratings.col_submitted",
                                  "source": "ui.ratings.col_source"}),
                 hide_index=True, key="ratings_handed_in")

visible = visible_ratings(store, session_id)
own = visible[visible["own"].to_numpy()]

# -- your rating ------------------------------------------------------------------------------------
if actor.can("rate"):
    st.subheader(ui.tr("ui.ratings.form_title"))
    if len(own) and state["open"]:
        st.info(ui.tr("ui.ratings.locked"), icon=":material/lock:")
    elif not right["may_rate"]:
        st.info(ui.tr(f"ratings.refused.{right['reason']}"), icon=":material/block:")
    else:
        st.caption(ui.tr("ui.ratings.who_may_rate"))
        mine = own.iloc[0] if len(own) else None
        roles = tuple(right["roles"])
        role_names = {r: ui.tr(f"role.{r}") for r in RATER_ROLES}
        # no default role: the rater's own (recorded) role, the only one they may take, or none
        known = mine["role"] if mine is not None and mine["role"] in roles else (
            roles[0] if len(roles) == 1 else None)
        with st.form("ratings_form"):
            rater = st.text_input(ui.tr("ui.ratings.rater"), value=rater_name(store),
                                  key="ratings_rater", disabled=actor.role == "rater",
                                  help=ui.tr("ui.ratings.rater_help"))
            role = st.radio(ui.tr("ui.ratings.role"), roles, key="ratings_role",
                            horizontal=True, format_func=role_names.get,
                            index=None if known is None else roles.index(known))
            scores = {s: st.slider(ui.tr(f"ratings.score.{s}"), 1, 5, key=f"ratings_score_{s}",
                                   value=int(mine[s]) if mine is not None and pd.notna(mine[s])
                                   else 3, help=ui.tr(f"ratings.score_help.{s}"))
                      for s in SCORES}
            note = st.text_area(ui.tr("ui.ratings.note"), key="ratings_note",
                                value=mine["note"] if mine is not None and
                                isinstance(mine["note"], str) else "")
            submitted = st.form_submit_button(ui.tr("ui.ratings.submit"), type="primary")
        if submitted and role is None:
            st.error(ui.tr("ui.ratings.pick_role"), icon=":material/error:")
        elif submitted:
            try:
                submit_rating(store, session_id, rater, role, scores, note)
            except PermissionDenied as exc:
                code = exc.action.removeprefix("rate_")
                if exc.action.startswith("rate_") and code in (*REFUSALS, "role",
                                                                "for_others"):
                    st.error(ui.tr(f"ratings.refused.{code}"), icon=":material/block:")
                else:
                    ui.render_error(exc)
            except InputError as exc:
                st.error(ui.tr_markdown("ui.ratings.bad_input", detail=str(exc)),
                         icon=":material/error:")
            else:
                st.toast(ui.tr("ui.ratings.saved"), icon=":material/check_circle:")
                st.rerun()

# -- side by side, or blind -----------------------------------------------------------------------
if state["open"]:
    st.subheader(ui.tr("ui.ratings.side_by_side"))
    if pd.notna(state["revealed_at"]) and not state["complete"]:
        st.caption(ui.tr_markdown("ui.ratings.revealed_by", who=state["revealed_by"],
                                  when=datetime_text(state["revealed_at"])))
    table = side_by_side(visible, session_id)
    table.index = [ui.tr(f"ratings.score.{s}") for s in table.index]
    spread = table.pop("spread")

    def _highlight(row: pd.Series) -> list[str]:
        gap = spread.get(row.name)
        colour = ("background-color: #F4B183" if pd.notna(gap) and gap >= 2 else
                  "background-color: #FCE4D6" if pd.notna(gap) and gap >= 1 else "")
        return [colour] * len(row)

    table[ui.tr("guide.spread")] = spread
    st.dataframe(table.style.apply(_highlight, axis=1).format(precision=0, na_rep="–"),
                 key="ratings_side_by_side")
    st.caption(ui.tr("ui.ratings.side_by_side_help"))
    notes = visible[visible["note"].notna().to_numpy()]
    if len(notes):
        st.markdown(f"**{ui.tr('ui.ratings.notes')}**")
        for r in notes.itertuples():
            st.markdown(f"- **{ui.plain(r.rater)}**: {ui.plain(r.note)}")  # as written
    if not actor.can("read_notes"):
        st.caption(ui.tr("ui.ratings.notes_hidden"))
else:
    st.info(ui.tr("ui.ratings.closed", n=n_in, required=required), icon=":material/visibility_off:")
    if len(own):
        st.markdown(f"**{ui.tr('ui.ratings.your_rating')}**")
        mine = own.iloc[0]
        st.dataframe(pd.DataFrame({ui.tr("ui.ratings.col_criterion"): [
            ui.tr(f"ratings.score.{s}") for s in SCORES], str(mine["rater"]): [
            mine[s] for s in SCORES]}), hide_index=True, key="ratings_own")
    if actor.can("reveal"):
        if st.button(ui.tr("ui.ratings.reveal"), key="ratings_reveal",
                     help=ui.tr("ui.ratings.reveal_help"), icon=":material/visibility:"):
            ui.act(reveal, store, session_id, done="ui.ratings.revealed")

# -- agreement -------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.ratings.agreement"))
st.caption(ui.tr("ui.ratings.agreement_help", min=MIN_READING_SESSIONS))


# Agreement over every recruitment the reader may see: 3-4 CPU-seconds on a 2,000-session store,
# so made only when its expander is open, once per store version, reader and language (the key
# holds both); the chosen session's recruitment alone takes milliseconds.
@st.cache_resource(max_entries=8, ttl=1800, show_spinner=False)
def _agreement(key: tuple, lang: str, recruitment: str | None) -> pd.DataFrame:
    return recruitment_agreement(ui.store(), lang, recruitment)


def _shown(agreement: pd.DataFrame) -> pd.DataFrame:
    """alpha, its interval and n, written in the interface language (analysis/format.py)."""
    return agreement.assign(
        alpha=[ui.number(a, 2) for a in agreement["alpha"]],
        interval=[interval_text(lo, hi, ui.lang())
                  for lo, hi in zip(agreement["alpha_low"], agreement["alpha_high"])])


columns = {"recruitment": "ui.ratings.col_recruitment",
           "criterion_label": "ui.ratings.col_criterion", "alpha": "ui.ratings.col_alpha",
           "interval": "ui.ratings.col_interval", "sessions": "ui.ratings.col_sessions",
           "reading_text": "ui.ratings.col_reading"}
# the chosen session's recruitment as a whole table whose readings wrap; every recruitment the
# reader may see in a grid below it, made when opened
this = _agreement(ui.cache_key(), ui.lang(), state["recruitment"])
if len(this):
    st.markdown(f"**{ui.plain(state['recruitment'])}**")
    st.table(markdown_table(ui.headers(_shown(this), {k: v for k, v in columns.items()
                                                      if k != "recruitment"}), ui.lang()),
             hide_index=True)
every = st.expander(ui.tr("ui.ratings.agreement_all"), expanded=this.empty,
                    key="ratings_agreement_open", on_change="rerun")
if every.open:
    with every:
        agreement = _agreement(ui.cache_key(), ui.lang(), None)
        if agreement.empty:
            ui.empty_state("ui.ratings.no_agreement")
        else:
            table = ui.headers(_shown(agreement), columns)
            st.dataframe(table, hide_index=True, key="ratings_agreement")
            ui.download_csv(table, "ratings_agreement")

# -- settings --------------------------------------------------------------------------------------
if actor.can("configure_recruitment"):
    recruitment = state["recruitment"]
    with st.expander(ui.tr("ui.ratings.settings"), icon=":material/settings:"):
        n = st.number_input(ui.tr("ui.ratings.required"), 1, 20, value=required, step=1,
                            key="ratings_required", help=ui.tr("ui.ratings.required_help"))
        if st.button(ui.tr("ui.ratings.save_settings"), key="ratings_required_save"):
            ui.act(set_required_raters, store, recruitment, int(n),
                   done="ui.ratings.settings_saved")

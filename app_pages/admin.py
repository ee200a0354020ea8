"""Administration (admins only): accounts and roles, raters' assignments, retention and erasure,
access requests and the audit trail."""
from __future__ import annotations

import streamlit as st

import ui
from analysis import (
    ROLES,
    OmvendtError,
    SignInFailed,
    TrustError,
    access_export,
    accounts,
    apply_retention,
    assign,
    assignments,
    audit_action_text,
    audit_detail_text,
    audit_export,
    audit_log,
    create_account,
    erase_candidate,
    local_datetime_text,
    retention_due,
    retention_months,
    set_active,
    set_password,
    set_retention_months,
    set_role,
    unassign,
    unlock,
)

ui.page_header("admin", area="trust")
ui.require("accounts")
store = ui.store()
tr = ui.tr


def _error(exc: Exception) -> None:
    """A failed admin action in words (the library's codes are translation keys)."""
    if isinstance(exc, TrustError):
        st.error(ui.tr_markdown(f"trust.error.{exc.code}", **exc.params), icon=":material/error:")
    elif isinstance(exc, SignInFailed):
        st.error(tr(f"trust.signin.{exc.code}", minutes=exc.minutes), icon=":material/error:")
    else:
        ui.render_error(exc)


def _done(key: str, **params: object) -> None:
    ui.clear_caches()
    st.success(ui.tr_markdown(key, **params), icon=":material/check_circle:")  # names typed


def _role_name(role: str) -> str:
    return tr(f"trust.role.{role}")


tab_accounts, tab_assign, tab_retention, tab_access, tab_audit = st.tabs([
    tr("trust.admin.tab_accounts"), tr("trust.admin.tab_assignments"),
    tr("trust.admin.tab_retention"), tr("trust.admin.tab_access"), tr("trust.admin.tab_audit")])

sessions = store.sessions()
labels = ui.session_names(sessions, with_key=True)

# -- accounts and roles ----------------------------------------------------------------------
with tab_accounts:
    table = accounts(store)
    if table.empty:
        ui.empty_state("trust.admin.no_accounts")
    else:
        shown = table.assign(role=table["role"].map(_role_name),
                             display_name=table["display_name"].fillna(""))
        st.dataframe(ui.headers(shown, {
            "username": "trust.col.username", "display_name": "trust.col.display_name",
            "role": "trust.col.role", "active": "trust.col.active",
            "locked_until": "trust.col.locked_until", "created_at": "trust.col.created_at"}),
            hide_index=True, key="admin_accounts_table")

    with st.form("admin_create", clear_on_submit=True):
        st.subheader(tr("trust.admin.create"))
        c1, c2 = st.columns(2)
        username = c1.text_input(tr("trust.col.username"), key="admin_new_username",
                                 help=tr("trust.admin.username_help"))
        display = c2.text_input(tr("trust.col.display_name"), key="admin_new_display")
        role = c1.selectbox(tr("trust.col.role"), ROLES, index=ROLES.index("viewer"),
                            format_func=_role_name, key="admin_new_role")
        sso = c2.checkbox(tr("trust.admin.sso_only"), key="admin_new_sso",
                          help=tr("trust.admin.sso_only_help"))
        pw1 = c1.text_input(tr("trust.admin.password"), type="password", key="admin_new_pw")
        pw2 = c2.text_input(tr("trust.admin.password_repeat"), type="password",
                            key="admin_new_pw2")
        if st.form_submit_button(tr("trust.admin.create_button"), icon=":material/person_add:"):
            if not sso and pw1 != pw2:
                st.error(tr("trust.error.passwords_differ"))
            else:
                try:
                    create_account(store, username, None if sso else pw1, role,
                                            display or None)
                    _done("trust.admin.created", username=username.strip())
                except OmvendtError as exc:
                    _error(exc)

    if not table.empty:
        st.subheader(tr("trust.admin.change"))
        who = st.selectbox(tr("trust.col.username"), table["username"], key="admin_who")
        current = table.set_index("username").loc[who]
        c1, c2, c3, c4 = st.columns(4)
        new_role = c1.selectbox(tr("trust.col.role"), ROLES, index=ROLES.index(current["role"]),
                                format_func=_role_name, key="admin_role")
        if c1.button(tr("trust.admin.set_role"), key="admin_set_role"):
            try:
                set_role(store, who, new_role)
                _done("trust.admin.role_set", username=who, role=_role_name(new_role))
            except OmvendtError as exc:
                _error(exc)
        active = bool(current["active"])
        if c2.button(tr("trust.admin.deactivate" if active else "trust.admin.activate"),
                     key="admin_toggle_active"):
            try:
                set_active(store, who, not active)
                _done("trust.admin.saved")
            except OmvendtError as exc:
                _error(exc)
        if c3.button(tr("trust.admin.unlock"), key="admin_unlock"):
            unlock(store, who)
            _done("trust.admin.saved")
        with c4.popover(tr("trust.admin.reset_password"), icon=":material/key:"):
            new_pw = st.text_input(tr("trust.admin.password"), type="password",
                                   key="admin_reset_pw")
            if st.button(tr("trust.admin.save"), key="admin_reset_save"):
                try:
                    set_password(store, who, new_pw)
                    _done("trust.admin.saved")
                except OmvendtError as exc:
                    _error(exc)

# -- raters' assignments ---------------------------------------------------------------------
with tab_assign:
    st.caption(tr("trust.admin.assign_lead"))
    raters = table[table["role"].isin(["rater", "recruiter"])]["username"].tolist() \
        if not table.empty else []
    if not raters or sessions.empty:
        ui.empty_state("trust.admin.no_raters")
    else:
        c1, c2 = st.columns([1, 2])
        rater = c1.selectbox(tr("trust.col.rater"), raters, key="admin_assign_rater")
        keys = c2.multiselect(tr("trust.col.sessions"), list(labels), key="admin_assign_sessions",
                              format_func=lambda k: labels.get(k, k), select_all=False)
        if st.button(tr("trust.admin.assign"), key="admin_assign", disabled=not keys):
            for key in keys:
                assign(store, rater, key)
            _done("trust.admin.assigned", n=len(keys))
    current = assignments(store)
    if not current.empty:
        st.dataframe(ui.headers(current.assign(session_key=current["session_key"].map(
            lambda k: labels.get(k, k))), {"username": "trust.col.rater",
                                          "session_key": "trust.col.session"}),
            hide_index=True, key="admin_assign_table")
        pairs = [f"{u}\u241f{k}" for u, k in zip(current["username"], current["session_key"])]
        drop = st.selectbox(tr("trust.admin.unassign"), pairs, key="admin_unassign_pick",
                            format_func=lambda p: " → ".join(
                                (p.split("\u241f")[0], labels.get(p.split("\u241f")[1], ""))))
        if st.button(tr("trust.admin.unassign"), key="admin_unassign"):
            user, key = drop.split("\u241f")
            unassign(store, user, key)
            _done("trust.admin.saved")

# -- retention and erasure -------------------------------------------------------------------
with tab_retention:
    months = st.number_input(tr("trust.admin.retention_months"), min_value=1, max_value=120,
                             value=retention_months(store), step=1,
                             key="admin_retention_months",
                             help=tr("trust.admin.retention_help"))
    if st.button(tr("trust.admin.save"), key="admin_retention_save"):
        try:
            set_retention_months(store, int(months))
            _done("trust.admin.saved")
        except OmvendtError as exc:
            _error(exc)
    due = retention_due(store, int(months))
    if due.empty:
        ui.empty_state("trust.admin.nothing_due", months=int(months))
    else:
        st.warning(tr("trust.admin.due", n=len(due), months=int(months)),
                   icon=":material/auto_delete:")
        st.dataframe(ui.headers(due, {"session_id": "trust.col.session",
                                      "recruitment": "trust.col.recruitment",
                                      "last_date": "trust.col.last_date",
                                      "due": "trust.col.due"}),
                     hide_index=True, key="admin_due_table")
        sure = st.checkbox(tr("trust.admin.confirm_retention", n=len(due)),
                           key="admin_retention_sure")
        if st.button(tr("trust.admin.apply_retention"), key="admin_retention_apply",
                     disabled=not sure, type="primary", icon=":material/delete_forever:"):
            erased = apply_retention(store, int(months))
            _done("trust.admin.erased_n", n=len(erased))

    st.subheader(tr("trust.admin.erase"))
    st.caption(tr("trust.admin.erase_lead"))
    live = sessions[sessions["erased_at"].isna()]["session_id"].tolist()
    if not live:
        ui.empty_state("trust.admin.nothing_to_erase")
    else:
        target = st.selectbox(tr("trust.col.session"), live, key="admin_erase_pick",
                              format_func=lambda k: labels.get(k, k))
        typed = st.text_input(ui.tr_markdown("trust.admin.erase_confirm", session=target),
                              key="admin_erase_typed")
        if st.button(tr("trust.admin.erase_button"), key="admin_erase", type="primary",
                     disabled=typed.strip() != target, icon=":material/person_remove:"):
            try:
                erase_candidate(store, target)
                _done("trust.admin.erased", session=target)
            except OmvendtError as exc:
                _error(exc)

# -- access requests -------------------------------------------------------------------------
with tab_access:
    st.caption(tr("trust.admin.access_lead"))
    who = st.text_input(tr("trust.admin.access_who"), key="admin_access_who")
    if st.button(tr("trust.admin.access_prepare"), key="admin_access_prepare",
                 disabled=not who.strip()):
        try:
            st.session_state["admin_access_file"] = (who.strip(),
                                                     access_export(store, who))
        except OmvendtError as exc:
            st.session_state.pop("admin_access_file", None)
            _error(exc)
    ready = st.session_state.get("admin_access_file")
    if ready:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in ready[0])[:60]
        st.download_button(ui.tr_markdown("trust.admin.access_download", who=ready[0]), ready[1],
                           file_name=f"omvendt_access_{safe}.xlsx", key="admin_access_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml"
                                ".sheet", icon=":material/download:", on_click="ignore")

# -- audit trail -----------------------------------------------------------------------------
with tab_audit:
    log = audit_log(store, limit=2000)
    actions = sorted(log["action"].unique().tolist())
    pick = st.multiselect(tr("trust.col.action"), actions, key="admin_audit_actions",
                          placeholder=tr("trust.admin.all"), select_all=False,
                          format_func=lambda a: audit_action_text(a, ui.lang()))
    shown = log[log["action"].isin(pick)] if pick else log
    # actions and details in words, times in Europe/Oslo (analysis/format.py)
    shown = shown.assign(
        at=shown["at"].map(local_datetime_text),
        action=shown["action"].map(lambda a: audit_action_text(a, ui.lang())),
        detail=shown["detail"].map(lambda d: audit_detail_text(d, ui.lang())))
    st.dataframe(ui.headers(shown, {"at": "trust.col.at", "actor": "trust.col.actor",
                                    "role": "trust.col.role", "action": "trust.col.action",
                                    "target": "trust.col.target", "detail": "trust.col.detail"}),
                 hide_index=True, key="admin_audit_table")
    c1, c2 = st.columns(2)
    for col, fmt in ((c1, "xlsx"), (c2, "csv")):
        if col.button(tr("trust.admin.audit_prepare", fmt=fmt.upper()),
                      key=f"admin_audit_prepare_{fmt}"):
            st.session_state["admin_audit_file"] = (fmt, audit_export(store, fmt))
    ready = st.session_state.get("admin_audit_file")
    if ready:
        fmt, payload = ready
        st.download_button(tr("trust.admin.audit_download", fmt=fmt.upper()), payload,
                           file_name=f"omvendt_audit.{fmt}", key="admin_audit_download",
                           icon=":material/download:", on_click="ignore")

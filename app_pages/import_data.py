"""Import: upload workbooks, see every problem before anything is written, import, see what changed."""
from __future__ import annotations

import io

import pandas as pd
import streamlit as st

import ui
from analysis import (
    SHEETS,
    FileRejected,
    OmvendtError,
    Upload,
    Validated,
    WorkbookError,
    config,
    preview_frame,
    problems_frame,
    problems_to_bytes,
    problems_to_csv,
    write_template,
)

#: What the reader accepts (.xls is refused with a message, so the picker does not offer it).
ACCEPTED_TYPES = ["xlsx", "xlsm"]
MAX_UPLOAD_MB = max(1, config.MAX_FILE_BYTES >> 20)  # Streamlit wants a whole, positive MB


def _report_table(problems, key: str) -> None:
    """The validation report on screen, readable at 1280 px: the file is in the heading above,
    so its column is left out; how to fix a problem stands under it in one wide column whose
    text wraps (the downloads keep them apart)."""
    report = problems_frame(problems, ui.lang(), translated=True)
    file_col, sheet, row, column, value, severity, problem, fix = report.columns
    report[problem] = [f"{text} → {how}" if how else text
                       for text, how in zip(report[problem], report[fix])]
    line = 80  # four lines of wrapped text: the longest message with its fix at 1280 px
    st.dataframe(report, hide_index=True, key=key, row_height=line,
                 height=min(len(report), 8) * line + 42,
                 column_order=[sheet, row, column, value, severity, problem],
                 column_config={sheet: st.column_config.TextColumn(width=105),
                                row: st.column_config.NumberColumn(width=45),
                                column: st.column_config.TextColumn(width=110),
                                value: st.column_config.TextColumn(width=80),
                                severity: st.column_config.TextColumn(width=115),
                                problem: st.column_config.TextColumn(
                                    ui.tr("ui.import.col_problem_fix"), width=360)})


@st.cache_data(max_entries=2, show_spinner=False)
def _template(lang: str) -> bytes:
    buf = io.BytesIO()
    write_template(buf, lang)
    return buf.getvalue()


@st.cache_data(max_entries=8, show_spinner=False)
def _validate(name: str, sha256: str, _data: bytes, key: tuple) -> Validated:
    # keyed on the file's hash and the store's version: known recruitments change the checks
    return ui.store().validate(Upload(name, _data))


ui.require("import")
ui.page_header("import")

with st.expander(ui.tr("ui.import.template_title"), icon=":material/description:"):
    st.write(ui.tr("ui.import.template_help"))
    left, right = st.columns(2)
    left.download_button(ui.tr("ui.import.template_nb"), _template("nb"),
                         file_name="omvendt_mal.xlsx", key="import_template_nb",
                         icon=":material/download:", on_click="ignore")
    right.download_button(ui.tr("ui.import.template_en"), _template("en"),
                          file_name="omvendt_template.xlsx", key="import_template_en",
                          icon=":material/download:", on_click="ignore")

if not ui.current_actor().can("import"):
    st.warning(ui.tr("ui.errors.permission", action="import"), icon=":material/lock:")
    st.stop()

files = st.file_uploader(ui.tr("ui.import.upload"), type=ACCEPTED_TYPES,
                         accept_multiple_files=True, key="import_files",
                         max_upload_size=MAX_UPLOAD_MB, help=ui.tr("ui.import.upload_help"))
# Streamlit writes the drop zone's own text in English and has no setting for it: say it here
st.caption(ui.tr("ui.import.upload_note", limit=MAX_UPLOAD_MB))

checked: list[tuple[Upload, Validated]] = []
for f in files or []:
    upload = Upload(f.name, f.getvalue())
    st.subheader(ui.plain(f.name), divider="gray")  # the file's name is the user's
    try:
        validated = _validate(upload.name, upload.sha256, upload.data, ui.cache_key())
    except FileRejected as exc:
        ui.render_error(exc)
        continue
    except OmvendtError as exc:
        ui.render_error(exc)
        continue
    n_err, n_warn = len(validated.errors), len(validated.warnings)
    if n_err:
        st.error(ui.tr("ui.import.has_errors", errors=ui.tr("ui.import.n_errors", n=n_err),
                       warnings=ui.tr("ui.import.n_warnings", n=n_warn)),
                 icon=":material/error:")
    elif n_warn:
        st.warning(ui.tr("ui.import.has_warnings",
                         warnings=ui.tr("ui.import.n_warnings", n=n_warn)), icon=":material/warning:")
    else:
        st.success(ui.tr("ui.import.ok"), icon=":material/check_circle:")
    if validated.problems:
        _report_table(validated.problems, f"import_report_{upload.sha256[:12]}")
        stem = f"{upload.name.rsplit('.', 1)[0]}_{ui.tr('ui.import.report_file')}"
        left, right = st.columns(2)
        with left:
            st.download_button(ui.tr("ui.import.report_download"),
                               problems_to_bytes(validated.problems, ui.lang()),
                               file_name=f"{stem}.xlsx",
                               key=f"import_report_dl_{upload.sha256[:12]}",
                               icon=":material/download:", on_click="ignore")
        with right:
            st.download_button(ui.tr("ui.import.report_download_csv"),
                               problems_to_csv(validated.problems, ui.lang()),
                               file_name=f"{stem}.csv", mime="text/csv",
                               key=f"import_report_csv_{upload.sha256[:12]}",
                               icon=":material/download:", on_click="ignore")
    if validated.frames:
        with st.expander(ui.tr("ui.import.preview"), icon=":material/visibility:",
                         expanded=not n_err):
            counts = {ui.tr(f"sheet.{s.key}"): len(validated.frames[s.key])
                      for s in SHEETS if s.key in validated.frames}
            st.write(ui.tr("ui.import.rows", counts=", ".join(
                f"{sheet}: {n}" for sheet, n in counts.items())))
            sessions = validated.frames.get("sessions")
            for schema in SHEETS:
                frame = validated.frames.get(schema.key)
                if frame is None or not len(frame):
                    continue
                shown = frame.head(20)
                if sessions is not None and "candidate" in shown:
                    shown = ui.names(shown, sessions)
                shown = preview_frame(shown, schema.key, ui.lang(),
                                      validated.headers.get(schema.key))
                st.caption(ui.tr(f"sheet.{schema.key}"))
                st.dataframe(shown, hide_index=True, placeholder="",
                             key=f"import_preview_{schema.key}_{upload.sha256[:12]}")
    if validated.ok:
        checked.append((upload, validated))

if files:
    blocked = len(files) - len(checked)
    if blocked:
        st.info(ui.tr("ui.import.blocked", n=blocked), icon=":material/info:")
    if st.button(ui.tr("ui.import.button", n=len(checked)), key="import_button", type="primary",
                 disabled=not checked, icon=":material/upload:"):
        results = []
        with st.status(ui.tr("ui.import.running"), expanded=True) as status:
            labeller = ui.labeller_or_none()
            for upload, _ in checked:
                st.write(ui.tr_markdown("ui.import.importing", file=upload.name))
                try:
                    results.append(ui.store().import_upload(upload, labeller))
                except WorkbookError as exc:
                    # the store changed since the check (another user imported): report again
                    _report_table(exc.problems, f"import_report_late_{upload.sha256[:12]}")
                except OmvendtError as exc:
                    ui.render_error(exc)
            status.update(label=ui.tr("ui.import.done"), state="complete", expanded=False)
        st.session_state["import_results"] = [
            {"file": r.file, "new": len(r.new_sessions), "replaced": len(r.replaced_sessions),
             "unchanged": len(r.unchanged_sessions), **{k: r.counts.get(k, 0) for k in (
                 "questions", "ratings", "feedback")},
             "replaced_ids": ", ".join(r.replaced_sessions[:20])}
            for r in results]

results = st.session_state.get("import_results")
if results:
    st.subheader(ui.tr("ui.import.changed"), divider="gray")
    changed = pd.DataFrame(results)
    st.dataframe(ui.headers(changed, {
        "file": "ui.import.col_file", "new": "ui.import.col_new",
        "replaced": "ui.import.col_replaced", "unchanged": "ui.import.col_unchanged",
        "questions": "ui.import.col_questions", "ratings": "ui.import.col_ratings",
        "feedback": "ui.import.col_feedback", "replaced_ids": "ui.import.col_replaced_ids"}),
        hide_index=True, key="import_changed")
    total = ui.store().summary()
    st.caption(ui.tr("ui.import.store_now", **total))
elif not files:
    ui.empty_state("ui.import.empty")

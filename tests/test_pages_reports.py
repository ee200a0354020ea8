"""AppTest of the printed reports (issue 12): the Compare page's PDF for the hiring team (the
button next to the workbook, the file's content in both languages, the declined finalist, the
audit record) and the guide's room for notes."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import text

from analysis.i18n import t
from tests.test_pages import (  # noqa: F401  (fixtures)
    _assert_ok,
    _open,
    _texts,
    app_env,
    model_file,
    sample_store,
)

DECLINED_IN = "Driftssjef Bergen 2026"  # the sample's recruitment where Sofie Rasmussen declined


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_button_sits_next_to_the_workbook(sample_store, downloads):
    at = _open("app_pages/compare.py")
    _assert_ok(at)
    at.selectbox(key="compare_recruitment").set_value(DECLINED_IN).run()
    _assert_ok(at)
    button = at.download_button(key="compare_export_pdf")
    assert button.label == t("report.pdf.download", "nb") == "Last ned sammenligningen (.pdf)"
    assert at.download_button(key="compare_export")  # the workbook's, beside it
    data = downloads["compare_export_pdf"]
    assert data.startswith(b"%PDF")
    shown = pdf_text(data)
    sessions = sample_store.sessions().query("recruitment == @DECLINED_IN")
    for name in sessions.query("status == 'held'")["candidate"]:
        assert name in shown
    assert "Takket nei til det omvendte intervjuet (det er lov): Sofie Rasmussen." in shown
    assert "Sammenligning av finalistene" in shown and " %" in shown
    # the workbook names her as declined too
    assert b"PK" == downloads["compare_export"][:2]


def test_the_pdf_follows_the_language_and_the_pseudonyms(sample_store, downloads):
    at = _open("app_pages/compare.py")
    at.radio(key="lang").set_value("en").run()
    at.toggle(key="pseudonyms").set_value(True).run()
    at.selectbox(key="compare_recruitment").set_value(DECLINED_IN).run()
    _assert_ok(at)
    assert at.download_button(key="compare_export_pdf").label == "Download the comparison (.pdf)"
    shown = pdf_text(downloads["compare_export_pdf"])
    assert "Comparison of the finalists" in shown and "Key figures" in shown
    assert "Declined the reverse interview (which is allowed): Finalist" in shown
    assert not [n for n in sample_store.sessions()["candidate"] if n in shown]


def test_a_pdf_download_is_audited_with_its_format(sample_store):
    at = _open("app_pages/compare.py")
    _assert_ok(at)
    at.download_button(key="compare_export_pdf").click().run()
    _assert_ok(at)
    events = sample_store.frame(text(
        "select action, detail from audit_event where action = 'export'"))
    assert len(events) == 1 and '"pdf"' in str(events["detail"].iloc[0]).replace("'", '"')


def test_the_guide_page_says_the_files_leave_room_for_notes(sample_store, downloads):
    at = _open("app_pages/guide.py")
    _assert_ok(at)
    assert t("guide.notes_help", "nb") in _texts(at)
    # the screen is for reading: the room for notes is in the files only
    assert "Notater" not in _texts(at).replace(t("guide.notes_help", "nb"), "")
    shown = pdf_text(downloads["guide_download_pdf"])
    assert shown.count("Notater") >= 2

"""AppTest of the Import page in Norwegian (issue 12): the report names the columns as the file
heads them, the preview shows display values and no "None", the report downloads have Norwegian
headers and ``;`` between fields, and the English that Streamlit's widgets keep (the uploader,
the sidebar's multiselects and date field) is explained next to them."""
from __future__ import annotations

import io

import pandas as pd

from analysis.i18n import t
from analysis.workbook.writing import workbook_bytes
from tests.conftest import minimal_sheets
from tests.test_pages import (  # noqa: F401  (fixtures)
    _assert_ok,
    _open,
    app_env,
    model_file,
    sample_store,
)


def _workbook_with_errors() -> bytes:
    """Headers as a person types them (Dato, Status), a bad code, a bad number, an unknown
    column and a declined session with empty times."""
    sheets = minimal_sheets()
    sessions = sheets["Økter"].rename(columns={"dato": "Dato", "status": "Status"})
    sessions["Status"] = sessions["Status"].astype(object)
    sessions.loc[0, "Status"] = "kanskje"
    sessions["Kommentar"] = ["fin", None]
    sheets["Økter"] = sessions
    questions = sheets["Spørsmål"].rename(columns={"spørsmål": "Spørsmål"})
    questions["nr"] = questions["nr"].astype(object)
    questions.loc[2, "nr"] = "tre"
    sheets["Spørsmål"] = questions
    return workbook_bytes(sheets)


def test_the_report_speaks_the_users_file_and_language(app_env, downloads):
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("feil.xlsx", _workbook_with_errors()).run()
    _assert_ok(at)
    assert at.error and at.error[0].value.startswith("2 feil og 1 advarsel")
    report = at.dataframe[0].value
    column, problem = t("import.col.column", "nb"), t("import.col.problem", "nb")
    assert list(report.columns)[:3] == ["Fil", "Ark", "Rad"]
    assert t("import.col.fix", "nb") not in at.dataframe[0].proto.column_order  # under the problem
    by_column = dict(zip(report[column], report[problem]))
    assert set(by_column) == {"Status (H)", "nr (B)", "Kommentar (J)"}
    assert by_column["Status (H)"].startswith(
        "Ukjent kode; forventet én av: gjennomført, takket nei (eller på engelsk:")
    assert by_column["Kommentar (J)"] == ("Ukjent kolonne «Kommentar» (kolonne J); "
                                          "den blir ikke importert. → Ingenting å gjøre, "
                                          "eller gi den et navn fra malen.")
    assert not {"status", "seq", "date", "question"} & set(report[column])

    # both downloads: Norwegian headers; the CSV with ";" for Norwegian Excel
    key = next(k for k in downloads if k.startswith("import_report_csv_"))
    text = downloads[key].decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(
        ["Fil", "Ark", "Rad", "Kolonne", "Verdi", "Alvorlighetsgrad", "Problem",
         "Slik retter du det"])
    frame = pd.read_csv(io.StringIO(text), sep=";")
    assert set(frame["Kolonne"]) == set(by_column)
    xlsx = next(v for k, v in downloads.items() if k.startswith("import_report_dl_"))
    assert list(pd.read_excel(io.BytesIO(xlsx)).columns)[:3] == ["Fil", "Ark", "Rad"]


def test_the_preview_shows_display_values_and_no_none(app_env):
    sheets = minimal_sheets()
    sheets["Økter"] = sheets["Økter"].rename(columns={"dato": "Dato"})
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("logg.xlsx", workbook_bytes(sheets)).run()
    _assert_ok(at)
    previews = {tuple(d.value.columns): d.value for d in at.dataframe}
    sessions = next(v for cols, v in previews.items() if "Dato" in cols)
    assert sessions["status"].tolist() == ["gjennomført", "takket nei"]
    assert sessions["Dato"].tolist() == ["04.03.2026", "04.03.2026"]
    ratings = next(v for cols, v in previews.items() if "rolle" in cols)
    assert ratings["rolle"].tolist() == ["leder", "observatør"]
    for frame in previews.values():
        cells = frame.astype(object).to_numpy().ravel().tolist()
        assert None not in cells and "None" not in cells and "nan" not in cells
        assert not {"held", "declined", "manager", "observer", "supervisor"} & set(cells)


def test_the_uploader_offers_what_is_read_and_explains_its_english(app_env):
    at = _open("app_pages/import_data.py")
    _assert_ok(at)
    uploader = at.file_uploader(key="import_files")
    assert sorted(uploader.proto.type) == [".xlsm", ".xlsx"]  # not the refused .xls
    note = " ".join(c.value for c in at.caption)
    assert "Godtar .xlsx og .xlsm" in note and "50 MB" in note and "«Upload»" in note


def test_the_sidebar_explains_what_streamlit_leaves_in_english(sample_store):  # noqa: F811
    at = _open("app_pages/import_data.py")
    _assert_ok(at)
    for key in ("filter_recruitments", "filter_candidates"):
        widget = at.multiselect(key=key)
        assert widget.proto.select_all == 0  # no English "Select all": empty already means all
        assert widget.help == t("ui.sidebar.pick_help", "nb")
        assert "«No results»" in widget.help
    dates = at.date_input(key="filter_dates")
    assert "dd.mm.åååå" in dates.help and dates.proto.format == "DD.MM.YYYY"

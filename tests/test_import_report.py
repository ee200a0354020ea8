"""The import report in the user's words (issue 12): a column is named as the user's file heads
it, coded values are listed in the reader's language first, an unknown column is named by its
header and letter, the downloads carry translated headers, and the preview shows display values."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.i18n import t
from analysis.workbook.preview import preview_frame
from analysis.workbook.reading import Upload, inspect_file, validate_upload
from analysis.workbook.schema import Problem, code_params, problems_frame, validate_frames
from analysis.workbook.writing import problems_to_bytes, problems_to_csv, workbook_bytes
from tests.conftest import minimal_sheets


def _validated(sheets: dict[str, pd.DataFrame]):
    return validate_upload(Upload("logg.xlsx", workbook_bytes(sheets)))


def _renamed_sessions(changes: dict | None = None) -> dict[str, pd.DataFrame]:
    """The minimal workbook with its Økter headers capitalised as a person types them."""
    sheets = minimal_sheets()
    sheets["Økter"] = sheets["Økter"].rename(columns={"dato": "Dato", "status": "Status"})
    for (row, column), value in (changes or {}).items():
        sheets["Økter"][column] = sheets["Økter"][column].astype(object)
        sheets["Økter"].loc[row, column] = value
    return sheets


def test_a_problem_names_the_column_as_the_file_heads_it():
    sheets = _renamed_sessions({(1, "Dato"): "i går"})
    problem, = _validated(sheets).problems
    assert problem.column == "date"  # what code matches on stays the schema's name
    assert problem.column_text("nb") == problem.column_text("en") == "Dato (D)"
    frame = problems_frame([problem], "nb")
    assert frame.loc[0, "column"] == "Dato (D)"


def test_an_english_header_is_reported_as_written_in_the_norwegian_ui():
    sheets = minimal_sheets()
    sheets["Spørsmål"] = sheets["Spørsmål"].rename(columns={"nr": "Seq"})
    sheets["Spørsmål"]["Seq"] = sheets["Spørsmål"]["Seq"].astype(object)
    sheets["Spørsmål"].loc[2, "Seq"] = "tre"
    problem, = _validated(sheets).problems
    assert (problem.sheet, problem.row, problem.column) == ("Spørsmål", 4, "seq")
    assert problems_frame([problem], "nb").loc[0, "column"] == "Seq (B)"


def test_a_column_the_file_lacks_is_named_in_the_ui_language():
    sheets = minimal_sheets()
    sheets["Økter"] = sheets["Økter"].drop(columns=["dato"])
    problem = next(p for p in _validated(sheets).problems if p.code == "missing_column")
    assert problem.column_text("nb") == "dato" and problem.column_text("en") == "date"
    assert "«dato / date»" in problem.message("nb")
    assert "“date / dato”" in problem.message("en")


def test_rules_across_rows_name_the_files_header_too():
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[2, "økt_id"] = "ZZ"
    problem, = _validated(sheets).problems
    assert problem.code == "unknown_session"
    assert problem.column_text("nb") == "økt_id (A)"


def test_frames_without_a_file_are_named_by_the_template():
    frames = {"sessions": pd.DataFrame({"session_id": ["A"], "recruitment": ["R"],
                                        "candidate": ["K"], "date": ["x"], "status": ["held"],
                                        "start": ["09:00"], "end": ["09:35"]}),
              "questions": pd.DataFrame({"session_id": ["A"], "seq": [1], "question": ["Q?"]})}
    problem, = validate_frames(frames).problems
    assert problem.column_text("nb") == "dato" and problem.column_text("en") == "date"


@pytest.mark.parametrize(("lang", "first", "then"), [
    ("nb", "gjennomført, takket nei", "held, declined"),
    ("en", "held, declined", "gjennomført, takket nei"),
])
def test_a_bad_code_lists_the_readers_codes_first(lang, first, then):
    sheets = _renamed_sessions({(0, "Status"): "kanskje"})
    problem, = _validated(sheets).problems
    text = problem.message(lang)
    assert text.index(first) < text.index(then)
    assert problem.column_text(lang) == "Status (H)"


def test_code_params_hold_both_languages():
    assert code_params("fit")["codes"]["nb"].startswith("jobb, gruppe, leder")
    assert code_params("role") == {
        "codes": {"nb": "leder, observatør", "en": "manager, observer"},
        "other": {"nb": "manager, observer", "en": "leder, observatør"}}


def test_an_unknown_column_is_named_by_its_header_and_letter():
    sheets = minimal_sheets()
    sheets["Økter"]["Kommentar"] = ["fin", None]  # the tenth column: J
    problem, = _validated(sheets).problems
    assert (problem.code, problem.severity, problem.row) == ("extra_column", "warning", 1)
    assert problem.message("nb") == ("Ukjent kolonne «Kommentar» (kolonne J); "
                                     "den blir ikke importert.")
    assert problem.message("en") == "Unknown column “Kommentar” (column J); it is not imported."
    row = problems_frame([problem], "nb").iloc[0]
    assert row["column"] == "Kommentar (J)"
    assert row["value"] == ""  # no longer "Verdi: J"


def test_a_duplicate_column_names_both_letters():
    sheets = minimal_sheets()
    sheets["Økter"]["Dato"] = sheets["Økter"]["dato"]  # "dato" twice, D and J
    problem = next(p for p in _validated(sheets).problems if p.code == "duplicate_column")
    assert problem.column_text("nb") == "Dato (J)"
    assert problem.message("nb") == ("Kolonnen «Dato» (kolonne J) står to ganger; "
                                     "den første er kolonne D.")


def test_a_header_with_control_characters_is_quoted_visibly_and_short():
    sheets = minimal_sheets()
    sheets["Økter"]["Notat\x07" + "x" * 100] = ["a", "b"]
    problem, = _validated(sheets).problems
    assert "\x07" not in problem.message("nb") and "\x07" not in problem.column_text("nb")
    assert len(problem.params["name"]) <= 60


@pytest.mark.parametrize(("lang", "sep", "headers"), [
    ("nb", ";", ["Fil", "Ark", "Rad", "Kolonne", "Verdi", "Alvorlighetsgrad", "Problem",
                 "Slik retter du det"]),
    ("en", ",", ["File", "Sheet", "Row", "Column", "Value", "Severity", "Problem",
                 "How to fix it"]),
])
def test_the_report_downloads_have_translated_headers(lang, sep, headers):
    sheets = _renamed_sessions({(0, "Status"): "kanskje"})
    problems = _validated(sheets).problems
    text = problems_to_csv(problems, lang).decode("utf-8-sig")
    assert text.splitlines()[0] == sep.join(headers)
    frame = pd.read_csv(io.StringIO(text), sep=sep)
    assert frame[headers[3]].tolist() == ["Status (H)"]
    assert frame[headers[2]].tolist() == [2]
    book = pd.read_excel(io.BytesIO(problems_to_bytes(problems, lang)))
    assert list(book.columns) == headers


def test_the_preview_shows_display_values_under_the_files_headers():
    sheets = _renamed_sessions()
    validated = _validated(sheets)
    sessions = validated.frames["sessions"]
    nb = preview_frame(sessions, "sessions", "nb", validated.headers["sessions"])
    assert nb["Status"].tolist() == ["gjennomført", "takket nei"]
    assert nb["Dato"].tolist() == ["04.03.2026", "04.03.2026"]
    assert nb["start"].tolist() == ["09:00", ""]  # a declined session has no times: empty
    assert nb["leder_minutter"].tolist() == ["25", ""]
    assert "second_interview" not in nb and "andregangsintervju" not in nb  # not in the file
    assert not nb.isna().any().any()
    en = preview_frame(sessions, "sessions", "en", validated.headers["sessions"])
    assert en["Status"].tolist() == ["held", "declined"]
    ratings = preview_frame(validated.frames["ratings"], "ratings", "nb",
                            validated.headers["ratings"])
    assert ratings["rolle"].tolist() == ["leder", "observatør"]
    questions = preview_frame(validated.frames["questions"], "questions", "en")
    assert questions["fit"].tolist() == ["", "", "Person–Supervisor"]
    assert questions["follow_up_to"].tolist() == ["", "1", ""]


def test_the_size_limit_is_said_in_the_megabytes_the_uploader_counts(monkeypatch):
    from analysis import config
    from analysis.errors import FileRejected

    monkeypatch.setattr(config, "MAX_FILE_BYTES", 50 << 20)
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("stor.xlsx", b"PK" + b"\0" * ((50 << 20) + 10)))
    assert info.value.params == {"size": 51, "limit": 50}


def test_problem_equality_ignores_the_header():
    a = Problem("f", "s", 2, "date", "x", "error", "bad_value", {}, "Dato (D)")
    b = Problem("f", "s", 2, "date", "x", "error", "bad_value", {}, "")
    assert a == b and t("import.col.column", "nb") == "Kolonne"


def test_a_missing_sheet_is_named_in_the_readers_language_first():
    sheets = minimal_sheets()
    del sheets["Spørsmål"]
    problem = next(p for p in _validated(sheets).problems if p.code == "missing_sheet")
    assert problem.message("nb") == "Arkfanen «Spørsmål / Questions» mangler."
    assert problem.message("en") == "The sheet “Questions / Spørsmål” is missing."

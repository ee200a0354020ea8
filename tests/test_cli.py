"""The command line: import, summary, template (exit codes, what is printed, nothing written on error)."""
import json
import subprocess
import sys

import openpyxl

from analysis.cli.main import main
from tests.conftest import ROOT, minimal_sheets


def test_import_prints_counts_and_summary_json(tmp_path, make_upload, capsys):
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    path = tmp_path / "log.xlsx"
    path.write_bytes(make_upload().data)
    assert main(["import", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "sessions: 2" in out and "questions: 3" in out
    assert main(["summary", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "recruitments": 1, "sessions": 2, "questions": 3, "ratings": 2, "feedback": 2}


def test_invalid_import_exits_2_prints_problems_and_writes_nothing(tmp_path, make_upload,
                                                                   capsys):
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[2, "oppfølging_av"] = 9
    path = tmp_path / "bad.xlsx"
    path.write_bytes(make_upload(sheets).data)
    assert main(["import", str(path), "--db", db]) == 2
    err = capsys.readouterr().err
    # the column as the file heads it, with its letter
    assert "Spørsmål" in err and "row 4" in err and "oppfølging_av (E)" in err
    main(["summary", "--db", db, "--json"])
    assert json.loads(capsys.readouterr().out)["sessions"] == 0


def test_import_of_a_non_workbook_exits_2(tmp_path, capsys):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    assert main(["import", str(path), "--db", f"sqlite:///{tmp_path / 's.sqlite'}"]) == 2
    assert "not an Excel workbook" in capsys.readouterr().err


def test_template_writes_sheets_in_both_languages(tmp_path):
    nb, en = tmp_path / "nb.xlsx", tmp_path / "en.xlsx"
    assert main(["template", str(nb)]) == 0
    assert main(["template", str(en), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(nb).sheetnames == ["Veiledning", "Økter", "Spørsmål",
                                                     "Vurderinger", "Tilbakemelding"]
    assert openpyxl.load_workbook(en).sheetnames == ["Instructions", "Sessions", "Questions",
                                                     "Ratings", "Feedback"]


def test_analysis_never_imports_streamlit():
    # every module of every subpackage, and every name of the public API
    code = ("import sys, importlib, pkgutil, analysis; "
            "[importlib.import_module(m.name) for m in "
            " pkgutil.walk_packages(analysis.__path__, 'analysis.') if m.name != 'analysis.__main__']; "
            "[getattr(analysis, n) for n in analysis.__all__]; "
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "False"

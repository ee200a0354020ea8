"""AppTest tests of the dashboard: every page on the sample data and on an empty store, and the
behaviours the issue names (language, filters, upload, label correction, export, pseudonyms)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from analysis import config, escape_markdown
from analysis.i18n import t
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import ROOT, FixedLabeller, minimal_sheets, rendered

APP = str(ROOT / "app.py")
#: page file -> the translation prefix of its title
PAGES = {
    "app_pages/overview.py": "overview",
    "app_pages/import_data.py": "import",
    "app_pages/coverage.py": "coverage",
    "app_pages/depth.py": "depth",
    "app_pages/experience.py": "experience",
    "app_pages/compare.py": "compare",
    "app_pages/questions.py": "questions",
}
TIMEOUT = 120


@pytest.fixture(scope="session")
def model_file(tmp_path_factory):
    """A fit model trained once for the whole run (without cross-validation, a few seconds)."""
    from analysis.model.training import reset_default_model, save_model, train_model

    path = tmp_path_factory.mktemp("model") / "fit_model.npz"
    model = train_model(calibrate=False)
    save_model(model, path)
    reset_default_model(None)
    return path


@pytest.fixture
def app_env(tmp_path, monkeypatch, model_file):
    """An empty SQLite store and the trained model, as the app reads them from the environment."""
    from analysis.model.training import reset_default_model

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(model_file))
    reset_default_model(None)
    # tests read the real exception text; production config hides it from browsers
    st_config.set_option("client.showErrorDetails", "full")
    yield Store(url)
    reset_default_model(None)


@pytest.fixture
def sample_store(app_env):
    """The store with the sample workbook imported."""
    app_env.import_upload(Upload.from_path(config.SAMPLE_WORKBOOK), FixedLabeller())
    return app_env


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return at


def _open(page: str) -> AppTest:
    at = _app()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    return at


def _assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(at: AppTest) -> str:
    """Everything the page wrote as text (headings, markdown, captions, alerts, metrics)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                  "warning", "error", "success") for e in getattr(at, kind)]
    parts += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    return rendered("\n".join(str(p) for p in parts))


def _table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page with all these column headers (AppTest does not carry the
    key of a read-only `st.dataframe`)."""
    for df in at.dataframe:
        frame = df.value
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")


def _cells(at: AppTest) -> str:
    """Every header and cell of every table on the page."""
    out = []
    for df in at.dataframe:
        frame = df.value
        out.append(" | ".join(map(str, frame.columns)))
        out.append(frame.astype(str).to_csv(index=False))
    return "\n".join(out)


# -- every page, with data and without -----------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_on_the_sample(sample_store, page):
    at = _open(page)
    _assert_ok(at)
    assert at.title[0].value == t(f"ui.{PAGES[page]}.title", "nb")
    assert not at.info or page == "app_pages/import_data.py" or all(
        "Ingen data" not in i.value for i in at.info)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_on_an_empty_store(app_env, page):
    at = _open(page)
    _assert_ok(at)
    assert at.title[0].value == t(f"ui.{PAGES[page]}.title", "nb")
    expected = "ui.import.empty" if page == "app_pages/import_data.py" else "ui.common.no_data"
    assert any(i.value == t(expected, "nb") for i in at.info)


# -- language and filters --------------------------------------------------------------------


def test_language_switch_changes_the_text_and_survives_a_page_change(sample_store):
    at = _app()
    assert at.title[0].value == "Oversikt"
    assert t("ui.overview.m_held", "nb") in [m.label for m in at.metric]
    at.radio(key="lang").set_value("en").run()
    _assert_ok(at)
    assert at.title[0].value == "Overview"
    assert t("ui.overview.m_held", "en") in [m.label for m in at.metric]
    at.switch_page("app_pages/coverage.py").run()
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == "Fit coverage"
    assert t("fit.supervisor", "en") in _cells(at)
    assert t("fit.supervisor", "nb") not in _cells(at)


def test_recruitment_filter_narrows_every_page(sample_store):
    sessions = sample_store.sessions()
    names = sorted(sessions["recruitment"].unique())
    assert len(names) > 1
    at = _app()
    label = t("ui.overview.m_recruitments", "nb")
    assert next(m.value for m in at.metric if m.label == label) == str(len(names))
    at.multiselect(key="filter_recruitments").set_value([names[0]]).run()
    _assert_ok(at)
    assert next(m.value for m in at.metric if m.label == label) == "1"
    # the filter survives the page change and narrows the coverage table too
    at.switch_page("app_pages/coverage.py").run()
    assert at.session_state["filter_recruitments"] == [names[0]]
    recruitment = t("ui.common.recruitment", "nb")
    table = _table(at, recruitment, t("report.figure.fits_covered", "nb"))
    assert set(table[recruitment]) == {names[0]}
    held = sessions[(sessions["recruitment"] == names[0]) & (sessions["status"] == "held")]
    assert len(table) == len(held)


def test_candidate_filter_does_not_narrow_feedback(sample_store):
    """Feedback is shown in aggregate only: narrowing it to one finalist would tell their answer."""
    at = _open("app_pages/experience.py")
    before = _texts(at)
    one = sample_store.sessions()["candidate"].iloc[0]
    at.multiselect(key="filter_candidates").set_value([one]).run()
    _assert_ok(at)
    assert _texts(at) == before


def test_date_filter_keeps_the_sessions_of_those_days(sample_store):
    sessions = sample_store.sessions()
    dates = pd.to_datetime(sessions["date"]).dt.date
    day = dates.min()
    at = _app()
    at.date_input(key="filter_dates").set_value((day, day)).run()
    _assert_ok(at)
    label = t("ui.overview.m_held", "nb")
    held = ((dates == day) & (sessions["status"] == "held")).sum()
    assert next(m.value for m in at.metric if m.label == label) == str(held)
    assert held < (sessions["status"] == "held").sum()


def test_filters_that_match_nothing_say_what_to_do(sample_store):
    sessions = sample_store.sessions()
    first = sorted(sessions["recruitment"].unique())[0]
    others = sessions[sessions["recruitment"] != first]["candidate"]
    at = _app()
    at.multiselect(key="filter_candidates").set_value([others.iloc[0]]).run()
    at.multiselect(key="filter_recruitments").set_value([first]).run()
    _assert_ok(at)
    # the finalist is not in that recruitment: the remembered choice is dropped, not an error
    assert at.session_state["filter_candidates"] == []


# -- import ------------------------------------------------------------------------------------


def test_valid_upload_shows_the_report_and_imports_on_the_button(app_env):
    at = _open("app_pages/import_data.py")
    data = workbook_bytes(minimal_sheets())
    at.file_uploader(key="import_files").upload("logg.xlsx", data).run()
    _assert_ok(at)
    assert any(s.value == t("ui.import.ok", "nb") for s in at.success)
    assert app_env.summary()["sessions"] == 0  # nothing is written before the button
    button = at.button(key="import_button")
    assert not button.disabled
    button.click().run()
    _assert_ok(at)
    assert app_env.summary()["sessions"] == 2
    assert app_env.summary()["feedback"] == 2
    changed = _table(at, t("ui.import.col_new", "nb"))
    assert changed[t("ui.import.col_new", "nb")].tolist() == [2]
    # the questions were labelled by the model on the way in
    questions = app_env.questions()
    assert questions["fit_model"].notna().all()
    # importing the same file again changes nothing
    at.button(key="import_button").click().run()
    changed = _table(at, t("ui.import.col_new", "nb"))
    assert changed[t("ui.import.col_unchanged", "nb")].tolist() == [2]
    assert app_env.summary()["sessions"] == 2


def test_invalid_upload_shows_every_problem_and_writes_nothing(app_env):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "status"] = "kanskje"
    sheets["Spørsmål"]["nr"] = sheets["Spørsmål"]["nr"].astype(object)
    sheets["Spørsmål"].loc[2, "nr"] = "tre"
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("feil.xlsx", workbook_bytes(sheets)).run()
    _assert_ok(at)
    assert at.error and "2 feil" in at.error[0].value
    report = at.dataframe[0].value
    column = t("import.col.column", "nb")
    # the columns as the file heads them, with their letters
    assert {"status (H)", "nr (B)"} <= set(report[column])
    assert report[t("import.col.row", "nb")].notna().all()
    assert at.button(key="import_button").disabled
    assert app_env.summary()["sessions"] == 0


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(app_env):
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("notes.xlsx", b"just some text").run()
    _assert_ok(at)
    assert at.error and escape_markdown("notes.xlsx") in at.error[0].value  # as plain text
    assert t("problem.not_xlsx", "nb") in at.error[0].value
    assert at.button(key="import_button").disabled
    assert app_env.summary()["sessions"] == 0


def test_the_sample_workbook_imports_through_the_page(app_env):
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload(
        "omvendt_sample.xlsx", config.SAMPLE_WORKBOOK.read_bytes()).run()
    _assert_ok(at)
    at.button(key="import_button").click().run()
    _assert_ok(at)
    assert app_env.summary()["sessions"] == len(
        Store(app_env.url).sessions()) > 0
    at.switch_page("app_pages/overview.py").run()
    _assert_ok(at)
    assert not any(i.value == t("ui.common.no_data", "nb") for i in at.info)


# -- labels ------------------------------------------------------------------------------------


def _edit(at, position: int, fit: str) -> None:
    """Pick ``fit`` in row ``position`` of the editor the page shows now."""
    fit_col = t("ui.common.fit", "nb")
    at.session_state[at.session_state["questions_editor_key"]] = {
        "edited_rows": {position: {fit_col: t(f"fit.{fit}", "nb")}}, "added_rows": [],
        "deleted_rows": []}


def test_label_correction_in_the_editor_is_stored_and_shown_everywhere(sample_store):
    at = _open("app_pages/questions.py")
    _assert_ok(at)
    first = at.session_state["questions_editor_ids"][0]
    before = sample_store.questions().set_index("id").loc[first]
    target = "organization" if before["fit"] != "organization" else "group"
    _edit(at, 0, target)
    at.run()
    _assert_ok(at)
    after = sample_store.questions().set_index("id").loc[first]
    assert (after["fit"], after["fit_source"]) == (target, "correction")
    assert len(sample_store.corrections()) == 1
    fit_col = t("ui.common.fit", "nb")
    shown = at.data_editor(key=at.session_state["questions_editor_key"]).value
    assert t(f"fit.{target}", "nb") in shown[fit_col].tolist()
    # a person's label shows no model percentage, and says who set it
    row = shown[shown[fit_col] == t(f"fit.{target}", "nb")].iloc[0]
    assert row[t("ui.questions.status", "nb")] == t("ui.questions.status_person", "nb")
    assert pd.isna(row[t("ui.questions.label_certainty", "nb")])
    # and the coverage page counts it (all recruitments side by side: the page opens on one)
    at.switch_page("app_pages/coverage.py").run()
    at.toggle(key="coverage_compare").set_value(True).run()
    figures = _table(at, t("ui.common.candidate", "nb"), t(f"fit.{target}", "nb"))
    assert figures[t(f"fit.{target}", "nb")].sum() >= 1


def test_a_resort_or_filter_after_an_edit_never_writes_other_rows(sample_store):
    # the phantom-correction defect: edits are positions; a re-sort used to re-apply them
    at = _open("app_pages/questions.py")
    first = at.session_state["questions_editor_ids"][0]
    _edit(at, 0, "supervisor")
    at.run()
    assert set(sample_store.corrections()["seq"].astype(int)) == {
        int(sample_store.questions().set_index("id").loc[first, "seq"])}
    at.text_input(key="questions_search").input("e").run()
    _assert_ok(at)
    at.selectbox(key="questions_sort").set_value("session").run()
    _assert_ok(at)
    fixes = sample_store.corrections()
    assert len(fixes) == 1, fixes
    corrected = sample_store.questions().set_index("id")
    assert corrected.loc[first, "fit_source"] == "correction"
    assert (corrected["fit_source"] == "correction").sum() == 1


def test_review_queue_confirms_the_least_certain_label_in_one_click(sample_store):
    at = _open("app_pages/questions.py")
    _assert_ok(at)
    questions = sample_store.questions()
    from analysis import review_progress, review_queue

    reviewed, total = review_progress(questions)  # workbook labels count as reviewed
    assert total > reviewed
    shown = [p.proto.text for p in at.get("progress")]
    assert t("ui.review.progress", "nb", reviewed=reviewed, total=total) in shown
    first = review_queue(questions).iloc[0]
    at.button(key=f"questions_review_{first['fit']}").click().run()
    _assert_ok(at)
    after = sample_store.questions().set_index("id").loc[int(first["id"])]
    assert (after["fit"], after["fit_source"]) == (first["fit"], "correction")
    assert review_progress(sample_store.questions()) == (reviewed + 1, total)
    # the next least-certain question is offered now
    nxt = review_queue(sample_store.questions()).iloc[0]
    assert int(nxt["id"]) != int(first["id"])


def test_explanation_of_a_label(sample_store):
    at = _open("app_pages/questions.py")
    first = at.session_state["questions_editor_ids"][0]
    at.selectbox(key="questions_explain").set_value(first).run()
    _assert_ok(at)
    said = [m.value for m in at.markdown]
    assert any(m.startswith(t("ui.questions.explain_words", "nb", fit="", words="")[:10])
               for m in said)


def test_retrain_lists_the_changed_labels(sample_store, monkeypatch):
    import analysis

    calls = {}
    real = analysis.train_model

    def quick(corpus=None, corrections=None, **kw):
        calls["corrections"] = corrections
        return real(corpus, corrections, calibrate=False)

    monkeypatch.setattr("analysis.model.training.train_model", quick)
    at = _open("app_pages/questions.py")
    at.button(key="questions_retrain").click().run()
    _assert_ok(at)
    assert "corrections" in calls
    result = at.session_state["questions_retrained"]
    labelled = sample_store.questions()
    # FixedLabeller said "job" for everything; the trained model does not
    assert len(result["changes"]) > 0
    assert (labelled["fit_model"] != "job").sum() == len(result["changes"])
    assert _table(at, t("ui.questions.before", "nb")).shape[0] == len(result["changes"])


# -- compare and export -------------------------------------------------------------------------


def test_compare_export_produces_the_workbook(sample_store, downloads):
    at = _open("app_pages/compare.py")
    _assert_ok(at)
    recruitment = at.selectbox(key="compare_recruitment").value
    assert at.download_button(key="compare_export")
    wb = load_workbook(io.BytesIO(downloads["compare_export"]))  # written as a click writes it
    assert t("report.sheet.figures", "nb") in wb.sheetnames
    held = sample_store.sessions().query("recruitment == @recruitment and status == 'held'")
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert all(name in text for name in held["candidate"])


def test_pseudonyms_hide_names_on_pages_and_in_the_export(sample_store, downloads):
    names = set(sample_store.sessions()["candidate"])
    at = _app()
    at.toggle(key="pseudonyms").set_value(True).run()
    _assert_ok(at)
    for page in ("app_pages/overview.py", "app_pages/coverage.py", "app_pages/depth.py",
                 "app_pages/compare.py", "app_pages/questions.py"):
        at.switch_page(page).run()
        _assert_ok(at)
        shown = _cells(at) + _texts(at)
        assert "Finalist A" in shown, page
        assert not [n for n in names if n in shown], page
    wb = load_workbook(io.BytesIO(downloads["compare_export"]))
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert "Finalist A" in text and not [n for n in names if n in text]


def test_experience_never_links_a_finalist_to_an_answer(sample_store):
    at = _open("app_pages/experience.py")
    _assert_ok(at)
    sessions = sample_store.sessions()
    for df in at.dataframe:
        columns = set(df.value.columns)
        assert not columns & {t("ui.common.session", "nb"), t("ui.common.candidate", "nb"),
                              "session_id", "candidate"}
    shown = _cells(at) + _texts(at)
    assert not [n for n in sessions["candidate"] if n in shown]
    assert not [s for s in sessions["session_id"] if s in shown]


def test_experience_withholds_small_groups(app_env):
    """Two answers (the minimal workbook) are fewer than the minimum: no number is shown."""
    app_env.import_upload(Upload("log.xlsx", workbook_bytes(minimal_sheets())), FixedLabeller())
    at = _open("app_pages/experience.py")
    _assert_ok(at)
    assert any(w.value == t("ui.experience.too_few", "nb", n=2,
                            min=config.MIN_FEEDBACK_ANSWERS) for w in at.warning)
    assert not at.metric

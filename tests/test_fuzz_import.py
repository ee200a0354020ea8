"""The importer is fuzzed: random and broken workbooks either import or are refused with a
`WorkbookError`/`FileRejected` (never another exception), and a refusal writes nothing."""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analysis.errors import FileRejected, WorkbookError
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import FixedLabeller, minimal_sheets

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])

#: Text a person or a hostile file may put in a cell: right-to-left marks, zero-width joiners,
#: combining marks, emoji (no surrogates: openpyxl cannot write them, nor can Excel).
ODD = "\u202e\u202d\u200b\u200d\u2060\ufeff\u0301\u0627\u05d0🙂👩‍💼𝔘Øæå\t\n"
TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")),
                                  st.sampled_from(ODD)), max_size=40)
FORMULAS = st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "=A1/0", "+cmd|'/c calc'!A0",
                            "@SUM(1)", "=1/0", "-2+3", "=NA()", "={1,2}"])
HUGE = st.sampled_from(["x" * 40_000, "æ" * 33_000, "🙂" * 9_000])
VALUES = st.one_of(
    st.none(), TEXT, FORMULAS, HUGE, st.booleans(),
    st.integers(min_value=-10**18, max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1)), st.times(),
)
SHEET_NAMES = st.one_of(st.sampled_from(["Økter", "Sessions", "Spørsmål", "Questions",
                                         "Vurderinger", "Tilbakemelding", "Feedback",
                                         "veiledning", "Sheet1"]),
                        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                                       blacklist_characters="[]:*?/\\'"),
                                min_size=1, max_size=31))


def _refused_or_imported(store, upload: Upload) -> None:
    """The property: an import either succeeds or is refused cleanly with nothing written."""
    before, version = store.summary(), store.version()
    try:
        store.import_upload(upload, FixedLabeller())
    except (WorkbookError, FileRejected) as exc:
        assert store.summary() == before, "a refused import wrote something"
        assert store.version() == version
        if isinstance(exc, WorkbookError):
            assert exc.problems, "a refusal must say what is wrong"
            # every problem renders in both languages (a page shows them row by row)
            for p in exc.problems:
                assert p.message("nb") and p.message("en")


def _base_rows() -> dict[str, list[list]]:
    """The minimal valid workbook as rows of cells (header first), to mutate."""
    out = {}
    for name, frame in minimal_sheets().items():
        rows = [list(frame.columns)]
        rows += [[None if v != v else v for v in row] for row in frame.itertuples(index=False)]
        out[name] = rows
    return out


@st.composite
def mutated_workbooks(draw) -> bytes:
    """A real .xlsx built with openpyxl from the valid workbook, with no, light or heavy damage
    (so that some examples import and the rest exercise the refusals)."""
    sheets = _base_rows()
    level = draw(st.sampled_from(["none", "light", "heavy"]))
    rate = {"none": 0, "light": 1, "heavy": 4}[level]

    def maybe(odds: int) -> bool:
        # odds in 12: how likely a given kind of damage is at this level
        return draw(st.integers(0, 11)) < odds * rate

    rnd = random.Random(draw(st.integers(0, 2**32)))
    wb = Workbook()
    wb.remove(wb.active)
    names_used: set[str] = set()
    for name, rows in sheets.items():
        if maybe(1):
            continue  # a missing sheet
        if maybe(1):
            name = draw(SHEET_NAMES)
        if name.lower() in names_used:
            continue
        names_used.add(name.lower())
        ws = wb.create_sheet(name)
        rows = [list(r) for r in rows]
        for _ in range(draw(st.integers(0, 3 * rate))):  # cell damage
            r = rnd.randrange(len(rows))
            c = rnd.randrange(len(rows[r]) + 2)
            while len(rows[r]) <= c:
                rows[r].append(None)
            rows[r][c] = draw(VALUES)
        if maybe(1):  # a duplicate header
            rows[0][rnd.randrange(len(rows[0]))] = rows[0][0]
        if maybe(1):  # random extra rows
            rows += [[draw(VALUES) for _ in range(rnd.randrange(1, 12))]
                     for _ in range(rnd.randrange(1, 5))]
        if maybe(1):  # header moved down
            rows = [[None] * 3] * rnd.randrange(1, 12) + rows
        for row in rows:
            ws.append(row)
        if maybe(1) and ws.max_row > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=min(3, ws.max_row),
                           end_column=2)
        if draw(st.integers(0, 4)) == 0:  # hidden sheets are read like visible ones
            ws.sheet_state = draw(st.sampled_from(["hidden", "veryHidden"]))
    if draw(st.integers(0, 3)) == 0:
        extra = wb.create_sheet(f"x{len(names_used)}")
        extra.append([draw(VALUES) for _ in range(4)])
        extra.sheet_state = "hidden"
    if not wb.worksheets:
        wb.create_sheet("tom")
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # openpyxl refuses to save otherwise
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_VALID: list[bytes] = []


def _valid_bytes() -> bytes:
    """The minimal valid workbook, built once (not a fixture: hypothesis would print it)."""
    if not _VALID:
        _VALID.append(workbook_bytes(minimal_sheets()))
    return _VALID[0]


@pytest.fixture
def valid_bytes() -> bytes:
    return _valid_bytes()


@SETTINGS
@given(data=mutated_workbooks())
def test_mutated_workbooks_import_or_are_refused(sqlite_store, data):
    _refused_or_imported(sqlite_store, Upload("fuzz.xlsx", data))


@SETTINGS
@given(data=st.data())
def test_byte_level_corruption_is_refused_cleanly(sqlite_store, data):
    raw = bytearray(_valid_bytes())
    kind = data.draw(st.sampled_from(["truncate", "flip", "splice", "random"]))
    if kind == "truncate":
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 40))):
            pos = data.draw(st.integers(0, len(raw) - 1))
            raw[pos] ^= data.draw(st.integers(1, 255))
    elif kind == "splice":
        pos = data.draw(st.integers(0, len(raw)))
        raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=300))
    else:
        raw = bytearray(data.draw(st.sampled_from([b"PK\x03\x04", b"", b"\xd0\xcf\x11\xe0"]))
                        + data.draw(st.binary(max_size=2000)))
    _refused_or_imported(sqlite_store, Upload("broken.xlsx", bytes(raw)))


@SETTINGS
@given(members=st.dictionaries(
    st.one_of(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                               "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels",
                               "_rels/.rels", "xl/sharedStrings.xml"]),
              st.text(alphabet="abcxl/_.", min_size=1, max_size=20)),
    st.one_of(st.binary(max_size=500), st.sampled_from([
        b"<?xml version='1.0'?><a/>", b"<workbook><sheets><sheet name='x' r:id='1'/></sheets>",
        b"not xml at all", b"<?xml version='1.0'?><worksheet><sheetData><row><c t='s'><v>99"
        b"</v></c></row></sheetData></worksheet>"])),
    max_size=7))
def test_random_zips_are_refused_cleanly(sqlite_store, members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    _refused_or_imported(sqlite_store, Upload("zip.xlsx", buf.getvalue()))


def _with_member(valid: bytes, name: str, body: bytes) -> bytes:
    """The valid workbook with one zip member replaced (or added)."""
    src = zipfile.ZipFile(io.BytesIO(valid))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != name:
                zf.writestr(info, src.read(info))
        zf.writestr(name, body)
    return out.getvalue()


def test_zip_bomb_is_refused_before_it_inflates(sqlite_store, valid_bytes, monkeypatch):
    from analysis import config

    # a 64 MB part of one repeated byte compresses ~1000:1; the ratio cap stops it early
    bomb = _with_member(valid_bytes, "xl/media/image1.bin", b"\0" * (64 << 20))
    assert len(bomb) < 200_000
    before = sqlite_store.summary()
    with pytest.raises(FileRejected) as info:
        sqlite_store.import_upload(Upload("bomb.xlsx", bomb))
    assert info.value.code == "zip_bomb"
    # and the total budget catches many parts that each look harmless
    monkeypatch.setattr(config, "MAX_INFLATED_BYTES", 5 << 20)
    many = valid_bytes
    for i in range(4):
        many = _with_member(many, f"xl/media/p{i}.bin", random.Random(i).randbytes(2 << 20))
    with pytest.raises(FileRejected, match="zip_bomb"):
        sqlite_store.import_upload(Upload("many.xlsx", many))
    assert sqlite_store.summary() == before


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<sst>&b;</sst>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><sst>&x;</sst>',
    b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://example.invalid/x.dtd"><sst/>',
])
def test_xml_with_a_dtd_is_refused(sqlite_store, valid_bytes, body):
    data = _with_member(valid_bytes, "xl/sharedStrings.xml", body)
    with pytest.raises(FileRejected) as info:
        sqlite_store.import_upload(Upload("xxe.xlsx", data))
    assert info.value.code == "xml_attack"
    assert sqlite_store.summary()["sessions"] == 0


@pytest.mark.parametrize("data, code", [
    (b"", "empty_file"), (b"hello, world", "not_xlsx"), (b"PK\x03\x04garbage", "corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "legacy_xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "encrypted"),
])
def test_non_workbooks_get_a_code(sqlite_store, data, code):
    with pytest.raises(FileRejected) as info:
        sqlite_store.import_upload(Upload("x.xlsx", data))
    assert info.value.code == code


def test_formula_cells_are_not_evaluated_or_stored_as_formulas(sqlite_store):
    sheets = minimal_sheets()
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if v != v else v for v in row])
    wb["Spørsmål"]["D2"] = '=HYPERLINK("http://evil.invalid","klikk")'
    buf = io.BytesIO()
    wb.save(buf)
    _refused_or_imported(sqlite_store, Upload("f.xlsx", buf.getvalue()))
    texts = set(sqlite_store.questions()["question"]) if sqlite_store.summary()["questions"] \
        else set()
    assert not any(str(t).startswith("=") for t in texts)

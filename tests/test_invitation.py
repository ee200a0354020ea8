"""The invitation letter (analysis/reports/invitation.py): filled from the recruitment's data, a
placeholder where the data has nothing, in Norwegian and English, names copied as plain text, and
the Word file."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from analysis import (
    INVITATION_FIELDS,
    build_invitation,
    invitation_docx,
    invitation_file_name,
    invitation_finalists,
)
from analysis.i18n import t
from tests.hostile import MARKUP, ZERO_WIDTH

ROLE = "Driftssjef Bergen"


def _sessions(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame({
        "session_id": ["A1", "A2", "A3", "B1"],
        "recruitment": [ROLE] * 3 + ["Økonomisjef"],
        "candidate": ["Kari Nordmann", "Ola Hansen", "Siri Berg", "Anne Annen"],
        "date": [dt.date(2026, 3, 4)] * 3 + [dt.date(2026, 5, 1)],
        "start": [dt.time(9, 0), dt.time(11, 0), None, dt.time(8, 0)],
        "end": [dt.time(9, 35), dt.time(11, 40), None, dt.time(8, 30)],
        "status": ["held", "held", "declined", "held"],
        "second_interview": [dt.date(2026, 3, 10), None, None, None],
        "manager": ["Per Leder", "Per Leder", None, "Eva Sjef"],
        "erased_at": [None, None, None, None],
    })
    for column, values in overrides.items():
        frame[column] = values
    return frame


PLACE = {"place": "Bryggen 3, møterom Fløyen", "sender": "Rita Rekrutterer"}


def test_every_field_comes_from_the_data_and_the_details():
    letter = build_invitation(_sessions(), ROLE, "A1", details=PLACE, lang="nb")
    assert letter.missing == ()
    text = letter.text
    assert text.startswith("Til Kari Nordmann\n")
    assert "Invitasjon til omvendt intervju – Driftssjef Bergen" in text
    assert "du intervjuer Per Leder" in text
    assert "Tid: onsdag 4. mars 2026 kl. 09.00" in text
    assert "Sted: Bryggen 3, møterom Fløyen" in text
    assert text.endswith("Vennlig hilsen\nRita Rekrutterer")
    # the method: durations, the next step, declining allowed, notes kept apart
    assert "30–40 minutter til dine spørsmål" in text and "20–30 minutter" in text
    assert "Andregangsintervjuet er tirsdag 10. mars 2026." in text
    assert "hvorfor du stilte akkurat de spørsmålene" in text
    assert "takke nei" in text and "tilbud" in text
    assert "deler dem ikke før alle har levert" in text
    assert "Alle finalistene har sitt omvendte intervju samme dag." in text
    assert text.count("•") == 5
    # nothing of another recruitment
    assert "Eva" not in text and "Anne" not in text
    assert "  " not in text and "[" not in text


def test_the_english_letter():
    letter = build_invitation(_sessions(), ROLE, "A2", details=PLACE, lang="en")
    text = letter.text
    assert text.startswith("To Ola Hansen\n")
    assert "Time: Wednesday 4 March 2026 at 11:00" in text
    assert "Place: Bryggen 3, møterom Fløyen" in text
    assert "30–40 minutes for your questions" in text and "20–30 minutes" in text
    assert "This is an offer" in text and "decline" in text
    assert "share none of them until all are in" in text
    assert "why you asked the questions you did" in text
    assert "The second interview is on" not in text  # A2 has no date for it
    assert text.endswith("Kind regards\nRita Rekrutterer")
    for word in ("Tid:", "Sted:", "minutter", "Vennlig"):
        assert word not in text


@pytest.mark.parametrize("lang, placeholders", [
    ("nb", ["[sted]", "[avsender]", "[klokkeslett]", "[leders navn]"]),
    ("en", ["[place]", "[sender]", "[time]", "[manager's name]"]),
])
def test_missing_data_is_a_placeholder_and_named(lang, placeholders):
    # A3 declined: no time; nobody recorded a manager for it or the recruitment
    sessions = _sessions(manager=[None, None, None, "Eva Sjef"])
    letter = build_invitation(sessions, ROLE, "A3", lang=lang)
    assert letter.missing == ("manager", "time", "place", "sender")
    for placeholder in placeholders:
        assert placeholder in letter.text
    assert letter.missing_text("nb").startswith("leders navn")
    assert "sted, avsender" in letter.missing_text("nb")
    assert "place, sender" in letter.missing_text("en")


def test_the_manager_of_the_recruitment_fills_in_for_a_session_without_one():
    letter = build_invitation(_sessions(), ROLE, "A3", details=PLACE, lang="nb")
    assert "du intervjuer Per Leder" in letter.text
    assert letter.missing == ("time",)


def test_the_template_leaves_the_name_and_time_open():
    letter = build_invitation(_sessions(), ROLE, None, details=PLACE, lang="nb")
    assert letter.text.startswith("Til [navn]\n")
    assert "Tid: onsdag 4. mars 2026 kl. [klokkeslett]" in letter.text
    assert letter.missing == ("name", "time")
    assert "Andregangsintervjuet er" not in letter.text
    # the finalists on several days: the template cannot name one date, nor say "same day"
    spread = _sessions(date=[dt.date(2026, 3, 4), dt.date(2026, 3, 5), dt.date(2026, 3, 5),
                             dt.date(2026, 5, 1)])
    letter = build_invitation(spread, ROLE, None, lang="en")
    assert "Time: [date] at [time]" in letter.text
    assert "same day" not in letter.text
    assert letter.missing == ("name", "date", "time", "place", "sender")


def test_the_written_position_wins_over_the_recruitment_name():
    letter = build_invitation(_sessions(), ROLE, "A1", details={"role": "driftssjef"}, lang="nb")
    assert "finalist til stillingen driftssjef" in letter.text
    assert ROLE not in letter.text


def test_placeholders_and_field_names_exist_in_both_languages():
    for lang in ("nb", "en"):
        for field in INVITATION_FIELDS:
            assert t(f"invitation.placeholder.{field}", lang).startswith("[")
            assert t(f"invitation.field.{field}", lang)


def test_an_unknown_or_erased_finalist_is_refused():
    with pytest.raises(KeyError, match="B1"):
        build_invitation(_sessions(), ROLE, "B1")
    erased = _sessions(erased_at=[None, pd.Timestamp("2026-04-01"), None, None])
    assert list(invitation_finalists(erased, ROLE)["session_id"]) == ["A1", "A3"]
    with pytest.raises(KeyError):
        build_invitation(erased, ROLE, "A2")


@pytest.mark.parametrize("hostile", MARKUP + [ZERO_WIDTH, "Kari\x0bNord\x00mann\n\n# Til alle"])
def test_a_hostile_name_is_copied_as_one_line_of_plain_text(hostile):
    sessions = _sessions(candidate=[hostile, "Ola", "Siri", "Anne"],
                         manager=["Per " + hostile, "Per", None, "Eva"])
    letter = build_invitation(sessions, ROLE, "A1", details={"place": hostile}, lang="nb")
    first = letter.text.splitlines()[0]
    expected = " ".join(hostile.replace("\x0b", "\n").replace("\x00", "").split())
    assert first == f"Til {expected}"  # the name as written, never split into lines of its own
    assert "\x00" not in letter.text and "\x0b" not in letter.text
    assert letter.text.count("\n\n") == build_invitation(_sessions(), ROLE, "A1",
                                                         lang="nb").text.count("\n\n")


def test_the_word_file_holds_the_letter():
    from docx import Document

    letter = build_invitation(_sessions(), ROLE, "A1", details=PLACE, lang="nb")
    edited = letter.text.replace("Vennlig hilsen", "Med vennlig hilsen")
    doc = Document(io.BytesIO(invitation_docx(edited)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Til Kari Nordmann"
    assert "Med vennlig hilsen\nRita Rekrutterer" in paragraphs
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets[0] == t("plan.purpose.1", "nb") and len(bullets) == 5
    assert "Tid: onsdag 4. mars 2026 kl. 09.00\nSted: Bryggen 3, møterom Fløyen" in paragraphs


@pytest.mark.parametrize("name, fmt, lang, expected", [
    ("Kari Nordmann", "txt", "nb", "innkalling_Kari_Nordmann_nb.txt"),
    ("Åse Ødegård-Li", "docx", "en", "invitation_Åse_Ødegård-Li_en.docx"),
    ("../../etc/passwd", "txt", "nb", "innkalling_etc_passwd_nb.txt"),
    (None, "txt", "nb", "innkalling_mal_nb.txt"),
    ("", "docx", "en", "invitation_template_en.docx"),
])
def test_file_names_are_safe(name, fmt, lang, expected):
    assert invitation_file_name(name, fmt, lang) == expected

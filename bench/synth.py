"""A larger, plausible synthetic session-log workbook for scale tests and benchmarks.

Questions are drawn from the labelled corpus (``sample_data/questions.csv``) and lightly varied
(lead-ins, tails, casing, a dropped question mark), so texts are realistic and mostly distinct.
Everything is built column-wise with numpy; only the final row stream to openpyxl's write-only
writer is per row, which keeps 10,000 sessions (about 250,000 questions) fast and memory-bounded.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/synth.py`
from analysis import config  # noqa: E402
from analysis.workbook.schema import (  # noqa: E402
    FEEDBACK,
    FITS,
    QUESTIONS,
    RATINGS,
    SCORES,
    SESSIONS,
)

#: Share of finalists who declined (no questions, no ratings).
DECLINED_SHARE = 0.07
#: Share of questions that carry a person's own fit label in the workbook.
LABELLED_SHARE = 0.05
#: Share of recruitments in English.
ENGLISH_SHARE = 0.35

_NB_FIT = {"job": "jobb", "group": "gruppe", "supervisor": "leder",
           "organization": "organisasjon", "other": "annet"}
#: Root-question fit mix for a weak (first row) and a strong (second row) session, in FITS order.
_FIT_MIX = np.array([[0.50, 0.10, 0.05, 0.10, 0.25],
                     [0.25, 0.20, 0.20, 0.25, 0.10]])

#: Leadership roles per language, each with the corpus sector its questions are drawn from.
_ROLES_NB = [("Driftssjef", "public"), ("Avdelingsleder sykepleie", "health"),
             ("Økonomisjef", "finance"), ("Enhetsleder hjemmetjenesten", "health"),
             ("Produksjonssjef", "industry"), ("Butikksjef", "retail"), ("Rektor", "public"),
             ("Kommunalsjef helse", "public"), ("IT-sjef", "tech"),
             ("Teamleder kundeservice", "retail"), ("Fagleder barnevern", "public"),
             ("Regionleder", "retail"), ("Innkjøpssjef", "industry"),
             ("Vedlikeholdssjef", "industry"), ("Seksjonsleder plan og bygg", "public"),
             ("Daglig leder", "ngo"), ("Generalsekretær", "ngo"), ("Finansdirektør", "finance"),
             ("Avdelingsleder utvikling", "tech"), ("Klinikksjef", "health")]
_ROLES_EN = [("Engineering Manager", "tech"), ("Head of Product", "tech"),
             ("Operations Manager", "industry"), ("Finance Director", "finance"),
             ("Head of Customer Success", "retail"), ("Data Engineering Lead", "tech"),
             ("Country Director", "ngo"), ("Head of Risk", "finance"),
             ("Plant Manager", "industry"),
             ("Head of Nursing", "health"), ("Programme Director", "public")]
_PLACES_NB = ["Bergen", "Oslo", "Trondheim", "Stavanger", "Tromsø", "Kristiansand", "Bodø",
              "Ålesund", "Drammen", "Fredrikstad", "Hamar", "Molde", "Haugesund", "Skien",
              "Lillehammer", "Gjøvik", "Arendal", "Harstad"]
#: How an English recruitment names its employer, per sector.
_PLACES_EN = {"tech": ["Oslo fintech", "Trondheim SaaS", "Oslo health tech"],
              "industry": ["Stavanger energy", "Bergen seafood", "Kongsberg industry"],
              "finance": ["Oslo bank", "Bergen insurance"], "retail": ["Oslo retail"],
              "ngo": ["Oslo NGO"], "health": ["Oslo hospital"], "public": ["Oslo agency"]}
_SECTORS = ("finance", "health", "industry", "ngo", "public", "retail", "tech")
_FIRST = ["Ingrid", "Magnus", "Sofie", "Camilla", "Eirik", "Nora", "Jonas", "Aisha", "Kari",
          "Ola", "Silje", "Henrik", "Marte", "Anders", "Tonje", "Sindre", "Hanne", "Emil",
          "Maja", "Kristoffer", "Ida", "Mohammed", "Linn", "Thomas", "Ragnhild", "Petter",
          "Amalie", "Sander", "Fatima", "Håkon", "Vilde", "Bjørn", "Elin", "Ahmed", "Tuva"]
_LAST = ["Solheim", "Aase", "Rasmussen", "Nygård", "Haugland", "Bakke", "Berg", "Rahman",
         "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
         "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berge", "Haugen", "Hagen",
         "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Lie",
         "Moen", "Strand", "Ali", "Khan", "Nguyen", "Brekke", "Vik", "Helland", "Kvamme"]
#: Lead-ins and tails, per language: (lead-in for a new topic, lead-in for a follow-up, tail).
_LEADS = {
    "nb": (["Jeg lurer på: ", "Et spørsmål om noe annet: ", "Kort spørsmål: ",
            "Hvis jeg kan spørre: ", "Litt nysgjerrig: ", "Et annet tema: ",
            "Noe jeg har lurt på: ", "Så lurer jeg på: "],
           ["Og ", "Men ", "Hvis jeg kan følge opp: ", "Du nevnte det – ", "Kan du utdype: ",
            "Bare for å forstå: ", "Apropos det: ", "Når du sier det – "],
           [" – hvis du kan si noe om det", " egentlig", " sånn i praksis", " i dag",
            " fremover", " for tiden", ", sånn omtrent", ", tror du", " her hos dere",
            " sett fra din side", " nå for tiden", " i hverdagen"]),
    "en": (["I was wondering, ", "Quick one: ", "Out of curiosity, ", "On a different note, ",
            "If I may ask, ", "Something I've been curious about: ", "Can I ask, ",
            "Switching topics, "],
           ["And ", "Following up on that, ", "So ", "Just to follow up – ", "Building on that, ",
            "To dig a bit deeper: ", "On that point, ", "Related to that, "],
           [" in practice", " these days", ", roughly", " if you can share that", " right now",
            " going forward", " day to day", ", would you say", " at the moment",
            " from your side", " here", " honestly"]),
}
_NOTES = {
    "nb": (["Lite oppfølging, mest praktiske spørsmål.", "Korte spørsmål, få om teamet.",
            "Virket usikker, spurte mest om lønn og arbeidstid."],
           ["Greie spørsmål, noe oppfølging.", "Bred dekning, men grunt enkelte steder.",
            "Rolig og saklig."],
           ["Svært godt forberedt, gode oppfølgingsspørsmål.",
            "Dekket team, leder og organisasjon. Lyttet godt.",
            "Gjorde det til en samtale; tydelig på hva som er viktig for henne/ham."]),
    "en": (["Few follow-ups, mostly practical questions.", "Short questions, little on the team.",
            "Seemed unsure, asked mainly about pay and hours."],
           ["Decent questions, some follow-up.", "Broad but shallow in places.",
            "Calm and to the point."],
           ["Very well prepared, sharp follow-ups.", "Covered team, manager and company.",
            "Made it a real conversation; clear about what matters to them."]),
}
_COMMENTS = {
    "nb": ["Fint å få stille spørsmål først.", "Uvant format, men nyttig.",
           "Hadde vært fint å vite tidsrammen på forhånd.", "Ryddig prosess.",
           "Jeg fikk et godt bilde av jobben.", "Savnet informasjon om lønn på forhånd."],
    "en": ["Loved flipping the interview.", "A bit unusual, but useful.",
           "More context up front would have helped.", "Well organised.",
           "I learned a lot about the role.", "The timeline slipped."],
}
_EPOCH = np.datetime64("2024-01-01")


def _corpus(path: Path) -> pd.DataFrame:
    """The corpus once per sector (its own questions plus the general ones), sorted by
    (language, label, sector), with each text split for variation."""
    c = pd.read_csv(path, dtype=str)
    if "group" not in c:  # the multi-author corpus has no sectors: every question is general
        c["group"] = "general"
    c = c[["text", "label", "lang", "group"]]
    c = c[c["label"].isin(FITS) & c["lang"].isin(("nb", "en"))]
    c = pd.concat([c[c["group"].isin((sector, "general"))].assign(sector=i)
                   for i, sector in enumerate(_SECTORS)], ignore_index=True)
    text = c["text"].str.strip()
    c["asks"] = text.str.endswith("?")
    c["body"] = text.str.rstrip("?").str.rstrip()
    first = c["body"].str.split(n=1).str[0].fillna("")
    # "I", "I'm" and acronyms stay as they are after a lead-in; other words go lower case
    keep = first.str.match(r"^I\b|^[A-ZÆØÅ]{2,}")
    c["low"] = np.where(keep, c["body"], c["body"].str[:1].str.lower() + c["body"].str[1:])
    c["key"] = _key((c["lang"] == "en").to_numpy(), c["label"].map(
        {f: i for i, f in enumerate(FITS)}).to_numpy(), c["sector"].to_numpy())
    return c.sort_values(["key", "text"]).reset_index(drop=True)


def _key(english: np.ndarray, fit: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """One integer per (language, fit, sector) pool of the corpus."""
    return (english.astype(int) * len(FITS) + fit) * len(_SECTORS) + sector


def _typo(text: str, at: float) -> str:
    """Swap two neighbouring letters, as a hurried typist does."""
    i = int(at * (len(text) - 3)) + 1
    if not (text[i].isalpha() and text[i + 1].isalpha()):
        return text
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _pick(options: list[str], rng: np.random.Generator, n: int, p_any: float) -> np.ndarray:
    """An object array of ``n`` picks: '' with probability 1 - p_any, else a random option."""
    arr = np.array([""] + options, dtype=object)
    return arr[rng.integers(1, len(arr), n) * (rng.random(n) < p_any)]


def _person(ids: np.ndarray) -> np.ndarray:
    """"First Last" for each id in ``range(len(_FIRST) * len(_LAST))``: distinct ids, distinct
    names."""
    return (np.array(_FIRST, dtype=object)[ids // len(_LAST)] + " "
            + np.array(_LAST, dtype=object)[ids % len(_LAST)])


def _sizes(total: int, rng: np.random.Generator) -> np.ndarray:
    """Finalists per recruitment (2 or 3) adding up to ``total``."""
    if total <= 3:
        return np.array([total])
    sizes = rng.choice([2, 3], size=total // 2 + 1, p=[0.45, 0.55])
    cut = int(np.searchsorted(np.cumsum(sizes), total))
    sizes = sizes[:cut + 1].copy()
    sizes[-1] -= sizes.sum() - total
    if sizes[-1] == 1:  # fold a lone finalist into the one before: 2+1 → 3, 3+1 → 2+2
        if sizes[-2] == 2:
            sizes = np.concatenate([sizes[:-2], [3]])
        else:
            sizes[-2:] = 2
    return sizes[sizes > 0]


def build_synthetic(sessions: int, seed: int = 0,
                    corpus_path: Path | None = None) -> dict[str, pd.DataFrame]:
    """The synthetic workbook as four frames keyed by schema key, columns named in English."""
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    rng = np.random.default_rng(seed)
    corpus = _corpus(corpus_path or config.CORPUS)

    # -- recruitments --------------------------------------------------------------------------
    sizes = _sizes(sessions, rng)
    n_rec = len(sizes)
    english = rng.random(n_rec) < ENGLISH_SHARE
    role_nb = rng.integers(0, len(_ROLES_NB), n_rec)
    role_en = rng.integers(0, len(_ROLES_EN), n_rec)
    roles = np.where(english, np.array([r for r, _ in _ROLES_EN], dtype=object)[role_en],
                     np.array([r for r, _ in _ROLES_NB], dtype=object)[role_nb])
    sector_name = np.where(english, np.array([x for _, x in _ROLES_EN], dtype=object)[role_en],
                           np.array([x for _, x in _ROLES_NB], dtype=object)[role_nb])
    sector = pd.Series(sector_name).map({x: i for i, x in enumerate(_SECTORS)}).to_numpy()
    pick = rng.random(n_rec)
    places = np.array([_PLACES_EN[x][int(p * len(_PLACES_EN[x]))] if en else
                       _PLACES_NB[int(p * len(_PLACES_NB))]
                       for x, p, en in zip(sector_name, pick, english)], dtype=object)
    day = rng.integers(0, 900, n_rec)
    rec_date = _EPOCH + day.astype("timedelta64[D]")
    rec_date = np.busday_offset(rec_date, 0, roll="forward")
    years = rec_date.astype("datetime64[Y]").astype(int) + 1970
    names = pd.Series(roles + np.where(english, ", ", " ") + places + " " + years.astype(str))
    dup = names.groupby(names).cumcount()
    names = np.where(dup > 0, names + " (" + (dup + 1).astype(str) + ")", names)
    # the observer is never the manager: two ratings by one name in one session are a duplicate
    # the import refuses (drawn independently they collided in about one recruitment in 1,400)
    people = len(_FIRST) * len(_LAST)
    manager_id = rng.integers(0, people, n_rec)
    observer_id = (manager_id + rng.integers(1, people, n_rec)) % people
    managers, observers = _person(manager_id), _person(observer_id)

    # -- sessions ------------------------------------------------------------------------------
    rec = np.repeat(np.arange(n_rec), sizes)
    first_of_rec = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(sessions) - first_of_rec[rec]
    declined = rng.random(sessions) < DECLINED_SHARE
    declined[0] = False  # at least one session is held, so every sheet has rows
    held = ~declined
    strength = rng.beta(2, 2, sessions)
    # about one recruitment in twenty has a finalist on another day (the process check flags it)
    other_day = (pos == sizes[rec] - 1) & (rng.random(sessions) < 0.05) & (pos > 0)
    date = np.busday_offset(rec_date[rec], np.where(other_day, rng.integers(1, 3, sessions), 0))
    second = rec_date[rec] + rng.integers(5, 10, n_rec)[rec].astype("timedelta64[D]")
    length = rng.integers(30, 41, sessions)
    odd = rng.random(sessions) < 0.08
    length = np.where(odd, rng.choice([26, 28, 29, 42, 44, 46], sessions), length)
    start_min = 8 * 60 + 30 + pos * 90 + rng.choice([0, 0, 15], sessions)
    end_min = start_min + length
    manager_minutes = rng.integers(20, 31, sessions).astype(float)
    sid = np.char.add(np.char.add("R", np.char.zfill((rec + 1).astype(str), 5)),
                      np.char.add("-", (pos + 1).astype(str)))
    candidates = (np.array(_FIRST, dtype=object)[rng.integers(0, len(_FIRST), sessions)] + " "
                  + np.array(_LAST, dtype=object)[rng.integers(0, len(_LAST), sessions)])
    times = [dt.time(m // 60, m % 60) for m in range(24 * 60)]
    sessions_df = pd.DataFrame({
        "session_id": sid.astype(object),
        "recruitment": names[rec],
        "candidate": candidates,
        "date": date,
        "start": [times[m] if h else None for m, h in zip(start_min, held)],
        "end": [times[m] if h else None for m, h in zip(end_min, held)],
        "manager_minutes": np.where(held, manager_minutes, np.nan),
        "status": np.where(held, "gjennomført", "takket nei").astype(object),
        "second_interview": second,
        "manager": managers[rec],
    })

    # -- questions -----------------------------------------------------------------------------
    held_idx = np.flatnonzero(held)
    s = strength[held_idx]
    counts = np.clip(np.round(18 + 14 * s + rng.normal(0, 4, len(s))), 10, 42).astype(int)
    q_sess = np.repeat(held_idx, counts)
    n_q = len(q_sess)
    q_start = np.repeat(np.cumsum(counts) - counts, counts)
    idx = np.arange(n_q)
    seq = idx - q_start + 1
    follow = (rng.random(n_q) < (0.06 + 0.32 * strength[q_sess])) & (seq > 1)
    depth = idx - np.maximum.accumulate(np.where(follow, 0, idx))
    follow &= depth <= 3  # chains go at most three deep
    root = np.maximum.accumulate(np.where(follow, 0, idx))
    depth = idx - root
    # most follow-ups answer the one before; some go back to the topic's first question
    to_root = (depth >= 2) & (rng.random(n_q) < 0.25)
    parent = np.where(to_root, seq[root], seq - 1)
    follow_up_to = np.where(follow, parent, np.nan)

    mix = _FIT_MIX[0] + np.outer(strength[q_sess], _FIT_MIX[1] - _FIT_MIX[0])
    fit = (rng.random(n_q)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, len(FITS) - 1)
    fit = fit[root]  # a follow-up stays on its topic's fit
    q_en = english[rec[q_sess]]
    key = _key(q_en, fit, sector[rec[q_sess]])
    n_keys = 2 * len(FITS) * len(_SECTORS)
    key_counts = np.bincount(corpus["key"], minlength=n_keys)
    key_start = np.cumsum(key_counts) - key_counts
    # no question twice in one session: the r-th draw of a session from a pool takes the pool's
    # entry (base + r * prime) mod size, which visits every entry once before repeating
    rank = pd.DataFrame({"s": q_sess, "k": key}).groupby(["s", "k"]).cumcount().to_numpy()
    base = rng.integers(0, 1 << 30, n_q)[q_start]  # one base per session
    row = key_start[key] + (base + key * 7 + rank * 1_000_003) % np.maximum(key_counts[key], 1)

    body = corpus["body"].to_numpy(dtype=object)[row]
    low = corpus["low"].to_numpy(dtype=object)[row]
    asks = corpus["asks"].to_numpy()[row]
    lead = np.empty(n_q, dtype=object)
    tail = np.empty(n_q, dtype=object)
    for code, en in (("nb", False), ("en", True)):
        m = q_en == en
        k = int(m.sum())
        new_lead, fu_lead, tails = _LEADS[code]
        lead[m] = np.where(follow[m], _pick(fu_lead, rng, k, 0.5), _pick(new_lead, rng, k, 0.3))
        tail[m] = _pick(tails, rng, k, 0.3)
    # some tails name the role or the town, as candidates do ("... som driftssjef?")
    kind = rng.random(n_q)
    role_low = np.array([r if r[:2].isupper() else r[:1].lower() + r[1:] for r in roles],
                        dtype=object)
    town = np.array([p.split()[0] for p in places], dtype=object)
    r_of_q = rec[q_sess]
    as_role = np.where(q_en, " in the " + roles[r_of_q] + " role", " som " + role_low[r_of_q])
    in_town = np.where(q_en, " here in " + town[r_of_q], " her i " + town[r_of_q])
    tail = np.where(kind < 0.08, as_role, np.where(kind < 0.14, in_town, tail))
    end = np.where(asks & (rng.random(n_q) > 0.08), "?", "").astype(object)
    text = lead + np.where(lead != "", low, body) + tail + end
    typo = np.flatnonzero(rng.random(n_q) < 0.03)
    text[typo] = [_typo(t, a) for t, a in zip(text[typo], rng.random(len(typo)))]

    gaps = np.where(follow, 1.0, 2.2) * rng.uniform(0.7, 1.3, n_q)
    cum = np.cumsum(gaps)
    before = np.repeat(np.concatenate([[0.0], cum[np.cumsum(counts)[:-1] - 1]]), counts)
    span = np.repeat(np.add.reduceat(gaps, np.cumsum(counts) - counts), counts)
    minute = np.round(0.5 + (cum - before) / span * (length[q_sess] - 3)).astype(int)

    fit_codes = np.array(FITS, dtype=object)[fit]
    fit_nb = pd.Series(fit_codes).map(_NB_FIT).to_numpy(dtype=object)
    labelled = rng.random(n_q) < LABELLED_SHARE
    questions_df = pd.DataFrame({
        "session_id": sid[q_sess].astype(object),
        "seq": seq,
        "minute": minute,
        "question": text,
        "follow_up_to": pd.array(follow_up_to, dtype="Int64") if n_q else follow_up_to,
        "fit": np.where(labelled, fit_nb, None),
    })

    # -- ratings: the manager and an observer per held session -------------------------------
    n_r = 2 * len(held_idx)
    r_sess = np.repeat(held_idx, 2)
    is_mgr = np.tile([True, False], len(held_idx))
    base = 1.8 + 2.8 * strength[r_sess]
    scores = np.clip(np.round(base[:, None] + rng.normal(0, 0.7, (n_r, len(SCORES)))), 1, 5)
    # the manager writes up the same afternoon; the observer that evening or the next morning
    next_day = ~is_mgr & (rng.random(n_r) < 0.5)
    r_day = date[r_sess] + next_day.astype("timedelta64[D]")
    r_minutes = np.where(next_day, 8 * 60, np.where(is_mgr, 15 * 60, 16 * 60)) + rng.integers(
        0, 120, n_r)
    late = rng.random(n_r) < 0.03  # handed in after the second interview
    r_day = np.where(late, second[r_sess] + np.timedelta64(1, "D"), r_day)
    submitted = r_day.astype("datetime64[m]") + r_minutes.astype("timedelta64[m]")
    band = np.clip(((base - 1.8) / 2.8 * 3).astype(int), 0, 2)
    r_en = english[rec[r_sess]]
    note = np.empty(n_r, dtype=object)
    for code, en in (("nb", False), ("en", True)):
        m = r_en == en
        choices = [np.array(x, dtype=object) for x in _NOTES[code]]
        pick = rng.integers(0, 3, int(m.sum()))
        note[m] = [choices[b][p] for b, p in zip(band[m], pick)]
    ratings_df = pd.DataFrame({
        "session_id": sid[r_sess].astype(object),
        "rater": np.where(is_mgr, managers[rec[r_sess]], observers[rec[r_sess]]),
        "role": np.where(is_mgr, "leder", "observatør").astype(object),
        "submitted": submitted.astype("datetime64[s]"),
        **{name: scores[:, i].astype(int) for i, name in enumerate(SCORES)},
        "note": note,
    })

    # -- feedback: 2–4 answers per recruitment, some anonymous --------------------------------
    per_rec = rng.integers(2, 5, n_rec)
    f_rec = np.repeat(np.arange(n_rec), per_rec)
    n_f = len(f_rec)
    f_sess = first_of_rec[f_rec] + (rng.random(n_f) * sizes[f_rec]).astype(int)
    named = (rng.random(n_f) < 0.6) & held[f_sess]
    f_base = 2.5 + 2.0 * rng.random(n_f)
    f_scores = np.clip(np.round(f_base[:, None] + rng.normal(0, 0.6, (n_f, 3))), 1, 5).astype(int)
    recommend = np.clip(np.round(f_base * 2 + rng.normal(0, 1, n_f)), 0, 10).astype(int)
    comment = np.empty(n_f, dtype=object)
    for code, en in (("nb", False), ("en", True)):
        m = english[f_rec] == en
        comment[m] = _pick(_COMMENTS[code], rng, int(m.sum()), 0.5)
    feedback_df = pd.DataFrame({
        "recruitment": names[f_rec],
        "session_id": np.where(named, sid[f_sess].astype(object), None),
        "submitted": date[f_sess] + rng.integers(1, 8, n_f).astype("timedelta64[D]"),
        "experience": f_scores[:, 0], "learned": f_scores[:, 1], "fairness": f_scores[:, 2],
        "recommend": recommend,
        "comment": np.where(comment == "", None, comment),
    })
    return {"sessions": sessions_df, "questions": questions_df, "ratings": ratings_df,
            "feedback": feedback_df}


_FORMATS = {"date": "DD.MM.YYYY", "datetime": "DD.MM.YYYY HH:MM", "time": "HH:MM"}


def _write_sheet(wb, schema, frame: pd.DataFrame) -> None:
    """Stream one frame into a write-only sheet with Norwegian headers and date formats."""
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet(schema.nb)
    ws.append([c.nb for c in schema.columns])
    cols = []
    for c in schema.columns:
        series = frame[c.name]
        if c.kind in ("date", "datetime"):
            values = pd.to_datetime(series).dt.to_pydatetime().tolist()
            if c.kind == "date":
                values = [v.date() if v is not None and not pd.isna(v) else None for v in values]
        else:
            values = series.astype(object).where(series.notna(), None).tolist()
        cols.append(values)
    styled = [i for i, c in enumerate(schema.columns) if c.kind in _FORMATS]
    if not styled:
        for row in zip(*cols):
            ws.append(row)
        return
    # one template cell per styled column; openpyxl copies the style reference, not the object
    for row in zip(*cols):
        out = list(row)
        for i in styled:
            if out[i] is not None:
                cell = WriteOnlyCell(ws, value=out[i])
                cell.number_format = _FORMATS[schema.columns[i].kind]
                out[i] = cell
        ws.append(out)


def write_synthetic(path: str | Path, sessions: int, seed: int = 0) -> dict[str, int]:
    """Write a synthetic workbook of ``sessions`` sessions to ``path``; return what it holds.

    Returns
    -------
    dict
        Counts: recruitments, sessions, held, declined, questions, ratings, feedback.
    """
    from openpyxl import Workbook

    frames = build_synthetic(sessions, seed)
    wb = Workbook(write_only=True)
    for schema in (SESSIONS, QUESTIONS, RATINGS, FEEDBACK):
        _write_sheet(wb, schema, frames[schema.key])
    wb.save(str(path))
    s = frames["sessions"]
    held = int((s["status"] == "gjennomført").sum())
    return {"recruitments": int(s["recruitment"].nunique()), "sessions": len(s), "held": held,
            "declined": len(s) - held, "questions": len(frames["questions"]),
            "ratings": len(frames["ratings"]), "feedback": len(frames["feedback"])}


def _positive(value: str) -> int:
    import argparse

    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def main(argv: list[str] | None = None) -> int:
    """``python bench/synth.py --sessions N -o book.xlsx [--seed S]``: write a synthetic workbook
    and print what it holds."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="write a synthetic session-log workbook")
    parser.add_argument("--sessions", type=_positive, required=True, help="number of sessions")
    parser.add_argument("-o", "--out", required=True, help="the .xlsx file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same book)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    counts = write_synthetic(args.out, args.sessions, args.seed)
    print(f"Wrote {args.out} in {time.perf_counter() - began:.1f} s:")
    for key, value in counts.items():
        print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())

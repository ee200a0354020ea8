"""The second-interview guide: what the hiring team takes into the second interview with a finalist.

`build_guide` collects the content (questions grouped by fit with their follow-up chains, the fits
not asked about, suggested prompts, the raters' scores once revealed, the finalist's figures next
to the others', the process check); `analysis.reports.guide_files` writes it as PDF, Word or
Excel; `export_guide` does both, checked and audited. The guide shows what the candidate asked
and never grades a question as right or wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import InputError, NotFound
from analysis.figures.compare import compare_finalists
from analysis.figures.process import CheckLine, recruitment_check
from analysis.figures.threads import follow_up_counts, reading_order, with_depth
from analysis.format import (
    MISSING,
    date_text,
    datetime_text,
    fit_name,
    now_text,
    number_text,
    percent_text,
)
from analysis.i18n import t
from analysis.reports.guide_files import FORMATS, MIME, guide_bytes, guide_file_name
from analysis.store.audit import record_export
from analysis.store.ratings import (
    handed_in,
    session_states,
    side_by_side,
    visible_ratings,
)
from analysis.workbook.schema import FITS, FOUR_FITS, SCORES

if TYPE_CHECKING:
    from analysis.store.core import Store

__all__ = ["Guide", "GuideQuestion", "GuideGroup", "build_guide", "record_guide_export",
           "export_guide"]

#: Figures of the comparison, with how each is shown.
_FIGURES = (("questions", "int"), ("fits_covered", "int"), ("follow_up_share", "pct"),
            ("max_depth", "int"), ("balance", "dec"), ("minutes", "int"))


@dataclass(frozen=True)
class GuideQuestion:
    """One question in the guide; ``depth`` 0 is a question of its own, 1+ a follow-up."""

    seq: int
    text: str
    depth: int
    fit: str | None
    fit_name: str


@dataclass(frozen=True)
class GuideGroup:
    """The threads whose first question has this fit (None: not labelled yet)."""

    fit: str | None
    fit_name: str
    questions: list[GuideQuestion]


@dataclass
class Guide:
    """The content of one finalist's second-interview guide, in one language.

    ``ratings`` is criteria × raters with the ``spread`` (empty while the ratings are closed);
    ``figures`` is figures × finalists (this finalist first).
    """

    lang: str
    session_id: str
    candidate: str
    recruitment: str
    date: str
    status: str
    groups: list[GuideGroup]
    missing_fits: list[str]
    prompts: list[str]
    ratings_open: bool
    ratings_status: str
    ratings: pd.DataFrame
    notes: list[tuple[str, str]]
    handed_in: list[str]
    figures: pd.DataFrame
    process: list[CheckLine] = field(default_factory=list)
    generated: str = ""

    @property
    def title(self) -> str:
        return t("guide.title", self.lang, candidate=self.candidate)

    @property
    def question_count(self) -> int:
        return sum(len(g.questions) for g in self.groups)


# ------------------------------------------------------------------------------------------------
# Content


def _groups(questions: pd.DataFrame, lang: str) -> list[GuideGroup]:
    if questions.empty:
        return []
    q = with_depth(questions.sort_values("seq").reset_index(drop=True))
    order = reading_order(q)
    # a thread stays together under the fit of its first question
    root_fit = {int(r.seq): (r.fit if pd.notna(r.fit) else None)
                for r in q.itertuples() if int(r.depth) == 0}
    by_fit: dict[str | None, list[GuideQuestion]] = {}
    for i in order:
        row = q.iloc[i]
        fit = row["fit"] if pd.notna(row["fit"]) else None
        group = root_fit.get(int(row["thread"]), fit)
        by_fit.setdefault(group, []).append(GuideQuestion(
            int(row["seq"]), str(row["question"]), int(row["depth"]), fit, fit_name(fit, lang)))
    ordered = [f for f in FITS if f in by_fit] + ([None] if None in by_fit else [])
    return [GuideGroup(f, fit_name(f, lang), by_fit[f]) for f in ordered]


def _prompts(questions: pd.DataFrame, missing: list[str], lang: str) -> list[str]:
    """Open questions for the second interview: how it felt, why each fit, what was not asked."""
    prompts = [t("guide.prompt.experience", lang)]
    if questions.empty:
        return prompts + [t("guide.prompt.no_questions", lang)]
    # how many follow-ups hang under each question (its whole sub-thread), by seq
    size = dict(zip(questions["seq"].astype(int), follow_up_counts(questions).tolist()))
    for fit in FOUR_FITS:
        mine = questions[(questions["fit"] == fit).to_numpy()]
        if mine.empty:
            continue
        # the example: the question they pursued furthest, preferably one of their own
        best = max(mine.itertuples(), key=lambda r: (size.get(int(r.seq), 0),
                                                      pd.isna(r.follow_up_to), -int(r.seq)))
        prompts.append(t("guide.prompt.asked", lang, topic=t(f"guide.topic.{fit}", lang),
                         example=str(best.question)))
    deepest = max(size.items(), key=lambda kv: (kv[1], -kv[0]))
    if deepest[1] >= 2:
        text = questions.loc[questions["seq"] == deepest[0], "question"].iloc[0]
        prompts.append(t("guide.prompt.thread", lang, question=str(text), n=deepest[1]))
    for fit in missing:
        prompts.append(t("guide.prompt.not_asked", lang, topic=t(f"guide.topic.{fit}", lang)))
    prompts.append(t("guide.prompt.why_these", lang))
    return prompts


def _figure_text(value: object, kind: str, lang: str) -> str:
    if kind == "pct":
        return percent_text(value, lang)
    return number_text(value, lang, 0 if kind == "int" else 2)


def _figures(recruitment: str, session_id: str, sessions: pd.DataFrame, questions: pd.DataFrame,
             open_ratings: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    comparison = compare_finalists(recruitment, sessions, questions, open_ratings)
    table = comparison.figures
    if table.empty:
        return pd.DataFrame()
    ordered = pd.concat([table[table["session_id"] == session_id],
                         table[table["session_id"] != session_id]])
    rows = {}
    for key, kind in _FIGURES:
        rows[t(f"guide.figure.{key}", lang)] = [_figure_text(v, kind, lang)
                                               for v in ordered[key]]
    if comparison.has_scores:
        rows[t("guide.figure.score_mean", lang)] = [
            _figure_text(v, "dec", lang)
            for v in ordered[[f"score_{s}" for s in SCORES]].mean(axis=1)]
    columns = [names.get(sid, sid) for sid in ordered["session_id"]]
    frame = pd.DataFrame(rows, index=columns).T
    frame.index.name = t("guide.figure.heading", lang)
    return frame


def build_guide(store: "Store", session_id: str, lang: str = "nb",
                pseudonyms: bool = False) -> Guide:
    """Collect one finalist's second-interview guide.

    Parameters
    ----------
    store : Store
        Read as its actor: the raters' scores and notes appear only when that actor may see them
        (once the session's ratings are all in or revealed).
    session_id : str
        The session's workbook id.
    lang : {"nb", "en"}
    pseudonyms : bool
        Show finalists as "Finalist A/B/C" (always so for a role that may not read names).

    Raises
    ------
    NotFound
        For an unknown session.
    PermissionDenied
        When the actor may not read questions.
    """
    if lang not in ("nb", "en"):
        raise InputError(f"unknown language {lang!r}; expected nb or en")
    sessions = store.sessions()
    row = sessions[(sessions["session_id"] == session_id).to_numpy()]
    if row.empty:
        raise NotFound(f"session {session_id}")
    row = row.iloc[0]
    recruitment = str(row["recruitment"])
    same = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    if pseudonyms or not store.actor.can("read_names"):
        from analysis.store.privacy import pseudonym_map

        names = pseudonym_map(same, lang)
    else:
        names = {k: str(c) for k, c in zip(same["session_id"], same["candidate"])}
    questions = store.questions()
    mine = questions[(questions["session_id"] == session_id).to_numpy()]

    covered = set(mine["fit"].dropna())
    missing = [f for f in FOUR_FITS if f not in covered] if row["status"] == "held" else []

    state = session_states(store, session_id).iloc[0]
    visible = visible_ratings(store)
    open_keys = set(session_states(store).query("open")["session_id"])
    open_ratings = visible[visible["session_id"].isin(open_keys).to_numpy()]
    if state["open"]:
        table = side_by_side(visible, session_id)
        roles = dict(zip(visible["rater"], visible["role"]))
        table.columns = [c if c == "spread" else
                         f"{c} ({t(f'role.{roles[c]}', lang)})" if roles.get(c) in (
                             "manager", "observer") else c for c in table.columns]
        table = table.rename(columns={"spread": t("guide.spread", lang)})
        table.index = [t(f"ratings.score.{s}", lang) for s in table.index]
        table.index.name = t("guide.criterion", lang)
        notes = [(str(r.rater), str(r.note)) for r in visible[
            (visible["session_id"] == session_id).to_numpy()].itertuples()
            if isinstance(r.note, str) and r.note.strip()]
        status = t("guide.ratings_open" if state["complete"] else "guide.ratings_revealed", lang,
                   n=int(state["handed_in"]), required=int(state["required_raters"]))
    else:
        table, notes = pd.DataFrame(), []
        status = t("guide.ratings_closed", lang, n=int(state["handed_in"]),
                   required=int(state["required_raters"]))
    who = handed_in(store, session_id)
    handed = [t("guide.handed_in_line", lang, rater=r.rater,
                role=t(f"role.{r.role}", lang) if r.role in ("manager", "observer") else MISSING,
                when=datetime_text(r.submitted)) for r in who.itertuples()]

    return Guide(
        lang=lang, session_id=session_id, candidate=names.get(session_id, session_id),
        recruitment=recruitment, date=date_text(row["date"]),
        status=t(f"status.{row['status']}", lang) if row["status"] in ("held", "declined")
        else str(row["status"]),
        groups=_groups(mine, lang),
        missing_fits=missing,
        prompts=_prompts(mine, missing, lang) if row["status"] == "held" else [
            t("guide.prompt.declined", lang)],
        ratings_open=bool(state["open"]), ratings_status=status, ratings=table, notes=notes,
        handed_in=handed,
        figures=_figures(recruitment, session_id, same, questions, open_ratings, names, lang),
        process=recruitment_check(store, recruitment),
        generated=now_text(),
    )


def record_guide_export(store: "Store", session_id: str, fmt: str, lang: str = "nb",
                        pseudonyms: bool = False) -> None:
    """Check that the actor may take the guide out of the app, and log that they did.

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    InputError
        For a format not in `FORMATS` or an unknown language.
    NotFound
        For an unknown session.
    """
    from analysis.i18n import LANGUAGES

    store.actor.require("export")
    if fmt not in FORMATS or lang not in LANGUAGES:
        raise InputError(f"unknown format {fmt!r} or language {lang!r}")
    session_states(store, session_id)  # raises NotFound for an unknown session
    record_export(store, "guide", session_id, format=fmt, lang=lang, pseudonyms=bool(pseudonyms))


def export_guide(store: "Store", session_id: str, fmt: str, lang: str = "nb",
                 pseudonyms: bool = False) -> tuple[bytes, str, str]:
    """The guide as a file: ``(data, file name, MIME type)``; recorded in the audit log because
    it takes personal data out of the app.

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    InputError
        For a format not in `FORMATS`.
    NotFound
        For an unknown session.
    """
    store.actor.require("export")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    data = guide_bytes(build_guide(store, session_id, lang, pseudonyms), fmt)
    record_guide_export(store, session_id, fmt, lang, pseudonyms)
    return data, guide_file_name(session_id, fmt, lang), MIME[fmt]

"""Cached reads: the store per acting user, its frames filtered by the sidebar, figures keyed on
the store's version, and the fit model."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st

from analysis import OmvendtError, PermissionDenied, config
from ui.auth import SHARED, _store, cache_key, reader_role, shared_key
from ui.language import lang, tr

#: How long an unused cached read or figure is kept (seconds). Entries are also bounded in
#: number, and every key holds the store's version, so a write anywhere (this replica or
#: another on the same database) makes new keys and old entries age out.
TTL = 1800


#: The caches `page_cache` made: the function's code -> (its st.cache_resource, and per thread
#: the function of the page run that calls it).
_PAGE_CACHES: dict[tuple, tuple[Any, threading.local]] = {}
_PAGE_CACHES_LOCK = threading.Lock()


def page_cache(*, max_entries: int, ttl: float = TTL) -> Callable[[Callable], Callable]:
    """`st.cache_resource` (shared, read-only results; bounded) for a function defined in a page
    script, set up once per process.

    A page script runs anew on every view, and so does a decorator in it: st.cache_resource
    then reads and tokenises the function's source to name its cache, 0.3-0.5 ms per cached
    function per view (docs/SCALING.md). Here that happens once per function (per version of
    its code); a miss runs the function of the calling view, so it sees that run's page.
    Arguments named with a leading underscore are not hashed, as with st.cache_resource.

    Examples
    --------
    >>> @page_cache(max_entries=16)  # doctest: +SKIP
    ... def _table(key: tuple, filters: tuple, lang: str, _frame: pd.DataFrame): ...
    """
    def decorate(func: Callable) -> Callable:
        ident = (func.__module__, func.__qualname__, func.__code__, max_entries, ttl)
        with _PAGE_CACHES_LOCK:
            if ident not in _PAGE_CACHES:
                current = threading.local()

                def run_current(*args: Any, **kwargs: Any) -> Any:
                    return current.func(*args, **kwargs)

                # named, keyed and its arguments read as ``func`` (__wrapped__)
                functools.update_wrapper(run_current, func)
                _PAGE_CACHES[ident] = (st.cache_resource(
                    max_entries=max_entries, ttl=ttl, show_spinner=False)(run_current), current)
        cached, current = _PAGE_CACHES[ident]

        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            current.func = func  # a miss computes with this view's function
            return cached(*args, **kwargs)

        call.clear = cached.clear  # type: ignore[attr-defined]
        return call

    return decorate


@dataclass(frozen=True)
class Data:
    """The frames a page works on, already filtered by the sidebar."""

    sessions: pd.DataFrame
    questions: pd.DataFrame
    ratings: pd.DataFrame | None
    feedback: pd.DataFrame
    #: Who handed in a rating (never the scores): what "missing ratings" counts.
    handed_in: pd.DataFrame


# The store's frames are cached as shared, read-only resources rather than with st.cache_data:
# a copy of 50,000 questions costs ~0.1 s to unpickle and a page reads them several times per
# run. pandas' copy-on-write keeps derived frames from touching them; code never assigns into a
# frame it got from here. They are read once for everyone who reads the same (`_reader`: all
# four roles today); the ratings are filtered once per person (`cache_key`).
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def _read(url: str, name: str, role: str, version: int) -> dict[str, pd.DataFrame | None]:
    from analysis import handed_in

    s = _store(url, name, role)
    return {"sessions": s.sessions(), "questions": s.questions(), "feedback": s.feedback(),
            "recruitments": s.recruitments(), "handed_in": handed_in(s)}


# every rating, read once per version for everyone who reads the same: never shown as it is,
# only filtered per person by `visible_ratings` (`_ratings`), so 25 people do not each query them
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def _ratings_read(url: str, name: str, role: str, version: int):
    from analysis import ratings_snapshot

    return ratings_snapshot(_store(url, name, role))


@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def _ratings(url: str, name: str, role: str, version: int) -> pd.DataFrame | None:
    from analysis import visible_ratings

    try:
        # a closed session's scores stay hidden until every rater has handed in
        return visible_ratings(_store(url, name, role),
                               snapshot=_ratings_read(*_reader((url, name, role, version))))
    except PermissionDenied:
        return None


def _all(key: tuple) -> dict[str, pd.DataFrame | None]:
    """The frames for ``key``: with a person's `cache_key` the ratings they may see, with a
    `shared_key` none."""
    shared = _read(*_reader(key))
    ratings = None if key[1] == SHARED else _ratings(*key)
    return {**shared, "ratings": ratings}


def _reader(key: tuple) -> tuple:
    """The key of the shared frames for ``key``'s role (`ui.auth.reader_role`): no person in it."""
    url, _, role, version = key
    return (url, SHARED, reader_role(role), version)


def _filters_tuple(filters: Any) -> tuple:
    return (filters.recruitments, filters.date_from, filters.date_to, filters.candidates)


@st.cache_resource(max_entries=16, ttl=TTL, show_spinner=False)
def _filtered(url: str, name: str, role: str, version: int, filters: tuple) -> Data:
    """The shared frames (``name`` is `SHARED`) filtered, without ratings."""
    from analysis import figures

    raw = _read(url, name, role, version)
    f = figures.Filters(*filters)
    sessions = figures.filter_sessions(raw["sessions"], f)
    questions = figures.filter_by_sessions(raw["questions"], sessions)
    feedback = figures.filter_feedback(raw["feedback"], raw["sessions"], f)
    return Data(sessions, questions, None, feedback,
                figures.filter_by_sessions(raw["handed_in"], sessions))


# one small entry per person and filters (their ratings; the frames are the shared ones), so
# more of them than of the shared frames: 25 people must not push each other out
@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def _own_filtered(url: str, name: str, role: str, version: int, filters: tuple) -> Data:
    """`_filtered` with the ratings this person may see."""
    from analysis import figures

    key = (url, name, role, version)
    shared = _filtered(*_reader(key), filters)
    ratings = _ratings(*key)
    if ratings is not None:
        ratings = figures.filter_by_sessions(ratings, shared.sessions)
    return dataclasses.replace(shared, ratings=ratings)


def _data(key: tuple, filters: tuple) -> Data:
    if key[1] == SHARED:
        return _filtered(*_reader(key), filters)
    return _own_filtered(*key, filters)


def all_data() -> dict[str, pd.DataFrame | None]:
    """Every frame of the store, unfiltered (for filter options and pseudonyms)."""
    return _once_per_run("all_data", cache_key(), _all)


def _once_per_run(name: str, key: tuple, read: Any) -> Any:
    """``read(key)``, looked up once per script run: a page asks for its frames several times,
    and each st.cache_resource lookup hashes its arguments again (the key holds the store's
    version, so a write in the run makes a new key)."""
    from ui.auth import run_memo

    memo = run_memo()
    if memo is None:
        return read(key)
    if (name, key) not in memo:
        memo[(name, key)] = read(key)
    return memo[(name, key)]


def data() -> Data:
    """The store's frames, filtered by the sidebar; recomputed only when the store changed."""
    return _once_per_run("data", (cache_key(), filter_key()), lambda key: _data(*key))


# Figures are shared, read-only resources too: st.cache_data would unpickle a private copy for
# every page view of every session (the Questions list alone is 46k rows). Pages derive new
# frames (`assign`, copy-on-write) and never assign into one they got from here.
@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def _metric(name: str, key: tuple, filters: tuple, frames: tuple[str, ...], before: tuple,
            kwargs: tuple) -> Any:
    import analysis
    from analysis import figures

    d = _data(key, filters)
    # a figure of analysis.figures, or another public function of analysis (e.g. review_queue)
    func = getattr(figures, name, None) or getattr(analysis, name)
    return func(*before, *(getattr(d, f) for f in frames), **dict(kwargs))


def metric(name: str, *frames: str, before: tuple = (), **kwargs: Any) -> Any:
    """``analysis.figures.<name>(*before, *frames, **kwargs)`` (or ``analysis.<name>``) over the
    filtered data, cached on the store's version and the filters; the result is shared by every
    session and never changed.

    Examples
    --------
    >>> metric("session_figures", "sessions", "questions", "ratings")  # doctest: +SKIP
    """
    # a figure without ratings is drawn once for everyone of the role (`shared_key`)
    return _metric(name, cache_key() if "ratings" in frames else shared_key(), filter_key(),
                   frames, before, tuple(sorted(kwargs.items())))


@st.cache_resource(max_entries=16, ttl=TTL, show_spinner=False)
def _choices(url: str, name: str, role: str, version: int, picked: tuple | None) -> Any:
    sessions = _read(*_reader((url, name, role, version)))["sessions"]
    if picked is None:  # the recruitments and the date range
        dates = pd.to_datetime(sessions["date"])
        return (sorted(sessions["recruitment"].dropna().unique().tolist()),
                (dates.min().date(), dates.max().date()) if len(sessions) else None)
    pool = sessions[sessions["recruitment"].isin(picked)] if picked else sessions
    return sorted(pool["candidate"].dropna().unique().tolist())


def filter_choices() -> tuple[list[str], tuple | None]:
    """The sidebar's recruitments and (first, last) date, once per store version."""
    return _choices(*shared_key(), None)


def candidate_choices(picked: tuple) -> list[str]:
    """The sidebar's candidates in the ``picked`` recruitments (all when none)."""
    return _choices(*shared_key(), tuple(sorted(picked)))


@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def _retention_due(url: str, name: str, role: str, version: int, today: dt.date) -> int:
    from analysis import retention_due

    return len(retention_due(_store(url, name, role), today=today))


def retention_due_count() -> int:
    """How many sessions are past retention, once per store version and day."""
    return _retention_due(*shared_key(), dt.date.today())


def warm() -> None:
    """Read the store's frames and ratings into the shared caches before anyone asks.

    `ui.launch` calls it once the server listens: the first views after a start (25 people
    reconnecting after a restart, say) then find them read instead of waiting on the read
    (0.5-0.7 CPU-s on a 2,000-session store). Figures are drawn by the first view that needs
    them."""
    from analysis import LOCAL, Filters, Store

    url = config.database_url()
    key = _reader((url, SHARED, LOCAL.role, Store(url, LOCAL).version()))
    _read(*key)
    _ratings_read(*key)
    _filtered(*key, _filters_tuple(Filters()))


def filter_key() -> tuple:
    """The sidebar's filters as a hashable tuple: with `cache_key`, the key of page caches."""
    return _filters_tuple(filters())


def clear_caches() -> None:
    """Forget cached reads, the pages' cached figures and the finished tables (after a write
    the version changes anyway; this frees memory, and an erasure's personal data with it)."""
    from ui.render import _numbers_table

    _read.clear()
    _ratings_read.clear()
    _ratings.clear()
    _filtered.clear()
    _own_filtered.clear()
    _metric.clear()
    _choices.clear()
    _retention_due.clear()
    _numbers_table.clear()
    with _PAGE_CACHES_LOCK:
        caches = [cached for cached, _ in _PAGE_CACHES.values()]
    for cached in caches:
        cached.clear()


@st.cache_resource(show_spinner=False, max_entries=2)
def _model(path: str, mtime: float):
    # the file at ``path`` as saved at ``mtime`` (a `train` in another process writes a new
    # file, hence a new key); only a missing or unusable file falls back to training one
    from analysis import ModelFileError, default_model, load_model

    try:
        return load_model(path)
    except ModelFileError:
        return default_model()


def model():
    """The fit model, loaded once per saved file (a retrain writes a new file, hence a new key)."""
    path = config.model_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _model(str(path), mtime)


def labeller_or_none():
    """The fit model for labelling an import, or None (with a warning) when it cannot load."""
    try:
        return model()
    except (ImportError, OmvendtError, FileNotFoundError) as exc:
        st.warning(tr("ui.common.no_model", detail=str(exc)))
        return None


def filters():
    """The sidebar's filters as `analysis.figures.Filters`."""
    from analysis import Filters

    dates = tuple(st.session_state.get("filter_dates") or ())
    return Filters(
        recruitments=tuple(st.session_state.get("filter_recruitments") or ()),
        date_from=dates[0] if len(dates) >= 1 else None,
        date_to=dates[1] if len(dates) >= 2 else (dates[0] if dates else None),
        candidates=tuple(st.session_state.get("filter_candidates") or ()),
    )


def pseudonyms_on() -> bool:
    return bool(st.session_state.get("pseudonyms"))


def names(frame: pd.DataFrame, sessions: pd.DataFrame | None = None,
          column: str = "candidate") -> pd.DataFrame:
    """The one place where candidate names are shown or hidden: with pseudonyms on, ``column``
    becomes "Finalist A/B/C" (lettered per recruitment, stable across pages and exports)."""
    if not pseudonyms_on() or column not in frame:
        return frame
    from analysis import pseudonymise

    if sessions is None:
        sessions = all_data()["sessions"]
    return pseudonymise(frame, sessions, lang(), column)

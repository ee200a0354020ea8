"""Follow-up threads, walked once: a root question and the chain of follow-ups under it.

Every figure of depth, the comparison's question list and the second-interview guide read the
threads through the functions here. A question's ``follow_up_to`` names the ``seq`` of an earlier
question of the same session; the links are resolved once (`parents`) and every walk goes up
those links for all questions at once, one vectorised step per level, so the cost is the deepest
chain rather than a loop per question (the pages call this on 50,000 questions).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _links(questions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """seq, follow_up_to (-1 when none), whether there is one, and the parent's row position
    (-1 when there is none, or it is not among ``questions``, or the question follows itself)."""
    n = len(questions)
    seq = questions["seq"].to_numpy(dtype="int64")
    raw = pd.to_numeric(questions["follow_up_to"], errors="coerce").to_numpy(dtype="float64")
    has_parent = ~np.isnan(raw)
    follow_up_to = np.where(has_parent, raw, -1).astype("int64")
    codes, _ = pd.factorize(questions["session_id"])
    codes = codes.astype("int64")
    width = int(max(seq.max(initial=0), follow_up_to.max(initial=0))) + 1
    index = pd.Index(codes * width + seq)
    parent = np.where(has_parent, index.get_indexer(codes * width + follow_up_to), -1)
    # a question that follows itself would loop forever; treat it as a broken link
    parent = np.where(parent == np.arange(n), -1, parent)
    return seq, follow_up_to, has_parent, parent


def parents(questions: pd.DataFrame) -> np.ndarray:
    """Row position of each question's parent in ``questions``, -1 for a root (or a broken link)."""
    return _links(questions)[3]


def thread_arrays(questions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, root position (-1 when the chain ends at a missing question) and thread seq (the
    seq of the chain's first question, or the missing seq it points to).

    A follow-up of a missing question still counts as a follow-up (depth 1 or more).
    """
    n = len(questions)
    seq, follow_up_to, has_parent, parent = _links(questions)
    depth = np.zeros(n, dtype="int64")
    root = np.arange(n)
    thread = seq.copy()
    active = np.flatnonzero(has_parent)
    for _ in range(n):  # a cycle (which validation forbids) ends here at the latest
        if not len(active):
            break
        depth[active] += 1
        p = parent[root[active]]
        found = p >= 0
        lost = active[~found]
        thread[lost] = follow_up_to[root[lost]]
        root[lost] = -1
        moved = active[found]
        root[moved] = p[found]
        thread[moved] = seq[p[found]]
        active = moved[has_parent[p[found]]]
    return depth, root, thread


def with_depth(questions: pd.DataFrame) -> pd.DataFrame:
    """``questions`` with ``depth`` (0 without follow_up_to, else the parent's depth + 1) and
    ``thread`` (the seq of the thread's root question)."""
    if questions.empty:
        return questions.assign(depth=pd.Series(dtype="int64"),
                                thread=pd.Series(dtype="int64"))
    depth, _, thread = thread_arrays(questions)
    return questions.assign(depth=depth, thread=thread)


def follow_up_counts(questions: pd.DataFrame) -> np.ndarray:
    """How many follow-ups hang under each question: its whole sub-thread, at any depth.

    Examples
    --------
    >>> q = pd.DataFrame({"session_id": "a", "seq": [1, 2, 3, 4],
    ...                   "follow_up_to": [None, 1, 2, None]})
    >>> follow_up_counts(q).tolist()
    [2, 1, 0, 0]
    """
    parent = parents(questions)
    count = np.zeros(len(questions), dtype="int64")
    node = parent.copy()  # each question's ancestor at the current step
    active = np.flatnonzero(node >= 0)
    for _ in range(len(questions)):
        if not len(active):
            break
        np.add.at(count, node[active], 1)
        node[active] = parent[node[active]]
        active = active[node[active] >= 0]
    return count


def reading_order(questions: pd.DataFrame) -> list[int]:
    """Row positions in reading order: each question followed by its follow-ups (depth first),
    siblings and threads by seq. A follow-up of a missing question starts a thread of its own.

    Examples
    --------
    >>> q = pd.DataFrame({"session_id": "a", "seq": [1, 2, 3, 4],
    ...                   "follow_up_to": [None, None, 1, 3]})
    >>> reading_order(q)
    [0, 2, 3, 1]
    """
    parent = parents(questions)
    seq = questions["seq"].to_numpy(dtype="int64")
    children: dict[int, list[int]] = {}
    for i in np.argsort(seq, kind="stable"):
        children.setdefault(int(parent[i]), []).append(int(i))
    order: list[int] = []
    stack = list(reversed(children.get(-1, [])))
    seen: set[int] = set()
    while stack:
        i = stack.pop()
        if i in seen:  # validation forbids cycles; never loop on bad data
            continue
        seen.add(i)
        order.append(i)
        stack.extend(reversed(children.get(i, [])))
    return order


#: Columns of `conversation`, in the order the depth page shows them.
CONVERSATION_COLUMNS = ["seq", "minute", "thread", "depth", "follow_up_to", "follow_ups",
                        "fit", "question"]


def conversation(questions: pd.DataFrame) -> pd.DataFrame:
    """One session's questions in the order they were asked, for reading beside its timeline.

    Columns (`CONVERSATION_COLUMNS`): seq, minute, thread (the seq of the thread's first
    question), depth, follow_up_to (the seq it follows up, NaN for a new topic), follow_ups (how
    many follow-ups hang under it, at any depth: `follow_up_counts`), fit, question.

    Examples
    --------
    >>> q = pd.DataFrame({"session_id": "a", "seq": [2, 1], "minute": [3, 1],
    ...                   "follow_up_to": [1, None], "fit": ["job", "job"],
    ...                   "question": ["Og så?", "Hvorfor?"]})
    >>> conversation(q)[["seq", "thread", "depth", "follow_ups"]].values.tolist()
    [[1, 1, 0, 1], [2, 1, 1, 0]]
    """
    if questions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CONVERSATION_COLUMNS})
    depth, _, thread = thread_arrays(questions)
    out = pd.DataFrame({
        "seq": questions["seq"].to_numpy(dtype="int64"),
        "minute": pd.to_numeric(questions["minute"], errors="coerce").to_numpy(dtype="float64")
        if "minute" in questions else np.nan,
        "thread": thread, "depth": depth,
        "follow_up_to": pd.to_numeric(questions["follow_up_to"], errors="coerce")
        .to_numpy(dtype="float64"),
        "follow_ups": follow_up_counts(questions),
        "fit": questions["fit"].to_numpy() if "fit" in questions else None,
        "question": questions["question"].to_numpy(),
    })
    return out.sort_values("seq", kind="stable").reset_index(drop=True)


def short_text(text: object, width: int = 40) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with "…" when cut: a
    question as a readable label beside a chart (the whole text stays in the table).

    Examples
    --------
    >>> short_text("Hvordan er turnusen lagt opp i dag, og hvor mye overtid er det?", 30)
    'Hvordan er turnusen lagt opp…'
    >>> short_text("Kort spørsmål?")
    'Kort spørsmål?'
    """
    words = " ".join(str(text).split())  # one line, however the cell was typed
    if len(words) <= width:
        return words
    cut = words[:width - 1]
    if " " in cut and not words[width - 1].isspace():
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.–-") + "…"

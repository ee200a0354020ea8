"""The corpus, training (with out-of-author calibration), the model files and the default model.

A model file is two files side by side: ``fit_model.npz`` (the compiled arrays, read with
``allow_pickle=False``) and ``fit_model.json`` (the metadata and the ``.npz``'s sha256). Nothing
in them can run code; a tampered, mismatched or foreign file is refused with `ModelFileError`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis import config
from analysis.errors import InputError, ModelFileError
from analysis.model.hashing import FORMAT_VERSION, LIBRARIES
from analysis.model.pipeline import DEFAULT_PARAMS, FitModel, check_compiled
from analysis.workbook.schema import FITS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: How much one person's correction weighs against one corpus question at retraining: a
#: correction is a label on this organisation's own questions, in its own words (the learning
#: curve in `evaluate` measures the effect).
CORRECTION_WEIGHT = 5.0
#: Folds of the out-of-author cross-validation that the probability scaling is fitted on.
CALIBRATION_FOLDS = 5
#: The author name corrections train under (one more "author" for the grouped folds).
CORRECTIONS_AUTHOR = "corrections"


def load_corpus(path: Path | str | None = None) -> "pd.DataFrame":
    """The labelled corpus (``text, label, lang, author``), checked.

    Raises
    ------
    InputError
        When the file is missing, lacks a column or has an unknown label.
    """
    import pandas as pd

    path = Path(path or config.CORPUS)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the corpus ({exc})") from exc
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}: the corpus lacks the column(s) {sorted(missing)}")
    bad = sorted(set(frame["label"]) - set(FITS))
    if bad:
        raise InputError(f"{path}: unknown label(s) {bad}; expected one of {FITS}")
    for col, default in (("lang", ""), ("author", "corpus")):
        if col not in frame:
            frame[col] = default
    frame["lang"] = [lang or guess_language(t) for t, lang in zip(frame["text"], frame["lang"])]
    return frame[["text", "label", "lang", "author"]]


_NB_HINTS = frozenset("""
og i jeg du det er som på hva hvordan hvorfor hvem hvor når kan skal vil har med til for
av ikke en et meg deg dere vi oss stillingen teamet jobben lederen dette blir være
""".split())


def guess_language(text: str) -> str:
    """``nb`` or ``en`` for a question without a language tag (for per-language scores only)."""
    low = text.lower()
    if any(ch in low for ch in "æøå"):
        return "nb"
    words = "".join(ch if ch.isalnum() else " " for ch in low).split()
    return "nb" if sum(w in _NB_HINTS for w in words) >= 2 else "en"


def _key(text: str) -> str:
    """Texts that differ only in case or spacing are the same question."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def training_frame(corpus: "pd.DataFrame | None" = None,
                   corrections: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Corpus plus corrections, with a ``weight`` per row; a person's label wins over the
    corpus for the same text and weighs `CORRECTION_WEIGHT`.

    ``corrections`` has ``text`` and ``fit`` (as `Store.corrections` returns); when it has
    ``corrected_at`` the latest correction of a text wins.
    """
    import pandas as pd

    frame = load_corpus() if corpus is None else corpus.copy()
    for col, default in (("lang", ""), ("author", "corpus")):
        if col not in frame:
            frame[col] = default
    frame = frame[["text", "label", "lang", "author"]].assign(weight=1.0)
    if corrections is None or not len(corrections):
        return frame.reset_index(drop=True)
    missing = {"text", "fit"} - set(corrections.columns)
    if missing:
        raise InputError(f"the corrections lack the column(s) {sorted(missing)}")
    fixes = corrections.dropna(subset=["text", "fit"])
    if "corrected_at" in fixes:
        fixes = fixes.sort_values("corrected_at", kind="stable")
    bad = sorted(set(fixes["fit"]) - set(FITS))
    if bad:
        raise InputError(f"unknown fit label(s) in the corrections: {bad}")
    fixes = fixes.assign(_key=fixes["text"].map(_key)).drop_duplicates("_key", keep="last")
    keys = frame["text"].map(_key)
    frame = frame[~keys.isin(set(fixes["_key"]))]
    added = pd.DataFrame({"text": fixes["text"], "label": fixes["fit"],
                          "lang": fixes["text"].map(guess_language),
                          "author": CORRECTIONS_AUTHOR, "weight": CORRECTION_WEIGHT})
    return pd.concat([frame, added], ignore_index=True)


def data_sha256(frame: "pd.DataFrame") -> str:
    """sha256 of the (text, label) pairs, independent of row order."""
    lines = sorted(f"{t}\t{lab}" for t, lab in zip(frame["text"], frame["label"]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _library_versions() -> dict[str, str]:
    import platform
    from importlib.metadata import version

    return {"python": platform.python_version(), **{lib: version(lib) for lib in LIBRARIES}}


def out_of_author_scores(frame: "pd.DataFrame", *, folds: int = CALIBRATION_FOLDS,
                         random_state: int = 0, **params: Any) -> np.ndarray:
    """Decision scores of every row from a model that never saw the row's author (grouped
    K-fold over ``author``; with fewer authors than folds, stratified folds instead)."""
    from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict

    from analysis.model.pipeline import make_question_classifier

    groups = frame["author"].to_numpy()
    n_groups = len(set(groups))
    if n_groups >= 2:
        cv = GroupKFold(min(folds, n_groups))
    else:
        cv = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    raw = cross_val_predict(make_question_classifier(random_state=random_state, **params),
                            list(frame["text"]), frame["label"].to_numpy(), groups=groups,
                            cv=cv, method="decision_function",
                            params={"clf__sample_weight": frame["weight"].to_numpy()})
    classes = sorted(FITS)  # cross_val_predict orders columns like the estimator: sorted
    return raw[:, [classes.index(c) for c in FITS]]


def train_model(corpus: "pd.DataFrame | None" = None,
                corrections: "pd.DataFrame | None" = None, *, calibrate: bool = True,
                random_state: int = 0, **params: Any) -> FitModel:
    """Train the fit classifier on the corpus plus people's corrections.

    Parameters
    ----------
    corpus : DataFrame, optional
        ``text, label[, lang, author]``; default the shipped corpus (`config.CORPUS`).
    corrections : DataFrame, optional
        ``text, fit`` (from `Store.corrections`): a person's label wins over the corpus and
        weighs `CORRECTION_WEIGHT`.
    calibrate : bool
        Fit the probability scaling on out-of-author scores (`out_of_author_scores`); without
        it the temperature is 1, which is fine for tests but over-confident.
    random_state : int
    **params
        Passed to `make_question_classifier`.
    """
    from analysis.model.calibration import fit_scaling
    from analysis.model.pipeline import compile_pipeline, make_question_classifier

    frame = training_frame(corpus, corrections)
    if frame.empty:
        raise InputError("there is nothing to train on")
    missing = sorted(set(FITS) - set(frame["label"]))
    if missing:
        raise InputError(f"the training data has no question labelled {missing}")
    start = dt.datetime.now(dt.timezone.utc)
    pipe = make_question_classifier(random_state=random_state, **params)
    pipe.fit(list(frame["text"]), frame["label"].to_numpy(),
             clf__sample_weight=frame["weight"].to_numpy())
    temperature, bias = 1.0, np.zeros(len(FITS))
    if calibrate:
        scores = out_of_author_scores(frame, random_state=random_state, **params)
        y = np.array([FITS.index(v) for v in frame["label"]])
        temperature, bias = fit_scaling(scores, y)
    corpus_frame = load_corpus() if corpus is None else corpus
    sha = data_sha256(frame)
    metadata = {
        "format": FORMAT_VERSION,
        "version": f"{sha[:10]}-{start:%Y%m%d}",
        "trained_at": start.isoformat(timespec="seconds"),
        "training_sha256": sha,
        "corpus_sha256": data_sha256(corpus_frame),
        "n_samples": int(len(frame)),
        "n_corrections": int((frame["author"] == CORRECTIONS_AUTHOR).sum()),
        "n_authors": int(frame["author"].nunique()),
        "n_per_language": {str(k): int(v) for k, v in frame["lang"].value_counts().items()},
        "n_per_label": {lab: int((frame["label"] == lab).sum()) for lab in FITS},
        "params": {k: repr(v) for k, v in {**DEFAULT_PARAMS, **params}.items()},
        "calibration": {"temperature": round(temperature, 6),
                        "bias": [round(float(b), 6) for b in bias], "fitted": calibrate},
        "libraries": _library_versions(),
    }
    return FitModel(compile_pipeline(pipe, temperature, bias), metadata, pipeline=pipe)


# -- saving and loading ------------------------------------------------------------------------

def _paths(path: Path | str) -> tuple[Path, Path]:
    path = Path(path)
    return path.with_suffix(".npz"), path.with_suffix(".json")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_model(model: FitModel, path: Path | str) -> None:
    """Write the model's ``.npz`` (compiled arrays and metadata) and ``.json`` (metadata and
    the ``.npz``'s sha256) at ``path`` (its suffix is replaced); each file atomically, the
    ``.json`` last so a reader never pairs a new ``.npz`` with an old description."""
    npz_path, json_path = _paths(path)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    meta_json = json.dumps(model.metadata, sort_keys=True)
    buf = io.BytesIO()
    np.savez(buf, metadata=np.frombuffer(meta_json.encode(), dtype=np.uint8), **model.compiled)
    _write_atomic(npz_path, buf.getvalue())
    sidecar = {"format": FORMAT_VERSION, "metadata": model.metadata,
               "sha256": {npz_path.name: _sha256_file(npz_path)}}
    _write_atomic(json_path, json.dumps(sidecar, indent=1, sort_keys=True).encode())


def load_model(path: Path | str) -> FitModel:
    """Open a saved model, refusing a tampered, mismatched or foreign file.

    Checks: both files present; the ``.json``'s format and library versions match this
    installation; the ``.npz``'s sha256 matches the ``.json``; the ``.npz`` holds exactly the
    expected arrays (read with ``allow_pickle=False``) and the same metadata.

    Raises
    ------
    ModelFileError
        With a message that says what is wrong and how to fix it.
    """
    npz_path, json_path = _paths(path)
    where = str(npz_path)
    for p in (npz_path, json_path):
        if not p.exists():
            raise ModelFileError(f"{where}: {p.name} is missing; retrain with "
                                 f"`python -m analysis train`")
    try:
        sidecar = json.loads(json_path.read_text(encoding="utf-8"))
        metadata, hashes = sidecar["metadata"], sidecar["sha256"]
        fmt = int(sidecar["format"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{where}: {json_path.name} is not a model description "
                             f"({exc})") from exc
    if fmt != FORMAT_VERSION or metadata.get("format") != FORMAT_VERSION:
        raise ModelFileError(f"{where}: model file format {fmt}, this version reads "
                             f"{FORMAT_VERSION}; retrain with `python -m analysis train`")
    if hashes.get(npz_path.name) != _sha256_file(npz_path):
        raise ModelFileError(f"{where}: {npz_path.name} does not match its recorded sha256 — "
                             f"the file was changed after it was saved; refusing to load it")
    have = _library_versions()
    made = metadata.get("libraries", {})
    wrong = [f"{lib} {made.get(lib)} (installed {have[lib]})" for lib in LIBRARIES
             if made.get(lib) != have[lib]]
    if wrong:
        raise ModelFileError(f"{where}: made with other library versions: {', '.join(wrong)}; "
                             f"retrain with `python -m analysis train`")
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{where}: {npz_path.name} cannot be read ({exc})") from exc
    embedded = arrays.pop("metadata", None)
    if embedded is None or json.loads(embedded.tobytes().decode()) != metadata:
        raise ModelFileError(f"{where}: the metadata in {npz_path.name} differs from "
                             f"the recorded metadata; refusing to load it")
    check_compiled(arrays, where)
    return FitModel(arrays, metadata)


_DEFAULT: FitModel | None = None
_DEFAULT_LOCK = threading.Lock()


def default_model() -> FitModel:
    """The model the app and the command line use, cached in this process.

    Opens `config.model_path()` when it is valid for the current corpus; otherwise trains on
    the corpus and saves the result there (a failed save only costs the next process a
    retraining).
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = _open_or_train(config.model_path())
        return _DEFAULT


def reset_default_model(model: FitModel | None = None) -> None:
    """Replace (or forget) the cached default model, e.g. after retraining."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = model


def _corpus_sha256() -> str:
    return data_sha256(load_corpus())


def _open_or_train(path: Path) -> FitModel:
    if path.exists():
        try:
            model = load_model(path)
            if model.metadata.get("corpus_sha256") == _corpus_sha256():
                return model
        except ModelFileError:
            pass  # an unusable file is replaced by a freshly trained model below
    model = train_model()
    try:
        save_model(model, path)
    except OSError:
        pass
    return model


"""The corpus, training, the model files (npz + JSON with sha256s) and the default model.
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
from analysis.model.pipeline import DEFAULT_PARAMS
from analysis.model.hashing import FORMAT_VERSION
from analysis.model.pipeline import FitModel
from analysis.model.hashing import LABELS
from analysis.model.hashing import TRUSTED_TYPES
from analysis.model.hashing import _LIBRARIES
from analysis.model.pipeline import _check_compiled
from analysis.model.pipeline import compile_pipeline
from analysis.model.pipeline import make_question_classifier

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from sklearn.pipeline import Pipeline


# -- training ----------------------------------------------------------------------------------

def load_corpus(path: Path | str | None = None) -> "pd.DataFrame":
    """The labelled corpus (``text, label, lang, group``), checked.

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
    bad = sorted(set(frame["label"]) - set(LABELS))
    if bad:
        raise InputError(f"{path}: unknown label(s) {bad}; expected one of {LABELS}")
    for col, default in (("lang", ""), ("group", "general")):
        if col not in frame:
            frame[col] = default
    frame["lang"] = [lang or guess_language(t) for t, lang in zip(frame["text"], frame["lang"])]
    return frame[["text", "label", "lang", "group"]]


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
    """Corpus plus corrections; a person's label wins over the corpus for the same text.

    ``corrections`` has ``text`` and ``fit`` (as `Store.corrections` returns); when it has
    ``corrected_at`` the latest correction of a text wins.
    """
    import pandas as pd

    frame = load_corpus() if corpus is None else corpus.copy()
    for col, default in (("lang", ""), ("group", "general")):
        if col not in frame:
            frame[col] = default
    frame = frame[["text", "label", "lang", "group"]]
    if corrections is None or not len(corrections):
        return frame.reset_index(drop=True)
    missing = {"text", "fit"} - set(corrections.columns)
    if missing:
        raise InputError(f"the corrections lack the column(s) {sorted(missing)}")
    fixes = corrections.dropna(subset=["text", "fit"])
    if "corrected_at" in fixes:
        fixes = fixes.sort_values("corrected_at", kind="stable")
    bad = sorted(set(fixes["fit"]) - set(LABELS))
    if bad:
        raise InputError(f"unknown fit label(s) in the corrections: {bad}")
    fixes = fixes.assign(_key=fixes["text"].map(_key)).drop_duplicates("_key", keep="last")
    keys = frame["text"].map(_key)
    frame = frame[~keys.isin(set(fixes["_key"]))]
    added = pd.DataFrame({"text": fixes["text"], "label": fixes["fit"],
                          "lang": fixes["text"].map(guess_language), "group": "corrections"})
    return pd.concat([frame, added], ignore_index=True)


def data_sha256(frame: "pd.DataFrame") -> str:
    """sha256 of the (text, label) pairs, independent of row order."""
    lines = sorted(f"{t}\t{lab}" for t, lab in zip(frame["text"], frame["label"]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _library_versions() -> dict[str, str]:
    import platform
    from importlib.metadata import version

    return {"python": platform.python_version(), **{lib: version(lib) for lib in _LIBRARIES}}


def train_model(corpus: "pd.DataFrame | None" = None,
                corrections: "pd.DataFrame | None" = None, *, cv: bool = True,
                random_state: int = 0, **params: Any) -> FitModel:
    """Train the fit classifier on the corpus plus people's corrections.

    Parameters
    ----------
    corpus : DataFrame, optional
        ``text, label[, lang, group]``; default the shipped corpus (`config.CORPUS`).
    corrections : DataFrame, optional
        ``text, fit`` (from `Store.corrections`): a person's label wins over the corpus.
    cv : bool
        Also cross-validate (5-fold stratified and leave-one-sector-out) and record the scores
        in the metadata.
    random_state : int
    **params
        Passed to `make_question_classifier`.
    """
    frame = training_frame(corpus, corrections)
    if frame.empty:
        raise InputError("there is nothing to train on")
    missing = sorted(set(LABELS) - set(frame["label"]))
    if missing:
        raise InputError(f"the training data has no question labelled {missing}")
    start = dt.datetime.now(dt.timezone.utc)
    pipe = make_question_classifier(random_state=random_state, **params)
    pipe.fit(list(frame["text"]), frame["label"].to_numpy())
    corpus_frame = load_corpus() if corpus is None else corpus
    sha = data_sha256(frame)
    metadata = {
        "format": FORMAT_VERSION,
        "version": f"{sha[:10]}-{start:%Y%m%d}",
        "trained_at": start.isoformat(timespec="seconds"),
        "training_sha256": sha,
        "corpus_sha256": data_sha256(corpus_frame),
        "n_samples": int(len(frame)),
        "n_corrections": int((frame["group"] == "corrections").sum()),
        "n_per_language": {str(k): int(v) for k, v in frame["lang"].value_counts().items()},
        "n_per_label": {lab: int((frame["label"] == lab).sum()) for lab in LABELS},
        "params": {k: repr(v) for k, v in {**DEFAULT_PARAMS, **params}.items()},
        "libraries": _library_versions(),
        "cv": {},
    }
    if cv:
        from analysis.model.evaluation import cv_scores
        metadata["cv"] = cv_scores(frame, random_state=random_state, repeats=1, **params)
    return FitModel(compile_pipeline(pipe), metadata, pipeline=pipe)


# -- saving and loading ------------------------------------------------------------------------

def _paths(path: Path | str) -> tuple[Path, Path, Path]:
    path = Path(path)
    return path, path.with_suffix(".npz"), path.with_suffix(".json")


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
    """Write ``path`` (skops: pipeline and metadata), its ``.npz`` (compiled arrays) and its
    ``.json`` (metadata and the files' sha256); each file is replaced atomically."""
    import skops.io as sio

    skops_path, npz_path, json_path = _paths(path)
    skops_path.parent.mkdir(parents=True, exist_ok=True)
    meta_json = json.dumps(model.metadata, sort_keys=True)
    _write_atomic(skops_path, sio.dumps({"pipeline": model.pipeline, "metadata": meta_json}))
    buf = io.BytesIO()
    np.savez(buf, metadata=np.frombuffer(meta_json.encode(), dtype=np.uint8), **model.compiled)
    _write_atomic(npz_path, buf.getvalue())
    sidecar = {"format": FORMAT_VERSION, "metadata": model.metadata,
               "sha256": {skops_path.name: _sha256_file(skops_path),
                          npz_path.name: _sha256_file(npz_path)}}
    _write_atomic(json_path, json.dumps(sidecar, indent=1, sort_keys=True).encode())


def _read_sidecar(path: Path) -> tuple[dict, Path, Path]:
    """The checked sidecar: present, this format, the files' hashes match, same libraries."""
    skops_path, npz_path, json_path = _paths(path)
    where = str(skops_path)
    for p in (skops_path, npz_path, json_path):
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
    for p in (skops_path, npz_path):
        if hashes.get(p.name) != _sha256_file(p):
            raise ModelFileError(f"{where}: {p.name} does not match its recorded sha256 — "
                                 f"the file was changed after it was saved; refusing to load it")
    have = _library_versions()
    made = metadata.get("libraries", {})
    wrong = [f"{lib} {made.get(lib)} (installed {have[lib]})" for lib in _LIBRARIES
             if made.get(lib) != have[lib]]
    if wrong:
        raise ModelFileError(f"{where}: made with other library versions: {', '.join(wrong)}; "
                             f"retrain with `python -m analysis train`")
    return metadata, skops_path, npz_path


def load_model(path: Path | str, *, full: bool = False) -> FitModel:
    """Open a saved model, refusing an untrusted, tampered or mismatched file.

    Checks: all three files present; the ``.json``'s format and library versions match this
    installation; both files' sha256 match the ``.json``; the ``.npz`` holds exactly the
    expected arrays (read with ``allow_pickle=False``) and the same metadata. With ``full``
    (or on first use of `FitModel.pipeline`) the skops file is also opened, refusing any type
    outside skops' defaults and `TRUSTED_TYPES`, and its metadata must match as well.

    Raises
    ------
    ModelFileError
        With a message that says what is wrong and how to fix it.
    """
    metadata, skops_path, npz_path = _read_sidecar(path)
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{skops_path}: {npz_path.name} cannot be read ({exc})") from exc
    embedded = arrays.pop("metadata", None)
    if embedded is None or json.loads(embedded.tobytes().decode()) != metadata:
        raise ModelFileError(f"{skops_path}: the metadata in {npz_path.name} differs from "
                             f"the recorded metadata; refusing to load it")
    _check_compiled(arrays, str(skops_path))
    model = FitModel(arrays, metadata, pipeline_path=skops_path)
    if full:
        model.pipeline  # noqa: B018 - opens and checks the skops file now
    return model


def _load_pipeline(path: Path, metadata: dict) -> "Pipeline":
    """The pipeline from a skops file, trusting only skops' defaults and `TRUSTED_TYPES`."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    _read_sidecar(path)  # the file may have changed since the model was opened
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises many kinds on a corrupt archive
        raise ModelFileError(f"{path}: not a readable skops file ({exc})") from exc
    refused = sorted(set(untrusted) - TRUSTED_TYPES)
    if refused:
        raise ModelFileError(f"{path}: contains types that are not allowed in a model file: "
                             f"{', '.join(refused)}; refusing to load it")
    try:
        content = sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelFileError(f"{path}: cannot be loaded ({exc})") from exc
    if (not isinstance(content, dict) or not isinstance(content.get("pipeline"), Pipeline)
            or json.loads(content.get("metadata", "null")) != metadata):
        raise ModelFileError(f"{path}: the skops file does not hold this model's pipeline "
                             f"and metadata; refusing to load it")
    return content["pipeline"]


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
    # no cross-validation here: it would triple the wait of the first import; `train` does it
    model = train_model(cv=False)
    try:
        save_model(model, path)
    except OSError:
        pass
    return model


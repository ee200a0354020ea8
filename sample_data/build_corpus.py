"""Build the fit model's corpus files from the authors' raw files in ``sample_data/corpus/``.

- ``questions.csv``: the training corpus (authors a00-a14): ``text, label, lang, author,
  label_author, label_second``. ``label`` is the label the model learns; ``label_author`` is the
  author's own; ``label_second`` is the blind second labeller's where one was made (empty
  otherwise). Where the two differ, ``label`` is settled by the definitions (`SETTLED`).
- ``unseen_authors.csv``: the frozen test set (authors u01-u06), never used for training,
  feature choices or model selection: ``text, label, lang, author``.

Near-duplicates are removed across authors (same text after case folding, NFKC and dropping
punctuation): the first author keeps the question. A training question that also occurs in the
unseen-authors set is dropped from training, so the test set stays as its authors wrote it.

Run ``python sample_data/build_corpus.py``; it rewrites both files byte-identically.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).parent
RAW = HERE / "corpus"

#: Rows of the first corpus (a00, row index in its file) relabelled by the two conventions the
#: definitions settle since (fit-categories.md): how the work in the role is done -> job, and
#: benefits and leave for the person hired -> job.
A00_TO_JOB = (129, 138, 139, 140, 141, 145, 150, 151, 152, 901, 907, 910, 912, 1404, 1405, 1406,
              1457, 1460, 1492, 1495, 1516,  # work practices asked as "how does the team/do you"
              349, 449, 1053, 1433, 1436, 1463)  # benefits, pension, parental leave for the hire

#: Disagreements between author and second labeller, settled by the definitions.
SETTLED = {
    "a02-0091": ("group", "direct reports are the people the candidate will lead"),
    "a03-0215": ("group", "the people the candidate will have personnel responsibility for"),
    "a07-0103": ("organization", "revenue concentration is the company's finances and market"),
    "a11-0102": ("organization", "where SRE sits is how the company is organised"),
    "a02-0221": ("organization", "time to fill a requisition is company-wide hiring"),
    "a10-0298": ("group", "who has acted in the role meanwhile is a colleague, not the role"),
    "a01-0135": ("organization", "innovation days for everyone are a company-wide policy"),
    "a01-0086": ("other", "a background check is a step of the hiring process"),
}


def normalise(text: str) -> str:
    """The key near-duplicates share: NFKC, case-folded, punctuation and spacing dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _read(folder: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)[["text", "label", "lang"]]
        frame["author"] = path.stem
        frame["id"] = [f"{path.stem}-{i:04d}" for i in range(len(frame))]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def build() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    train = _read(RAW / "authors")
    a00 = train["author"] == "a00"
    moved = train.index[a00][list(A00_TO_JOB)]
    train.loc[moved, "label"] = "job"
    train["label_author"] = train["label"]
    second = pd.concat([pd.read_csv(p, dtype=str) for p in sorted((RAW / "labels").glob(
        "second_*.csv"))])
    train = train.merge(second.rename(columns={"label2": "label_second"}), on="id", how="left")
    train["label_second"] = train["label_second"].fillna("")
    for key, (label, _why) in SETTLED.items():
        train.loc[train["id"] == key, "label"] = label
    kappa = {}
    for lang in ("en", "nb"):
        both = train[(train["label_second"] != "") & (train["lang"] == lang)]
        kappa[lang] = {"rows": int(len(both)), "kappa": round(float(cohen_kappa_score(
            both["label_author"], both["label_second"])), 3)}
    unseen = _read(RAW / "unseen")
    train["key"] = train["text"].map(normalise)
    unseen["key"] = unseen["text"].map(normalise)
    before = len(train)
    train = train.drop_duplicates("key")
    across = before - len(train)
    leaked = train["key"].isin(set(unseen["key"]))
    train = train[~leaked]
    unseen = unseen.drop_duplicates("key")
    stats = {"duplicates_dropped": across, "dropped_as_in_unseen": int(leaked.sum()),
             "kappa": kappa}
    train = train[["text", "label", "lang", "author", "label_author", "label_second"]]
    return train.reset_index(drop=True), unseen[["text", "label", "lang", "author"]], stats


def main() -> None:
    train, unseen, stats = build()
    train.to_csv(HERE / "questions.csv", index=False, lineterminator="\n")
    unseen.to_csv(HERE / "unseen_authors.csv", index=False, lineterminator="\n")
    print(f"questions.csv: {len(train)} rows, {train['author'].nunique()} authors, "
          f"nb share {(train['lang'] == 'nb').mean():.2f}")
    print(f"unseen_authors.csv: {len(unseen)} rows, {unseen['author'].nunique()} authors")
    print(train["label"].value_counts(normalize=True).round(3).to_dict())
    print(stats)


if __name__ == "__main__":
    main()

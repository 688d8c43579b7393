"""Load the DailyDialog evaluation pairs labelled in dailydialog_labels.jsonl.

The labels file holds only coordinates (split, dialogue line, reply turn), our
label, the subset and a short note. The dialogue text is DailyDialog
(CC BY-NC-SA 4.0) and is read at run time from the corpus' own test.zip; it is
never stored in this repository.

Usage:
    python eval/dailydialog.py ../shared/corpora/dailydialog [LABELS_JSONL]
"""

import collections
import json
import os
import re
import sys
import zipfile

_MEMBER = "test/dialogues_test.txt"

# Spaces before closing punctuation ("word ." -> "word.").
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,!?;:%)\]}])")
# Spaces after opening brackets and currency ("( x" -> "(x", "$ 13" -> "$13").
_SPACE_AFTER_OPEN = re.compile(r"([(\[{$£])\s+")
# Split contractions and possessives: "don ’ t" -> "don’t", "they ' re" -> "they're".
_APOSTROPHE = re.compile(r"(\w)\s*([’'])\s+(\w)")
_APOSTROPHE_LEFT = re.compile(r"(\w)\s+([’'])(\w)")


def detokenise(text):
    """Lightly undo DailyDialog's pre-tokenisation."""
    text = " ".join(text.split())
    text = _APOSTROPHE.sub(r"\1\2\3", text)
    text = _APOSTROPHE_LEFT.sub(r"\1\2\3", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    return text.strip()


def _read_dialogues(corpus_dir):
    with zipfile.ZipFile(os.path.join(corpus_dir, "test.zip")) as zf:
        raw = zf.read(_MEMBER).decode("utf-8")
    dialogues = []
    for line in raw.split("\n"):
        utts = [u.strip() for u in line.split("__eou__")]
        dialogues.append([u for u in utts if u])
    return dialogues


def load_pairs(corpus_dir, labels_path):
    """Return [{context, text, label, subset, dialogue, turn}, ...].

    corpus_dir: folder holding DailyDialog's test.zip.
    labels_path: the JSONL file of labels (dialogue = 0-based line index of
    test/dialogues_test.txt, turn = 0-based index of the reply utterance;
    the context is utterance turn - 1 of the same dialogue).
    """
    dialogues = _read_dialogues(corpus_dir)
    pairs = []
    with open(labels_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("split", "test") != "test":
                raise ValueError(f"line {n}: only the test split is supported")
            d, t = row["dialogue"], row["turn"]
            utts = dialogues[d]
            if not 1 <= t < len(utts):
                raise ValueError(f"line {n}: turn {t} out of range for dialogue {d}")
            pairs.append(
                {
                    "context": detokenise(utts[t - 1]),
                    "text": detokenise(utts[t]),
                    "label": row["label"],
                    "subset": row["subset"],
                    "dialogue": d,
                    "turn": t,
                }
            )
    return pairs


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.path.join(here, "..", "..", "shared", "corpora", "dailydialog")
    )
    labels = (
        sys.argv[2]
        if len(sys.argv) > 2
        else os.path.join(here, "dailydialog_labels.jsonl")
    )
    pairs = load_pairs(corpus, labels)
    print(f"{len(pairs)} pairs")
    by_subset = collections.defaultdict(collections.Counter)
    for p in pairs:
        by_subset[p["subset"]][p["label"]] += 1
        by_subset["all"][p["label"]] += 1
    for subset in sorted(by_subset):
        counts = ", ".join(f"{k} {v}" for k, v in by_subset[subset].most_common())
        print(f"{subset}: {counts}")

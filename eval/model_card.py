"""Write the model card of a trained model from its metadata and fresh evaluations.

    python eval/model_card.py models/default \
        [--dailydialog ../shared/corpora/dailydialog]

Evaluates the model on ``data/heldout.jsonl`` (and, when the DailyDialog corpus is
given, on the 150 labelled DailyDialog pairs of ``eval/dailydialog_labels.jsonl``),
then writes ``<model>/README.md``: what the model is, how to reproduce it, the
training data, the tables, and the DailyDialog misses by coordinates (their text is
NonCommercial and stays out of this repository). The "why" of each miss is written
by hand in the card's notes section, which this script keeps when it rewrites the
card.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from classifier import api
from classifier.evaluate import label_metrics, risk_metrics, to_markdown
from classifier.persist import load_model

ROOT = Path(__file__).resolve().parent.parent
NOTES_START = "<!-- notes: kept when this card is rewritten -->"
NOTES_END = "<!-- end of notes -->"


def dailydialog_section(model: Path, corpus: Path) -> str:
    sys.path.insert(0, str(ROOT / "eval"))
    from dailydialog import load_pairs

    pairs = pd.DataFrame(
        load_pairs(str(corpus), str(ROOT / "eval/dailydialog_labels.jsonl"))
    )
    scored = api.predict(pairs, model=model)
    risk = risk_metrics(pairs["label"], scored["risk"])
    labels = label_metrics(pairs["label"], scored["label"])
    misses = pairs.assign(risk=scored["risk"], predicted=scored["label"])
    misses = misses[misses["label"] != misses["predicted"]]
    rows = [
        f"| {r.dialogue} | {r.turn} | {r.subset} | {r.label} | {r.predicted} "
        f"| {r.risk:.2f} |"
        for r in misses.itertuples()
    ]
    flagged = int((scored["label"] != "none").sum())
    return "\n".join(
        [
            f"{len(pairs)} real reply pairs from DailyDialog's test split "
            f"({(pairs['label'] != 'none').sum()} labelled as rejections); "
            f"{flagged} flagged by the model.",
            "",
            "| PR-AUC | ROC-AUC | Brier | ECE | accuracy |",
            "| --- | --- | --- | --- | --- |",
            f"| {_num(risk['pr_auc'])} | {_num(risk['roc_auc'])} | {risk['brier']:.3f} "
            f"| {risk['ece']:.3f} | {labels['accuracy']:.3f} |",
            "",
            "Disagreements (coordinates into `test/dialogues_test.txt`):",
            "",
            "| dialogue | turn | subset | label | predicted | risk |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def kept_notes(card: Path) -> str:
    if not card.exists():
        return f"{NOTES_START}\n{NOTES_END}"
    text = card.read_text(encoding="utf-8")
    if NOTES_START in text and NOTES_END in text:
        return text[text.index(NOTES_START) : text.index(NOTES_END) + len(NOTES_END)]
    return f"{NOTES_START}\n{NOTES_END}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--dailydialog", type=Path)
    args = parser.parse_args()
    meta = load_model(args.model).metadata
    heldout = api.evaluate(ROOT / "data" / "heldout.jsonl", model=args.model)
    heldout["data"] = "data/heldout.jsonl"
    data = meta["training_data"]
    counts = ", ".join(f"{k} {v}" for k, v in data["label_counts"].items())
    cv = meta["metrics"].get("cross_validation")
    cv_line = (
        f"{cv['folds']}-fold cross-validation on the training data: risk PR-AUC "
        f"{cv['risk']['pr_auc']:.3f}, ECE {cv['risk']['ece']:.3f}, macro-F1 "
        f"{cv['labels']['macro_f1']:.3f}."
        if cv
        else "No cross-validation recorded."
    )
    card = args.model / "README.md"
    sections = [
        f"# Model card: reread text model ({args.model.name})",
        "",
        "Scores how likely a chat reply is to be read as a small rejection by the "
        "person it answers, given the message it answers: `risk` (the calibrated "
        "probability that the reply is not `none`) and `category` (curt, lukewarm, "
        "dismissive, vague_decline, deflection, cold_tone). It says what a reply *may "
        "be read as*, never what the sender meant.",
        "",
        "## How it was made",
        "",
        "```",
        f"reread train data/train.jsonl -o {args.model.as_posix()} --cv 5",
        "```",
        "",
        "spaCy chat preprocessing (`classifier/nlp.py`: chat tokenizer, cue matchers) "
        "feeds word and character n-grams of the reply, words of the message "
        "answered, cue counts of both, length ratios and question features "
        "(`classifier/features.py`) to two logistic regressions: an isotonic-"
        "calibrated one for risk and a multiclass one that shares the risk among the "
        "six categories (`classifier/model.py`).",
        "",
        f"- training data: `data/{data['file']}`, {data['rows']} pairs ({counts}), "
        f"SHA-256 `{data['sha256']}`",
        f"- thresholds: flagged when risk >= {meta['thresholds']['flag']}, ambiguous "
        f"within {meta['thresholds']['band']} of it",
        f"- versions: {', '.join(f'{k} {v}' for k, v in meta['versions'].items())}",
        f"- {cv_line}",
        "",
        "## Held-out test set",
        "",
        "Written independently from `data/GUIDELINES.md` by annotators who never saw "
        "the training data (see `data/README.md`).",
        "",
        to_markdown(heldout),
        "",
    ]
    if args.dailydialog:
        sections += [
            "## DailyDialog (real dialogue, evaluation only)",
            "",
            dailydialog_section(args.model, args.dailydialog),
            "",
        ]
    sections += ["## Notes", "", kept_notes(card), ""]
    card.write_text("\n".join(sections), encoding="utf-8")
    print(json.dumps({"card": str(card), "heldout": heldout["model"]["risk"]}))


if __name__ == "__main__":
    main()

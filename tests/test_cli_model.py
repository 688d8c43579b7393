"""End to end through the CLI: train, then evaluate with predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from classifier.cli import cli


def test_train_then_evaluate(tmp_path: Path, pairs: pd.DataFrame) -> None:
    data = tmp_path / "train.jsonl"
    # Each pair four times: a cross-validation fold then still holds the five rows
    # per label that five calibration folds need.
    pd.concat([pairs] * 4).to_json(data, orient="records", lines=True)
    model = tmp_path / "model"
    runner = CliRunner()
    trained = runner.invoke(
        cli, ["train", str(data), "-o", str(model), "--cv", "2"], catch_exceptions=False
    )
    assert trained.exit_code == 0, trained.output
    assert "2-fold cross-validation: risk PR-AUC" in trained.stdout
    assert "fitting the final model" in trained.stderr
    metadata = json.loads((model / "metadata.json").read_text())
    assert metadata["training_data"]["rows"] == 4 * len(pairs)
    assert len(metadata["training_data"]["sha256"]) == 64

    predictions = tmp_path / "predictions.jsonl"
    evaluated = runner.invoke(
        cli,
        ["evaluate", str(data), "--model", str(model), "--json",
         "--predictions", str(predictions)],
        catch_exceptions=False,
    )  # fmt: skip
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.stdout)
    assert result["n"] == 4 * len(pairs)
    assert {"short_reply"} <= set(result["baselines"])
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(rows) == 4 * len(pairs)
    assert {"risk", "category"} <= set(rows[0])

    table = runner.invoke(cli, ["evaluate", str(data), "--model", str(model)])
    assert "| label | precision | recall | F1 | support |" in table.stdout


def test_bad_label_names_the_row(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(
        '{"context": "hi", "text": "yo", "label": "none"}\n'
        '{"context": "hi", "text": "yo", "label": "rude"}\n'
    )
    result = CliRunner().invoke(cli, ["train", str(data), "-o", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "row 2: label 'rude' is not one of" in result.stderr
    assert not (tmp_path / "m").exists()


def test_missing_column_names_the_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"context": "hi", "label": "none"}\n')
    result = CliRunner().invoke(cli, ["evaluate", str(data)])
    assert result.exit_code == 1
    assert f"{data}:1: 'text' is missing or not text" in result.stderr

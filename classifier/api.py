"""The Python API: one function per CLI command. The CLI is a thin layer over these."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import ClassifierError, ExportError, TableError, UnknownFormatError
from .exports import Export, ParseOptions, detect_format, open_export, read_export
from .records import Message, read_pairs, write_predictions
from .report import ParseReport

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["parse", "train", "predict", "evaluate", "score", "score_stream"]


def parse(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    date_order: str | None = None,
    strict: bool = False,
    columns: dict[str, str] | None = None,
    report: ParseReport | None = None,
) -> Iterator[Message]:
    """Read chat exports into rows of the message table, lazily, in input order.

    Parameters
    ----------
    paths : iterable of path
        Export files, folders or zips; each is detected on its own.
    format : str, optional
        Force a reader (see ``classifier.exports.FORMATS``) instead of detecting one.
    date_order : {"dmy", "mdy", "ymd"}, optional
        Day/month order for WhatsApp files whose dates cannot decide it.
    strict : bool
        Stop at the first unreadable line or record instead of reporting it.
    columns : dict, optional
        For plain tables, our column name -> the input's column name.
    report : ParseReport, optional
        Filled in as rows are produced: counts, decisions, unreadable records.

    Yields
    ------
    Message
        One per message, ``conversation_id`` and ``message_id`` unique across inputs.

    Raises
    ------
    ExportError
        If an input cannot be read at all, naming the file and the place.

    Examples
    --------
    >>> rows = list(parse(["examples/whatsapp-maya-and-jonas.txt"]))  # doctest: +SKIP
    """
    report = report if report is not None else ParseReport(strict=strict)
    report.strict = strict
    options = ParseOptions(
        format=format, date_order=date_order, strict=strict, columns=dict(columns or {})
    )
    taken: set[str] = set()
    for path in paths:
        export = open_export(path)
        try:
            if export.kind == "file":
                yield from _read_input(export, options, report, taken)
            else:
                yield from _read_tree(export, options, report, taken)
        finally:
            export.close()


# Files inside an export that may hold a chat of their own.
_CHAT_SUFFIXES = {
    ".txt", ".txtin", ".md", ".json", ".jsonl", ".ndjson", ".csv", ".html", ".htm",
    ".parquet", ".pq",
}  # fmt: skip
# Files that exports carry beside their chats: lists of channels, users, and so on.
_METADATA_NAMES = {
    "channels.json", "users.json", "groups.json", "dms.json", "mpims.json",
    "org_users.json", "integration_logs.json", "canvases.json", "index.html",
}  # fmt: skip


def _read_input(
    export: Export,
    options: ParseOptions,
    report: ParseReport,
    taken: set[str],
    touched: set[str] | None = None,
) -> Generator[Message, None, str]:
    """Read one export with its reader; keep conversation ids unique across inputs.

    With ``touched``, add the ``source`` location of every row to it, so a caller can
    tell which files of a folder or zip were read. Returns the format's name.
    """
    name, messages = read_export(export, options, report)
    entry: dict[str, Any] = {
        "path": export.name,
        "format": name,
        "messages": 0,
        "conversations": 0,
    }
    report.inputs.append(entry)
    renamed: dict[str, str] = {}
    for message in messages:
        conversation = message.conversation_id
        new_id = renamed.get(conversation)
        if new_id is None:
            new_id = renamed[conversation] = _unique(conversation, taken)
            entry["conversations"] += 1
        if new_id != conversation:
            _move(message, conversation, new_id)
        if touched is not None:
            touched.add(message.source)
        entry["messages"] += 1
        report.count(message)
        yield message
    return name


def _read_tree(
    export: Export, options: ParseOptions, report: ParseReport, taken: set[str]
) -> Iterator[Message]:
    """A folder or zip: its format's reader first, then every chat it left alone.

    A folder may hold several exports (two WhatsApp chats, or one beside a Telegram
    ``result.json``). Each file that no row, problem or note came from is detected on
    its own and read if it is a chat export; otherwise the report says it was not
    read. Readers note the files they leave out on purpose, so those are not read
    twice.
    """
    touched: set[str] = set()
    problems, notes = len(report.problems), len(report.notes)
    tree_format = None
    try:
        tree_format = yield from _read_input(export, options, report, taken, touched)
    except UnknownFormatError:
        if options.format:
            raise
    if options.format:
        return  # the user named the reader; it reports what it left out
    touched.update(p["where"] for p in report.problems[problems:])
    touched.update(n["where"] for n in report.notes[notes:])
    read = {_member_of(export, where) for where in touched}
    left = [
        m
        for m in export.members
        if m not in read
        and PurePosixPath(m).suffix.lower() in _CHAT_SUFFIXES
        and PurePosixPath(m).name.lower() not in _METADATA_NAMES
    ]
    found_any = tree_format is not None
    for member in left:
        where = export.where(member)
        try:
            sub = export.member_export(member)
        except ExportError as exc:
            report.problem(where, exc.reason)
            continue
        try:
            detect_format(sub)
        except UnknownFormatError as exc:
            report.note(where, f"not read: {exc.reason}")
            continue
        found_any = True
        yield from _read_input(sub, options, report, taken)
    if not found_any:
        raise UnknownFormatError(
            "no chat export reread recognises inside; give the file that the app "
            "exported, or name the format with --format",
            export.name,
        )


def _member_of(export: Export, where: str) -> str | None:
    """The member named in a report location or ``source`` of this export."""
    prefix = f"{export.name}!" if export.kind == "zip" else f"{export.path}{os.sep}"
    if not where.startswith(prefix):
        return None
    rest = where[len(prefix) :]
    return rest.split(":", 1)[0]


def _unique(conversation_id: str, taken: set[str]) -> str:
    """The id itself, or ``id~2``, ``id~3``... when an earlier input already used it."""
    candidate, n = conversation_id, 1
    while candidate in taken:
        n += 1
        candidate = f"{conversation_id}~{n}"
    taken.add(candidate)
    return candidate


def _move(message: Message, old: str, new: str) -> None:
    """Rename a message's conversation, keeping its ids and reply link consistent."""
    prefix = f"{old}/"
    message.conversation_id = new
    if message.message_id.startswith(prefix):
        message.message_id = f"{new}/{message.message_id[len(prefix) :]}"
    if message.reply_to and message.reply_to.startswith(prefix):
        message.reply_to = f"{new}/{message.reply_to[len(prefix) :]}"


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _check_labels(pairs: pd.DataFrame, where: str) -> None:
    from .model import LABELS

    bad = ~pairs["label"].isin(LABELS)
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise TableError(
            f"{where}: row {row + 1}: label {pairs['label'].iloc[row]!r} is not one "
            f"of {', '.join(LABELS)}"
        )


def train(
    data: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    cv: int | None = None,
    random_state: int = 0,
    n_jobs: int | None = None,
    spacy_model: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train the text model on labelled pairs and save it with skops.

    Parameters
    ----------
    data : path
        JSONL, CSV or Parquet with ``context``, ``text`` and ``label``.
    output : path
        The model folder to write (``model.skops`` and ``metadata.json``).
    cv : int, optional
        Also report K-fold cross-validated metrics (computed before the final fit).
    random_state : int
        Seed: the same data and seed give the same model and predictions.
    n_jobs : int, optional
        Parallel jobs for calibration folds.
    spacy_model : str, optional
        An installed trained spaCy pipeline whose part-of-speech tags become
        features (see :class:`~classifier.features.ChatPairFeatures`).
    progress : callable, optional
        Called with short progress messages (never message text).

    Returns
    -------
    dict
        The metadata written beside the model, with cross-validated metrics under
        ``metrics["cross_validation"]`` when ``cv`` is given.
    """
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold

    from .evaluate import label_metrics, risk_metrics
    from .model import CATEGORIES, LABELS, Thresholds, build_pipeline, predict_pairs
    from .persist import file_sha256, save_model

    pairs = read_pairs(data)
    _check_labels(pairs, str(data))
    counts = pairs["label"].value_counts().to_dict()
    _say(progress, f"read {len(pairs)} pairs from {data}")
    thresholds = Thresholds()
    params: dict[str, Any] = {
        "random_state": random_state,
        "n_jobs": n_jobs,
        "spacy_model": spacy_model,
    }
    metrics: dict[str, Any] = {}
    if cv:
        _say(progress, f"cross-validating ({cv} folds)")
        folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
        scored = []
        # Not cross_val_predict: it replaces the labels by integers before fitting.
        for fold, (train_rows, test_rows) in enumerate(
            folds.split(pairs, pairs["label"]), start=1
        ):
            fold_train = pairs.iloc[train_rows]
            fitted = build_pipeline(**params)
            fitted.fit(fold_train, fold_train["label"])
            scored.append(
                predict_pairs(fitted, pairs.iloc[test_rows], thresholds).set_index(
                    pairs.index[test_rows]
                )
            )
            _say(progress, f"fold {fold} of {cv} done")
        cv_scores = pd.concat(scored).loc[pairs.index]
        risk, predicted = cv_scores["risk"], cv_scores["label"]
        metrics["cross_validation"] = {
            "folds": cv,
            "risk": risk_metrics(pairs["label"], risk),
            "labels": label_metrics(pairs["label"], predicted),
        }
    _say(progress, "fitting the final model")
    pipeline = build_pipeline(**params)
    pipeline.fit(pairs, pairs["label"])
    metadata = {
        "labels": list(LABELS),
        "categories": list(CATEGORIES),
        "thresholds": thresholds.to_dict(),
        "training_data": {
            "file": Path(data).name,
            "sha256": file_sha256(data),
            "rows": len(pairs),
            "label_counts": {k: int(v) for k, v in sorted(counts.items())},
        },
        "params": {
            "random_state": random_state,
            **{
                k: v
                for k, v in pipeline.get_params().items()
                if isinstance(v, int | float | str | bool | tuple) and "__" in k
            },
        },
        "metrics": metrics,
    }
    save_model(pipeline, output, metadata)
    _say(progress, f"saved the model to {output}")
    return metadata


def predict(
    pairs: pd.DataFrame,
    *,
    model: str | os.PathLike[str] | None = None,
    trust: bool = False,
) -> pd.DataFrame:
    """Risk and category for (context, reply) pairs with a saved model.

    Parameters
    ----------
    pairs : DataFrame
        ``context`` and ``text`` columns (and optional history columns).
    model : path, optional
        A model folder; the shipped model when omitted.
    trust : bool
        Allow a pickle model file.

    Returns
    -------
    DataFrame
        See :func:`classifier.model.predict_pairs`.
    """
    from .model import Thresholds, predict_pairs
    from .persist import load_model

    loaded = load_model(model, trust=trust)
    thresholds = Thresholds(**loaded.metadata.get("thresholds", {}))
    return predict_pairs(loaded.pipeline, pairs, thresholds)


def evaluate(
    data: str | os.PathLike[str],
    *,
    model: str | os.PathLike[str] | None = None,
    trust: bool = False,
    predictions: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Score labelled pairs and compare the model with two baselines.

    Returns
    -------
    dict
        ``data``, ``n``, ``model`` (label and risk metrics, and how many pairs fell
        in the ambiguous band) and ``baselines`` (risk metrics of ``short_reply``
        and, when installed, ``vader``).
        With ``predictions``, one JSON object per input row is written there, in
        order, with ``risk`` and ``category``.
    """
    from .evaluate import label_metrics, risk_metrics, short_reply_risk, vader_risk

    pairs = read_pairs(data)
    _check_labels(pairs, str(data))
    scored = predict(pairs, model=model, trust=trust)
    texts = pairs["text"].astype(str).tolist()
    baselines = {"short_reply": risk_metrics(pairs["label"], short_reply_risk(texts))}
    vader = vader_risk(texts)
    if vader is not None:
        baselines["vader"] = risk_metrics(pairs["label"], vader)
    if predictions is not None:
        write_predictions(scored, predictions)
    return {
        "data": str(data),
        "n": len(pairs),
        "model": {
            "risk": risk_metrics(pairs["label"], scored["risk"]),
            "labels": label_metrics(pairs["label"], scored["label"]),
            "ambiguous": int(scored["ambiguous"].sum()),
        },
        "baselines": baselines,
    }


def score(
    messages: pd.DataFrame,
    *,
    me: str | None = None,
    sensitivity: str = "medium",
    model: str | os.PathLike[str] | None = None,
    trust: bool = False,
    include_text: bool = True,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Score a message table: text flags, silences, readings and check-ins.

    Parameters
    ----------
    messages : DataFrame
        Rows of the message table (as ``reread parse`` writes it, or
        :func:`parse` returns it), in any order of conversations.
    me : str, optional
        Score from this person's side: adds a ``perspective`` column ("received",
        "sent", "other" or "none" for messages without flags).
    sensitivity : {"low", "medium", "high"}
        The reader's own sensitivity: higher flags more (see the README).
    model : path, optional
        A text model folder; the shipped model when omitted.
    trust : bool
        Allow a pickle model file.
    include_text : bool
        Keep the ``text`` column.
    n_jobs : int
        Processes to share conversations between.

    Returns
    -------
    DataFrame
        One row per input message, in input order, with the columns of
        :data:`classifier.scoring.OUTPUT_COLUMNS`.

    Examples
    --------
    >>> scored = score(pd.read_json("messages.jsonl", lines=True))  # doctest: +SKIP
    """
    import pandas as pd

    from .records import message_from_dict
    from .scoring import OUTPUT_COLUMNS, score_messages

    _check_sensitivity(sensitivity)
    _check_model(model, trust, n_jobs)
    rows = [
        message_from_dict(row, f"row {i + 1}")
        for i, row in enumerate(messages.to_dict(orient="records"))
    ]
    # Any order in, input order out: score each conversation whole.
    order = sorted(range(len(rows)), key=lambda i: (rows[i].conversation_id, i))
    grouped = [rows[i] for i in order]
    records = list(
        score_messages(
            grouped,
            model,
            trust=trust,
            sensitivity=sensitivity,
            me=me,
            include_text=include_text,
            n_jobs=n_jobs,
        )  # fmt: skip
    )
    back: list[dict[str, Any] | None] = [None] * len(rows)
    for position, record in zip(order, records, strict=True):
        back[position] = record
    columns = [c for c in OUTPUT_COLUMNS if include_text or c != "text"]
    if me is not None:
        columns.append("perspective")
    return pd.DataFrame(back, columns=columns)


def score_stream(
    messages: Iterable[Message],
    *,
    me: str | None = None,
    sensitivity: str = "medium",
    model: str | os.PathLike[str] | None = None,
    trust: bool = False,
    include_text: bool = True,
    n_jobs: int = 1,
    summary: Any = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Score a stream of messages whose conversations come one after another.

    The streaming form of :func:`score` behind ``reread score``: memory holds one
    batch of conversations, and records come out in input order.

    Raises
    ------
    InterleavedError
        If a conversation comes back after another started.
    """
    from .scoring import score_messages

    _check_sensitivity(sensitivity)
    _check_model(model, trust, n_jobs)
    yield from score_messages(
        messages, model, trust=trust, sensitivity=sensitivity, me=me,
        include_text=include_text, n_jobs=n_jobs, summary=summary, progress=progress,
    )  # fmt: skip


def _check_model(model: Any, trust: bool, n_jobs: int) -> None:
    """Fail on a bad model before any work: load it here, where it will be used, or
    only check its files when worker processes will load it (loading takes seconds)."""
    if n_jobs == 1:
        from .scoring import load_text_model

        load_text_model(model, trust=trust)
    else:
        from .persist import check_model

        check_model(model, trust=trust)


def _check_sensitivity(sensitivity: str) -> None:
    if sensitivity not in ("low", "medium", "high"):
        raise ClassifierError(
            f"sensitivity {sensitivity!r} is not one of low, medium, high"
        )

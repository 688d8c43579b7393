"""The ``reread`` command line: a thin layer over :mod:`classifier.api`."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import click

from . import api
from .errors import ClassifierError
from .exports import ALIASES, FORMATS
from .exports.table import COLUMN_OPTIONS
from .records import output_format, write_table
from .report import ParseReport

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
FORMAT_NAMES = ", ".join([*FORMATS, *ALIASES])


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="reread")
def cli() -> None:
    """reread: find the moments in a chat that may be read as small rejections."""


def column_options(function):  # type: ignore[no-untyped-def]
    """Add ``--text-col``, ``--sender-col``, ... for tables with other column names."""
    for column, option in reversed(COLUMN_OPTIONS.items()):
        function = click.option(
            option,
            f"col_{column}",
            metavar="NAME",
            help=f"For a plain CSV/JSONL/Parquet table: the column holding '{column}'.",
        )(function)
    return function


@cli.command()
@click.argument("exports", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="The table: .jsonl, .csv or .parquet (default: JSONL on stdout).",
)
@click.option(
    "--format",
    "format_",
    metavar="NAME",
    help=f"Read every input as this format instead of detecting it ({FORMAT_NAMES}).",
)
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    help="Day/month order for WhatsApp files whose dates cannot decide it.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Stop at the first unreadable line instead of reporting it.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the parse report to this file as JSON.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the report on stderr.")
@column_options
def parse(exports, output, format_, date_order, strict, report_path, quiet, **cols):  # type: ignore[no-untyped-def]
    """Read chat exports into one message table.

    Each EXPORT is a file, a folder or a .zip; the format is detected from the content.
    The report (messages per kind, senders, date range, decisions such as the date
    order, and every line that could not be read) goes to stderr.

    \b
    Examples:
        reread parse "WhatsApp Chat with Anna.zip" -o anna.parquet
        reread parse result.json slack-export/ > messages.jsonl
        reread parse messages.csv --text-col body --sender-col author
    """
    columns = {name[4:]: value for name, value in cols.items() if value}
    report = ParseReport(strict=strict)
    if report_path and not Path(report_path).resolve().parent.is_dir():
        raise click.BadParameter("its folder does not exist", param_hint="--report")
    try:
        output_format(output)
        messages = api.parse(
            exports,
            format=format_,
            date_order=date_order,
            strict=strict,
            columns=columns,
            report=report,
        )
        write_table(messages, output)
        if report_path:
            report.write_json(report_path)
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        click.echo(report.format_text(), err=True)


@cli.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="The model folder to write, e.g. models/mine.",
)
@click.option(
    "--cv",
    type=click.IntRange(min=2),
    metavar="K",
    help="Print K-fold cross-validated metrics before the final fit.",
)
@click.option(
    "--random-state",
    type=int,
    default=0,
    show_default=True,
    help="Seed; the same data and seed give the same model.",
)
@click.option("--n-jobs", type=int, default=None, help="Parallel jobs for the folds.")
@click.option(
    "--spacy-model",
    metavar="NAME",
    help="An installed trained spaCy pipeline (e.g. en_core_web_sm) whose "
    "part-of-speech tags become features; none is needed.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def train(data, output, cv, random_state, n_jobs, spacy_model, quiet):  # type: ignore[no-untyped-def]
    """Train the text model on labelled (context, reply) pairs.

    DATA is JSONL, CSV or Parquet with the columns context, text and label.

    \b
    Examples:
        reread train data/train.jsonl -o models/default --cv 5
    """
    progress = None if quiet else (lambda m: click.echo(m, err=True))
    try:
        metadata = api.train(data, output, cv=cv, random_state=random_state,
                             n_jobs=n_jobs, spacy_model=spacy_model,
                             progress=progress)  # fmt: skip
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from None
    if cv:
        click.echo(format_cv(metadata["metrics"]["cross_validation"]))


def format_cv(result: dict) -> str:  # type: ignore[type-arg]
    risk, labels = result["risk"], result["labels"]
    return (
        f"{result['folds']}-fold cross-validation: risk PR-AUC {risk['pr_auc']:.3f}, "
        f"ROC-AUC {risk['roc_auc']:.3f}, ECE {risk['ece']:.3f}; "
        f"macro-F1 (six categories) {labels['macro_f1']:.3f}"
    )


@cli.command()
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True),
    help="A model folder (default: the shipped model).",
)
@click.option("--predictions", type=click.Path(dir_okay=False, writable=True),
              help="Write one JSON record per input row, in order, with risk and "
                   "category.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--trust",
    is_flag=True,
    help="Allow a pickle/joblib model file (it can run any code).",
)
def evaluate(data, model_path, predictions, as_json, trust):  # type: ignore[no-untyped-def]
    """Measure a model on labelled pairs, beside two baselines.

    Prints per-category precision, recall and F1, risk PR-AUC and ROC-AUC, Brier
    score, expected calibration error and the confusion matrix, and the same risk
    metrics for VADER (pip install reread[eval]) and a short-reply rule.

    \b
    Examples:
        reread evaluate data/heldout.jsonl
        reread evaluate data/heldout.jsonl --model models/mine --json
    """
    try:
        result = api.evaluate(data, model=model_path, trust=trust,
                              predictions=predictions)  # fmt: skip
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from None
    from .evaluate import to_markdown

    click.echo(json.dumps(result, indent=2) if as_json else to_markdown(result))


@cli.command()
@click.argument("exports", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              default="-", help="Scored records: .jsonl, .csv or .parquet "
              "(default: JSONL on stdout).")  # fmt: skip
@click.option("--me", metavar="NAME",
              help="Score from this person's side: what they received, and a "
                   "reciprocity summary of what they sent.")  # fmt: skip
@click.option("--sensitivity", type=click.Choice(["low", "medium", "high"]),
              default="medium", show_default=True,
              help="The reader's own sensitivity: high flags more, low only the "
                   "clearest moments.")  # fmt: skip
@click.option("--no-text", is_flag=True, help="Leave message text out of the output.")
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True),
    help="A text model folder (default: the shipped model).",
)
@click.option(
    "--trust",
    is_flag=True,
    help="Allow a pickle/joblib model file (it can run any code).",
)
@click.option(
    "--n-jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to share conversations between.",
)
@click.option(
    "--format",
    "format_",
    metavar="NAME",
    help=f"Read every input as this format ({FORMAT_NAMES}).",
)
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    help="Day/month order for WhatsApp files whose dates cannot decide it.",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(dir_okay=False),
    help="Also write the per-person summary as JSON.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary or progress on stderr.")
def score(exports, output, me, sensitivity, no_text, model_path, trust, n_jobs,  # type: ignore[no-untyped-def]
          format_, date_order, summary_path, quiet):  # fmt: skip
    """Find the moments in chats that may be read as small rejections.

    Each EXPORT is a chat export (any format `reread parse` reads), or `-` for a
    message table as JSONL on stdin. One record per message comes out, in input
    order, with risk, category, flags, alternative readings and a check-in.

    \b
    Examples:
        reread score examples/whatsapp-maya-and-jonas.txt -o scored.jsonl
        reread score chat.zip --me Maya --sensitivity high
        reread parse result.json | reread score - --no-text
    """
    from .records import read_table, write_scored
    from .scoring import OUTPUT_COLUMNS, ScoreSummary, load_text_model, settle_heap

    summary = ScoreSummary()
    columns = [c for c in OUTPUT_COLUMNS if not (no_text and c == "text")]
    columns += ["perspective"] if me else []
    try:
        output_format(output)
        if n_jobs == 1:  # scored here: load the model before the heap is settled
            load_text_model(model_path, trust=trust)
        settle_heap()
        if list(exports) == ["-"]:
            messages = read_table("-")
        else:
            messages = api.parse(exports, format=format_, date_order=date_order)
        with _progress(quiet) as advance:
            records = api.score_stream(
                messages, me=me, sensitivity=sensitivity, model=model_path,
                trust=trust, include_text=not no_text, n_jobs=n_jobs,
                summary=summary, progress=advance,
            )  # fmt: skip
            write_scored(records, output, columns)
        if summary_path:
            Path(summary_path).write_text(
                json.dumps(summary.to_dict(), indent=2, ensure_ascii=False),
                encoding="utf-8",
            )
    except BrokenPipeError:
        # The reader of stdout stopped (`| head`): Click exits quietly, and the
        # workers' unread results are no news.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"joblib\.")
        raise
    except (ClassifierError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        click.echo(format_summary(summary.to_dict(), me), err=True)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    """A progress bar on stderr for people; nothing when quiet or not a terminal."""
    import contextlib
    import sys

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from tqdm import tqdm

    @contextlib.contextmanager
    def bar():  # type: ignore[no-untyped-def]
        with tqdm(unit=" messages", file=sys.stderr, leave=False) as progress:
            yield progress.update

    return bar()


def format_summary(summary: dict, me: str | None) -> str:  # type: ignore[type-arg]
    """The per-person summary for people, as printed on stderr."""
    flags = ", ".join(f"{n} {t}" for t, n in summary["flags"].items()) or "no flags"
    lines = [
        f"{summary['messages']} messages in {summary['conversations']} "
        f"conversation(s); {flags}"
    ]
    for name, p in summary["people"].items():
        pace = _duration(p["usual_reply_seconds"])
        words = p["usual_reply_words"]
        lines.append(
            f"{name}: {p['messages']} messages; may have felt {p['flags_received']} "
            f"moment(s), may have caused {p['flags_sent']}; usually replies in "
            f"{pace} with {'?' if words is None else f'{words:.0f}'} words"
        )
    if me and me in summary["people"]:
        sent = summary["people"][me]["flags_sent"]
        lines.append(
            f"Reciprocity: {sent} of {me}'s own replies or silences may be read the "
            "same way by others. Everyone sends these too."
        )
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "an unknown time"
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"

"""The ``reread`` command line: a thin layer over :mod:`classifier.api`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import api
from .errors import ClassifierError
from .records import output_format, write_table
from .report import ParseReport

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
# Our column names that a plain CSV/JSONL/Parquet table may call something else.
MAPPABLE_COLUMNS = (
    "text",
    "sender",
    "timestamp",
    "conversation_id",
    "message_id",
    "reply_to",
    "kind",
)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="reread")
def cli() -> None:
    """reread: find the moments in a chat that may be read as small rejections."""


def column_options(function):  # type: ignore[no-untyped-def]
    """Add ``--text-col``, ``--sender-col``, ... for tables with other column names."""
    for column in reversed(MAPPABLE_COLUMNS):
        short = {
            "timestamp": "time",
            "conversation_id": "conversation",
            "message_id": "id",
        }.get(column, column.replace("_", "-"))
        function = click.option(
            f"--{short}-col",
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
    help="Read every input as this format instead of detecting it "
    "(whatsapp, telegram, slack, discord, discord-csv, messenger, "
    "instagram, signal, imessage, csv, jsonl, parquet).",
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
    except ClassifierError as exc:
        raise click.ClickException(str(exc)) from None
    if report_path:
        Path(report_path).write_text(
            json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
        )
    if not quiet:
        click.echo(report.format_text(), err=True)

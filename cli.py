"""Run reread from a source checkout: ``python cli.py parse chat.txt``."""

from classifier.cli import cli

cli()

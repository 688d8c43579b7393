"""reread: find the moments in a chat that people tend to read as small rejections."""

from .api import evaluate, parse, predict, score, train
from .errors import ClassifierError, ExportError
from .records import Message, read_table, write_table

__all__ = [
    "evaluate",
    "predict",
    "score",
    "train",
    "parse",
    "Message",
    "read_table",
    "write_table",
    "ClassifierError",
    "ExportError",
]
__version__ = "0.1.0"

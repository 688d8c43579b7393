"""The names every part of reread shares: text categories and silence flag types.

Kept apart from the model so that code which only needs the names (readings,
conversations) does not import scikit-learn.
"""

from __future__ import annotations

__all__ = ["CATEGORIES", "FLAG_TYPES", "LABELS", "SILENCE_TYPES"]

#: The six kinds of reply that may be read as a small rejection.
CATEGORIES = (
    "curt",
    "lukewarm",
    "dismissive",
    "vague_decline",
    "deflection",
    "cold_tone",
)
#: Every label the text model predicts.
LABELS = (*CATEGORIES, "none")
#: The kinds of silence flag, attached to the message that was left waiting.
SILENCE_TYPES = ("unanswered", "slow_reply", "ignored_in_group", "unacknowledged_joke")
#: Every flag type: the silences and ``text``.
FLAG_TYPES = (*SILENCE_TYPES, "text")

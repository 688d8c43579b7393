"""Shared fixtures: labelled pairs written in code, and a model trained on them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

# Four pairs per label, written for the tests (not drawn from data/).
PAIRS = [
    ("I got the job!!! starting in march 🎉", "ok", "curt"),
    ("how was your first day? tell me everything", "fine", "curt"),
    ("I wrote you a long message about my week, did you read it?", "k", "curt"),
    ("we're engaged!!! 💍😭", "nice", "curt"),
    ("I passed my driving test!!!", "cool i guess. what time is dinner", "lukewarm"),
    ("made you a cake for your birthday 🎂", "oh. thanks i suppose", "lukewarm"),
    ("want to come to my gig on friday? first one ever", "sure whatever", "lukewarm"),
    ("look at my new puppy!!", "yeah it's a dog", "lukewarm"),
    ("I'm so nervous about the interview tomorrow", "calm down lol", "dismissive"),
    ("I'm really upset about what she said", "it's not a big deal", "dismissive"),
    ("I feel like nobody listens to me", "if you say so", "dismissive"),
    ("I'm worried about my mum's results", "relax, you always overreact", "dismissive"),
    ("can you help me move on saturday?", "we'll see", "vague_decline"),
    ("dinner at mine next week?", "maybe another time", "vague_decline"),
    ("are you coming to my party?", "I'll let you know", "vague_decline"),
    ("fancy a walk later?", "not sure yet, might", "vague_decline"),
    ("are you still angry at me?", "what do you want for dinner", "deflection"),
    ("I think we need to talk about us", "did you see the match", "deflection"),
    ("my dad is in hospital", "anyway have you got the charger", "deflection"),
    ("I miss you so much", "the weather is awful here", "deflection"),
    ("I'm so sorry about last night 😔", "Fine.", "cold_tone"),
    ("love you, have a great day at work ❤️", "Noted.", "cold_tone"),
    ("thank you for everything today, you're the best", "Understood.", "cold_tone"),
    ("sorry I was late again", "As I said, it's fine.", "cold_tone"),
    ("are you coming at 8?", "yes", "none"),
    ("I'm outside", "k coming down", "none"),
    ("I got the job!!!", "WHAT!!! congrats, so proud of you 🎉 drinks on me", "none"),
    ("dinner next week?", "can't tuesday, work, but thursday works?", "none"),
]


@pytest.fixture(scope="session")
def pairs() -> pd.DataFrame:
    return pd.DataFrame(PAIRS, columns=["context", "text", "label"])


@pytest.fixture(scope="session")
def pairs_file(tmp_path_factory: pytest.TempPathFactory, pairs: pd.DataFrame) -> Path:
    path = tmp_path_factory.mktemp("data") / "pairs.jsonl"
    pairs.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


@pytest.fixture(scope="session")
def small_pipeline(pairs: pd.DataFrame):  # type: ignore[no-untyped-def]
    from classifier.model import build_pipeline

    return build_pipeline(cv=2, min_df=1).fit(pairs, pairs["label"])

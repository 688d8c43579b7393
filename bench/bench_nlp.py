"""Benchmark :func:`classifier.nlp.analyse` on synthetic short chat messages.

Generates messages deterministically (3-15 words, emoji with skin tones and ZWJ
sequences, emoticons, stretched words, capitals, ``!!``, URLs, mentions and the cue
phrases), then times, on one core:

* ``spacy.blank("en")`` alone, through ``nlp.pipe`` (the floor),
* our chat tokenizer alone,
* ``analyse`` on a fresh pipeline (tokenizer, normalised forms, ``reread_cues``, the
  norm strings and the cue matrix), then again on the same, warm pipeline.

    python bench/bench_nlp.py --messages 200000
    python bench/bench_nlp.py --messages 200000 --vocabulary 50000

``--vocabulary`` mixes that many random extra words into the messages, as names and
typos do in a real export (spaCy's tokenizer caches only 10,000 distinct chunks by
default; reread raises that).

Target (issue): ``analyse`` at >= 20,000 messages/s on one core.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from collections.abc import Iterator

import spacy

from classifier.nlp import analyse, build_nlp

WORDS = (
    "yeah ok sure lol haha omg nice cool thanks sorry tomorrow tonight later maybe "
    "coffee dinner work train late early weekend home really good bad tired busy "
    "love that idea what when where why how going coming can't won't will did you me "
    "we they the a to and of in on at for with about just so very much i it was is "
    "are be have got get my your this there here then now today friday mum dad sam "
    "party drinks pub film game exam job flat car dog baby news wedding trip"
).split()
PHRASES = [
    "i guess",
    "we'll see",
    "i'll let you know",
    "calm down",
    "not a big deal",
    "thanks so much",
    "sorry but",
    "are you free",
    "wanna come",
    "how about",
    "guess what",
    "i feel",
    "miss you",
    "proud of you",
    "no worries",
    "if you say so",
    "as i said",
    "kind of",
    "at 7",
    "8:30",
]
STRETCHED = ["sooo", "yesss", "noooo", "pleeease", "hahahaha", "loool", "okk", "kk"]
CAPS = ["OMG", "YES", "WHAT", "AMAZING", "NO WAY"]
EMOJI = ["😂", "❤️", "👍", "🙏", "😅", "🎉", "👋🏽", "👨‍👩‍👧", "🙂", "😢", "🇨🇦", "😭"]
EMOTICONS = [":)", ":(", ":D", "xD", "<3", ":/", "^^", "-_-"]
ENDINGS = ["", "", "", ".", "!", "!!", "?", "!!!", "?!"]
SHORT = ["ok", "k", "kk.", "Fine.", "Noted.", "haha", "😂😂", "👍", "maybe", "lol"]


def synthetic_messages(n: int, vocabulary: int = 0, seed: int = 7) -> Iterator[str]:
    """Yield ``n`` short chat messages, deterministically.

    ``vocabulary`` random extra words are mixed in (one word in five), so that the
    number of distinct words grows the way it does in a real export.
    """
    rng = random.Random(seed)
    extra = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9)))
        for _ in range(vocabulary)
    ]
    for i in range(n):
        if rng.random() < 0.12:
            yield rng.choice(SHORT)
            continue
        words = [
            rng.choice(extra) if extra and rng.random() < 0.2 else rng.choice(WORDS)
            for _ in range(rng.randint(3, 15))
        ]
        roll = rng.random()
        if roll < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(PHRASES))
        elif roll < 0.4:
            words.insert(rng.randrange(len(words)), rng.choice(STRETCHED))
        elif roll < 0.45:
            words.insert(rng.randrange(len(words)), rng.choice(CAPS))
        text = " ".join(words) + rng.choice(ENDINGS)
        if rng.random() < 0.3:
            text += " " + rng.choice(EMOJI) * rng.randint(1, 3)
        if rng.random() < 0.05:
            text += " " + rng.choice(EMOTICONS)
        if i % 200 == 0:
            text += " https://example.com/p/" + str(i)
        if i % 150 == 0:
            text = f"@user{i % 37} " + text
        yield text


def rate(n: int, seconds: float) -> str:
    """Format a throughput."""
    return f"{n / seconds:>10,.0f} messages/s ({seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--vocabulary", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    texts = list(synthetic_messages(args.messages, args.vocabulary))
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts):,} messages, {words:.1f} words on average")

    blank = spacy.blank("en")
    start = time.perf_counter()
    for _ in blank.pipe(texts, batch_size=args.batch_size):
        pass
    print("spacy.blank nlp.pipe:", rate(len(texts), time.perf_counter() - start))

    nlp = build_nlp()
    start = time.perf_counter()
    for _ in nlp.tokenizer.pipe(texts, batch_size=args.batch_size):
        pass
    print("chat tokenizer:      ", rate(len(texts), time.perf_counter() - start))

    nlp = build_nlp()
    for label in ("analyse (fresh):     ", "analyse (warm):      "):
        start = time.perf_counter()
        norms, cues = analyse(texts, nlp=nlp, batch_size=args.batch_size)
        print(label, rate(len(texts), time.perf_counter() - start))
    print(f"cue matrix {cues.shape}, {int(cues.sum()):,} cues, e.g. {norms[1]!r}")


if __name__ == "__main__":
    main()

"""Benchmark `reread score` on a synthetic message table, beside the floor it is
compared to: reading the same file and tokenizing it with the blank spaCy tokenizer.

    python bench/bench_score.py --messages 1000000 --n-jobs 2

The input has many conversations (two-person chats and groups, 50 to 20,000
messages each), message lengths as in the shipped real sample exports, emoji, and
mostly unique texts (see ``message_texts``), with replies that answer quickly and
slowly. Memory is the peak resident size of the whole process tree (the scorer and
its worker processes), sampled every 0.1 s.

Targets (issue 4): >= 20,000 messages/s on 2 cores, <= 2 GB peak, memory bounded by
the largest conversation rather than the file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).parent / "out"
ROOT = Path(__file__).resolve().parent.parent


EMOJI = ["😂", "❤️", "👍", "🙏🏽", "😅", "👩‍💻", "🎉", "😭", "🇩🇪", "🥲", "😊", "🤔"]


def real_lengths() -> list[int]:
    """Words per written message in the shipped sample exports (real chats)."""
    from classifier import api

    lengths = []
    for path in sorted((ROOT / "tests" / "fixtures" / "exports").glob("*/*")):
        if path.suffix == ".md":
            continue
        try:
            messages = list(api.parse([path]))
        except Exception:  # a fixture that is broken on purpose
            continue
        lengths += [len(m.text.split()) for m in messages if m.kind == "message"]
    return [n for n in lengths if n]


def message_texts(rng: random.Random) -> Iterator[str]:
    """Endless chat messages: real lengths, team-written words, mostly unique.

    Lengths follow the messages of the shipped sample exports (median 4 words). The
    words come from the training pairs, cut to that length; half the messages get a
    rare word (a name, a typo) and a fifth an emoji, so that, as in a real export,
    most texts are not seen twice and caches do not flatter the run (57% of a
    million are distinct; short replies such as "ok" repeat, as they do in chats).
    """
    rows = [json.loads(line) for line in open(ROOT / "data" / "train.jsonl")]
    by_length: dict[int, list[list[str]]] = {}
    for row in rows:
        for text in (row["context"], row["text"]):
            words = text.split()
            by_length.setdefault(len(words), []).append(words)
    lengths = real_lengths()
    longest = max(by_length)
    rare = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9)))
            for _ in range(200_000)]  # fmt: skip
    while True:
        n = rng.choice(lengths)
        have = [k for k in range(n, longest + 1) if k in by_length]
        words = list(rng.choice(by_length[have[0]]))[:n] if have else ["ok"]
        mix = rng.random()
        if mix < 0.5:
            words[rng.randrange(len(words))] = rng.choice(rare)
        elif mix < 0.7:
            words.append(rng.choice(EMOJI))
        yield " ".join(words)


def write_table(n: int, seed: int = 5) -> Path:
    """A JSONL message table of ``n`` messages in many conversations."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"score-v3-{n}.jsonl"
    if path.exists():
        return path
    rng = random.Random(seed)
    texts = message_texts(rng)
    names = ["Maya", "Jonas", "Priya", "Sam", "Alex", "Leonie", "Dan", "Ana", "Ben"]
    written = conversation = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < n:
            size = min(n - written, int(rng.choice((50, 300, 2000, 8000, 20000))))
            people = rng.sample(names, rng.choice((2, 2, 3, 5)))
            when = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
            conversation += 1
            for i in range(size):
                when += timedelta(seconds=rng.choice((20, 60, 300, 1800, 20000)))
                row = {
                    "conversation_id": f"chat-{conversation}",
                    "message_id": f"chat-{conversation}/{i}",
                    "timestamp": when.isoformat(),
                    "sender": people[i % len(people) if rng.random() < 0.7 else 0],
                    "text": next(texts),
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += size
    return path


FLOOR = """
import sys, time, orjson, spacy
start = time.perf_counter()
nlp = spacy.blank("en")
texts = (orjson.loads(line)["text"] for line in open(sys.argv[1], "rb"))
count = sum(1 for _ in nlp.pipe(texts, batch_size=1000))
print(count, time.perf_counter() - start)
"""


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak tree RSS (MiB) of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.1)
    if process.returncode:
        raise SystemExit(f"{command} failed with {process.returncode}")
    return time.perf_counter() - start, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    table = write_table(args.messages)
    done = subprocess.run(
        [sys.executable, "-c", FLOOR, str(table)], check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    count, floor_seconds = done.stdout.split()
    print(
        json.dumps(
            {
                "floor": "read + blank spaCy tokenizer",
                "messages": int(count),
                "messages_per_s": round(int(count) / float(floor_seconds)),
            }
        )
    )
    out = OUT / "scored.jsonl"
    seconds, peak = run(
        [sys.executable, "-m", "classifier", "score", str(table), "-o", str(out),
         "-q", "--n-jobs", str(args.n_jobs)]
    )  # fmt: skip
    rows = sum(1 for _ in open(out, "rb"))
    assert rows == args.messages, f"{rows} records for {args.messages} messages"
    out.unlink()
    print(json.dumps({"score": f"n_jobs={args.n_jobs}", "messages": args.messages,
                      "seconds": round(seconds, 1),
                      "messages_per_s": round(args.messages / seconds),
                      "peak_rss_mib": round(peak)}))  # fmt: skip


if __name__ == "__main__":
    main()

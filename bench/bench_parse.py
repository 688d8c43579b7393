"""Benchmark `reread parse` on a synthetic WhatsApp export and the same as JSONL.

Generates the inputs (deterministically, in ``bench/out/``), then runs ``reread parse``
in a fresh child process per measurement, writing JSONL, and reports messages per
second and the child's peak resident memory. Each input is measured at two sizes, so
you can see whether memory grows with the file.

    python bench/bench_parse.py --messages 1000000

Targets (issue 2): >= 150,000 messages/s for JSONL and >= 100,000 messages/s for
WhatsApp text on one core; memory that does not grow with the file.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).parent / "out"

WORDS = (
    "yeah ok sure lol haha omg nice cool thanks sorry tomorrow tonight later maybe "
    "coffee dinner work train late early weekend home really good bad tired busy "
    "love that idea what when where why how going coming can't won't will did you me "
    "we they the a to and of in on at for with about just so very much"
).split()
EMOJI = ["😂", "❤️", "👍", "🙏", "😅", "🎉", "👋🏽", "👨‍👩‍👧", "🙂", "😢"]
NAMES = ["Maya", "Jonas", "Priya Shah", "Sam", "Alex", "+44 7700 900123", "Lena 🌻"]


def synthetic_messages(n: int, seed: int = 7):
    """Yield (timestamp, sender, text): realistic lengths, emoji, a few multi-line."""
    rng = random.Random(seed)
    when = datetime(2021, 3, 1, 8, 0)
    for i in range(n):
        when += timedelta(seconds=rng.choice((5, 20, 60, 240, 900, 3600, 30000)))
        sender = NAMES[rng.randrange(len(NAMES))]
        length = min(int(rng.expovariate(1 / 9)) + 1, 80)
        text = " ".join(rng.choice(WORDS) for _ in range(length))
        if rng.random() < 0.2:
            text += " " + rng.choice(EMOJI)
        if rng.random() < 0.03:
            text += "\n" + " ".join(rng.choice(WORDS) for _ in range(5))
        if i % 997 == 0:
            text = "<Media omitted>"
        yield when, sender, text


def write_inputs(n: int) -> tuple[Path, Path]:
    OUT.mkdir(exist_ok=True)
    txt = OUT / f"whatsapp-{n}.txt"
    jsonl = OUT / f"table-{n}.jsonl"
    if txt.exists() and jsonl.exists():
        return txt, jsonl
    with (
        open(txt, "w", encoding="utf-8") as wa,
        open(jsonl, "w", encoding="utf-8") as tb,
    ):
        notice = (
            "Messages and calls are end-to-end encrypted. No one outside of this "
            "chat, not even WhatsApp, can read or listen to them."
        )
        wa.write(f"01/03/2021, 08:00 - {notice}\n")
        start = {"timestamp": "2021-03-01T08:00:00+00:00", "sender": "", "text": notice}
        start.update(kind="system", message_id="m-start")
        tb.write(json.dumps(start) + "\n")
        for i, (when, sender, text) in enumerate(synthetic_messages(n - 1)):
            wa.write(f"{when:%d/%m/%Y, %H:%M} - {sender}: {text}\n")
            row = {
                "conversation_id": f"chat-{i // 5000}",
                "message_id": f"m{i}",
                "timestamp": when.replace(tzinfo=timezone.utc).isoformat(),
                "sender": sender,
                "text": text,
            }
            tb.write(json.dumps(row, ensure_ascii=False) + "\n")
    return txt, jsonl


CHILD = """
import resource, sys, time
from classifier.cli import cli
start = time.perf_counter()
cli(["parse", sys.argv[1], "-o", sys.argv[2], "-q"], standalone_mode=False)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(path: Path, n: int) -> dict[str, float]:
    out = OUT / (path.stem + ".out.jsonl")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed, max_rss_kib = done.stdout.split()
    lines = sum(1 for _ in open(out, "rb"))
    assert lines == n, f"{path}: {lines} rows written, expected {n}"
    out.unlink()
    return {
        "messages": n,
        "seconds": round(float(elapsed), 2),
        "messages_per_s": round(n / float(elapsed)),
        "peak_rss_mib": round(int(max_rss_kib) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    sizes = (args.messages // 4, args.messages)
    results = []
    for n in sizes:
        txt, jsonl = write_inputs(n)
        for kind, path in (("whatsapp", txt), ("jsonl", jsonl)):
            result = {"input": kind, **measure(path, n)}
            results.append(result)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

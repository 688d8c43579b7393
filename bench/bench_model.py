"""Benchmark the text model: (context, reply) pairs through preprocessing and model.

Builds N pairs by recombining the contexts and replies of ``data/train.jsonl`` (so
lengths, emoji and spelling are realistic), each made unique with a random word, so
no cache could help; then times ``classifier.api.predict`` on one core, in a fresh
child process, and reports pairs per second and peak memory.

    python bench/bench_model.py --pairs 100000 [--model models/default]

Target (issue 3): 100,000 pairs in under 20 seconds on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "out"

CHILD = """
import os, resource, sys, time
import pandas as pd
from classifier import api
pairs = pd.read_json(sys.argv[1], lines=True)
start = time.perf_counter()
scored = api.predict(pairs, model=sys.argv[2] if sys.argv[2] != "-" else None)
elapsed = time.perf_counter() - start
assert len(scored) == len(pairs)
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_pairs(n: int, seed: int = 11) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"pairs-{n}.jsonl"
    if path.exists():
        return path
    rows = [json.loads(line) for line in open(ROOT / "data" / "train.jsonl")]
    contexts = [r["context"] for r in rows]
    texts = [r["text"] for r in rows]
    words = sorted({w for t in texts for w in t.split()})
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(n):
            pair = {
                # Two random words make nearly every pair unique; no digits, which
                # would be rarer in real messages and wake the clock-time matcher.
                "context": " ".join(
                    (rng.choice(contexts), rng.choice(words), rng.choice(words))
                ),
                "text": f"{rng.choice(texts)} {rng.choice(words)}",
            }
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--model", default="-", help="model folder (default: shipped)")
    args = parser.parse_args()
    path = write_pairs(args.pairs)
    # One core: no BLAS or OpenMP threads beside the main one.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), args.model],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    elapsed, max_rss_kib = done.stdout.split()
    print(
        json.dumps(
            {
                "pairs": args.pairs,
                "seconds": round(float(elapsed), 2),
                "pairs_per_s": round(args.pairs / float(elapsed)),
                "peak_rss_mib": round(int(max_rss_kib) / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

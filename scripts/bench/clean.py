"""Benchmark: the whole cleaning stage against spaCy's own tokenisation of the same texts.

Baseline ("floor"): ``spacy.blank("en").pipe(texts)``, the tokenisation any
spaCy-based cleaner must do at least. Both are timed in the same run; medians of
``--repeats`` runs; peak memory is the process's maximum resident set size.

Usage:
    python scripts/bench/clean.py --data ../shared/data/nhs_fft/v6framework_230831.csv
    python scripts/bench/clean.py --synthetic 100000
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

import pandas as pd

from openends.clean import CleaningOptions, clean_responses
from openends.io import read_responses

PARTS = [
    "The staff were kind and explained everything", "waiting times were far too long",
    "parking was a nightmare", "Nothing.", "Did not answer", "n/a", "please call me on "
    "+44 20 7946 0958", "email me at someone@example.org", "the nurse on ward 5 was great",
    "more staff at weekends", "food could be better", "Mycket bra bemötande",
    "Das Personal war sehr freundlich", "don't know", "clean and tidy", "",
]


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    texts = [" ".join(rng.sample(PARTS, rng.randint(1, 3))) for _ in range(n)]
    return pd.DataFrame({"response_id": [f"s{i}" for i in range(n)], "text": texts})


def time_runs(function, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def bench(name: str, responses: pd.DataFrame, repeats: int) -> None:
    import spacy

    texts = responses["text"].tolist()
    nlp = spacy.blank("en")
    floor = time_runs(lambda: list(nlp.pipe(texts, batch_size=1000)), repeats)
    options = CleaningOptions()
    clean_responses(responses.head(200), options)  # load models once, outside the timing
    ours = time_runs(lambda: clean_responses(responses, options), repeats)
    cleaned, summary = clean_responses(responses, options)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(texts)
    print(f"\n## {name}: {n:,} answers, median of {repeats} runs")
    print(f"spaCy blank tokenisation (floor): {floor:6.2f} s  {n / floor:10,.0f} answers/s")
    print(f"openends clean (whole stage):     {ours:6.2f} s  {n / ours:10,.0f} answers/s")
    print(f"peak memory (max RSS so far): {peak:,.0f} MB")
    print(f"rows in {summary.rows_in:,}, out {summary.rows_out:,}; statuses {summary.statuses}")
    print(f"redactions {summary.redactions}; languages {summary.languages}")
    top = cleaned.loc[cleaned["status"] == "ok", "clean_text"].str.lower().value_counts().head(3)
    print(f"most frequent 'ok' answers: {top.to_dict()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="NHS FFT development CSV")
    parser.add_argument("--text", default="FFT answer")
    parser.add_argument("--synthetic", type=int, default=0, help="also N synthetic answers")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.data:
        responses, _ = read_responses(args.data, text=args.text)
        bench(args.data.name, responses, args.repeats)
    if args.synthetic:
        bench("synthetic", synthetic(args.synthetic), args.repeats)


if __name__ == "__main__":
    main()

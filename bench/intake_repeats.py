"""Precision and recall of intake's repeat detection on the hand-labelled pair set.

    uv run --frozen python bench/intake_repeats.py [--threshold 0.2] [--sweep]

Each pair is the same petitioner (the blind index already matched) submitting twice; the
label says whether it is the same matter. Prints the confusion counts, precision, recall
and every misjudged pair, so a change to the rules can be judged on the same set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from huiyin_intake.config import IntakeSettings
from huiyin_intake.domain.repeats import Matter, compare

PAIRS = Path(__file__).resolve().parent.parent / "services/intake/tests/data/repeat_pairs.json"


def matter(values: dict[str, Any]) -> Matter:
    return Matter(
        accused_unit_ids=frozenset(values["accused_unit_ids"]),
        accused_persons=frozenset(values["accused_persons"]),
        division_code=values["division_code"],
        subject_category=values["subject_category"],
        text=values["summary"],
    )


def evaluate(threshold: float) -> tuple[dict[str, int], list[tuple[str, bool, float]]]:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    wrong = []
    for pair in pairs:
        similarity = compare(matter(pair["later"]), matter(pair["earlier"]))
        predicted = similarity.same_matter(threshold)
        actual = bool(pair["same_matter"])
        key = ("t" if predicted == actual else "f") + ("p" if predicted else "n")
        counts[key] += 1
        if predicted != actual:
            wrong.append((pair["note"], actual, round(similarity.text, 3)))
    return counts, wrong


def precision_recall(counts: dict[str, int]) -> tuple[float, float]:
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threshold", type=float, default=IntakeSettings().repeat_similarity_threshold
    )
    parser.add_argument("--sweep", action="store_true", help="try thresholds 0.05–0.60")
    args = parser.parse_args()
    thresholds = [t / 100 for t in range(5, 61, 5)] if args.sweep else [args.threshold]
    for threshold in thresholds:
        counts, wrong = evaluate(threshold)
        precision, recall = precision_recall(counts)
        total = sum(counts.values())
        print(
            f"threshold {threshold:.2f}: {total} pairs, tp {counts['tp']} fp {counts['fp']} "
            f"tn {counts['tn']} fn {counts['fn']}, precision {precision:.3f}, recall {recall:.3f}"
        )
        if not args.sweep:
            for note, actual, score in wrong:
                kind = "missed repeat" if actual else "false repeat"
                print(f"  {kind}: {note} (text similarity {score})")


if __name__ == "__main__":
    main()

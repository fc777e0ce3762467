"""The engine on a hand-written set made independently of its code (tests/data/text_cases.jsonl).

Each case lists the expected (type, written substring) pairs; ``lenient`` cases accept
any overlapping span of the right type (e.g. a ``(+86)`` prefix included or not).
"""

from __future__ import annotations

import json
from pathlib import Path

from notforsale import scan_text

CASES = Path(__file__).resolve().parents[1] / "data" / "text_cases.jsonl"


def _score() -> tuple[int, int, int, list[str]]:
    tp = fp = fn = 0
    problems = []
    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        case = json.loads(line)
        text = case["text"]
        got = [(f.type, f.start, f.end) for f in scan_text(text)]
        used: set[int] = set()
        position = 0
        for entity, written in case["expected"]:
            start = text.find(written, 0 if case.get("lenient") else position)
            end = start + len(written)
            position = end
            match = next((i for i, (t, s, e) in enumerate(got) if i not in used and t == entity
                          and ((s, e) == (start, end) or (case.get("lenient") and s < end
                                                          and start < e))), None)
            if match is None:
                fn += 1
                problems.append(f"line {number} missed {entity}: {case['reason']}")
            else:
                used.add(match)
                tp += 1
        for index, (entity, _, _) in enumerate(got):
            if index not in used:
                fp += 1
                problems.append(f"line {number} extra {entity}: {case['reason']}")
    return tp, fp, fn, problems


def test_independent_cases() -> None:
    tp, fp, fn, problems = _score()
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert tp > 200
    assert f1 >= 0.99, f"F1 {f1:.3f}: " + "; ".join(problems)

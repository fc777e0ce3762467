"""notforsale screen: one verdict per line, in order; bad lines become error records."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from notforsale.cli import app

LINES = [
    {"id": "a", "title": "人脸素材 5000张 表情全 10元"},
    {"id": "b", "title": "补水保湿面膜 10片装", "price": 29},
    "not json",
    {"id": "d", "title": ["wrong type"]},
    {"id": "e", "title": "四件套 带手持 出", "description": "私聊", "unknown_field": 1},
    {"id": "f", "title": "四件套 带手持"},
]


def _input() -> str:
    return "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                     for x in LINES) + "\n"


def test_jsonl_in_order_with_error_records() -> None:
    result = CliRunner().invoke(app, ["screen", "-"], input=_input())
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in records] == ["a", "b", None, "d", "e", "f"]
    # f names the goods but offers nothing: at most review
    assert [r.get("verdict") for r in records] == ["block", "allow", None, None, "block",
                                                   "review"]
    assert records[2]["error"].startswith("not JSON") and records[2]["line"] == 3
    assert "must be str" in records[3]["error"]
    assert all(isinstance(r.get("reasons", []), list) for r in records)


def test_line_separators_inside_a_json_line_do_not_split_it() -> None:
    """U+2028, U+2029, U+0085 and a form feed are not line breaks in JSON lines: one listing
    each, no error record (str.splitlines() split them)."""
    lines = [json.dumps({"id": f"s{i}", "title": f"二手自行车{sep}九成新"}, ensure_ascii=False)
             for i, sep in enumerate(["\u2028", "\u2029", "\u0085", "\x0c", "\x1e"])]
    result = CliRunner().invoke(app, ["screen", "-"], input="\n".join(lines) + "\r\n")
    records = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert [r.get("id") for r in records] == ["s0", "s1", "s2", "s3", "s4"]
    assert not any("error" in r for r in records)


def test_thresholds_and_table() -> None:
    result = CliRunner().invoke(app, ["screen", "-", "--block-at", "0.9999",
                                      "--review-at", "0.999", "-f", "table"], input=_input())
    assert result.exit_code == 0
    assert "allow" in result.stdout and "block" not in result.stdout


def test_review_above_block_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["screen", "-", "--block-at", "0.5", "--review-at", "0.9"],
                                input="{}\n")
    assert result.exit_code == 2


def test_missing_file() -> None:
    assert CliRunner().invoke(app, ["screen", "/nonexistent.jsonl"]).exit_code == 2

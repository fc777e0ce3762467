"""The TUMCC split (by a hash of the normalized text), the shipped fit half, term features,
and the review line the shipped weights were calibrated to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notforsale.listings import REVIEW_AT
from notforsale.listings import training as T
from notforsale.listings.features import listing_features, term_feature
from notforsale.listings.model import load_model

DATA = Path(__file__).resolve().parents[1] / "data"

SAME_KEY = [
    # (a, b, reason they are one text for the split)
    ("卖 黑卡", "卖黑卡", "spacing"),
    ("卖 黑卡 ", "卖 黑卡", "a trailing space (the corpus keeps them)"),
    ("ＱＱ 群", "qq群", "full-width letters and case"),
    ("出售 资料！！", "出售 资料", "punctuation"),
]


@pytest.mark.parametrize(("a", "b", "reason"), SAME_KEY, ids=[c[2] for c in SAME_KEY])
def test_one_text_lands_on_one_side(a: str, b: str, reason: str) -> None:
    assert T.tumcc_key(a) == T.tumcc_key(b), reason
    assert T.tumcc_fitted(a) == T.tumcc_fitted(b), reason


def test_split_is_by_text_not_line_number() -> None:
    sides = {T.tumcc_fitted(text) for text in ("卖 黑卡", "出 四件套", "叶子 到货", "你好",
                                               "有没有 卖卡 的", "私聊", "吃饭 了 吗")}
    assert sides == {True, False}  # both halves get something


def test_shipped_fit_half_holds_no_text_of_the_other_half() -> None:
    rows = T.read_jsonl(T.data_file("tumcc_fit.jsonl"))
    assert rows, "the TUMCC fit half ships with the package"
    keys = [T.tumcc_key(r["title"]) for r in rows]
    assert len(keys) == len(set(keys)), "one listing per distinct text"
    assert all(T.tumcc_fitted(r["title"]) for r in rows)
    labeled = [DATA / "tumcc_labels_a.jsonl", DATA / "tumcc_labels_b.jsonl"]
    if all(p.is_file() for p in labeled):
        every = {T.tumcc_key(json.loads(line)["text"]) for p in labeled
                 for line in p.read_text(encoding="utf-8").split("\n") if line.strip()}
        never = {k for k in every if not T.tumcc_fitted_key(k)}
        assert never and not never & set(keys)


def test_held_out_sets_are_not_training_files() -> None:
    assert T.HELDOUT_FILE not in T.TRAINING_FILES.values()
    assert T.HELDOUT2_FILE not in T.TRAINING_FILES.values()


def test_each_lexicon_term_is_a_feature_beside_its_group() -> None:
    named = listing_features({"title": "卖 黑卡 私聊"}).named
    assert named["phone cards and codes"] == "黑卡"
    assert named[term_feature("phone cards and codes", "黑卡")] == "黑卡"
    # a term inside an exclusion fires neither (黑卡 is also a camera)
    camera = listing_features({"title": "索尼黑卡7 相机 出"}).named
    assert "phone cards and codes" not in camera
    assert term_feature("phone cards and codes", "黑卡") not in camera


def test_review_line_is_the_one_the_shipped_weights_were_calibrated_to() -> None:
    meta = load_model().meta
    if "review_at" not in meta:
        pytest.skip("weights fitted with --no-cross carry no calibration")
    assert meta["review_at"] == REVIEW_AT

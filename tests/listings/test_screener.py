"""The listing screener: a table of listings, the verdict each must get, and why."""

from __future__ import annotations

import pytest

from notforsale.listings.screener import ListingError, screen_listing

FLAGGED = {"block", "review"}

CASES = [
    # (title, description, price, expected: "flag" or "allow", reason)
    ("人脸素材 5000张 表情全 10元", "", 10, "flag", "the face pack of the report"),
    ("四件套 带手持", "", None, "flag", "the face + identity bundle of the report"),
    ("人 脸 素 材 打包", "多角度 私聊", None, "flag", "spaces inside words"),
    ("身*份*证 正反面+手持 一套", "", 4, "flag", "symbols inside words"),
    ("renlian sucai 5k", "dm", None, "flag", "pinyin"),
    ("出 sfz+yhk 全套", "", None, "flag", "pinyin initials"),
    ("ＫＹＣ done for you", "selfie + liveness, any exchange", 30, "flag", "full-width letters"),
    ("KYС verification service", "pass any selfie check. tg @kycguy", None, "flag",
     "Cyrillic С in KYC"),
    ("真人自拍 🔥🔥 10w+ 📸", "0.5元/张 VX", None, "flag", "emoji and per-item price"),
    ("过人脸 解封 代认证", "微信 支付宝 秒过", None, "flag", "liveness bypass"),
    ("一手料 实时更新", "社工库 查人 开房记录 私聊", None, "flag", "bulk data and lookups"),
    ("已实名手机卡 批发", "带人脸 可过认证 飞机联系", None, "flag", "verified SIMs with face"),
    ("fullz with selfie + DL scans", "bulk discount, escrow ok", None, "flag", "English fullz"),
    ("资料一套", "姓名 张三 身份证 110101199003071233 卡号 6222021234567890128", None,
     "flag", "identity numbers in the listing"),
    # hard negatives
    ("补水保湿面膜 10片装", "敏感肌可用 人脸 T 区控油", 29, "allow", "skincare"),
    ("Face cream for dry skin 50ml", "dermatologist tested", 19.9, "allow", "skincare, English"),
    ("身份证卡套 透明防磁 5个装", "保护身份证 银行卡", 9.9, "allow", "ID-card sleeves"),
    ("日本旅游流量卡 实名激活", "8天无限流量", 49, "allow", "travel SIM"),
    ("证件照拍摄 当天取片", "身份证 护照 签证照 均可", 35, "allow", "passport-photo service"),
    ("人脸识别智能门锁 出售", "指纹 密码 人脸 三合一", 999, "allow", "face-recognition lock"),
    ("警惕！所谓四件套 过人脸都是骗局", "提醒大家 不要出售自己的身份证 违法", None, "allow",
     "anti-fraud warning quoting the jargon"),
    ("捡到身份证一张 寻找失主", "在地铁站捡到 请失主联系", None, "allow", "lost and found"),
    ("招聘人脸数据标注员 兼职", "在家办公 按件计薪", None, "allow", "annotation job"),
    ("二手 iPhone 13 人脸识别正常", "已恢复出厂 人脸数据已清除", 3200, "allow", "used phone"),
    ("Licensed face dataset, 10k images", "collected with consent, CC-BY 4.0, research use",
     None, "allow", "licensed dataset"),
]


@pytest.mark.parametrize(("title", "description", "price", "expected", "reason"), CASES,
                         ids=[c[4] for c in CASES])
def test_screener_table(title: str, description: str, price: float | None, expected: str,
                        reason: str) -> None:
    verdict = screen_listing({"title": title, "description": description, "price": price})
    got = "flag" if verdict.verdict in FLAGGED else "allow"
    assert got == expected, f"{reason}: {verdict.verdict} {verdict.score:.2f} " + \
        "; ".join(str(r) for r in verdict.reasons)


def test_reasons_name_signal_and_mask_numbers() -> None:
    verdict = screen_listing({"id": "L1", "title": "资料", "description":
                              "身份证 110101199003071233 手机 13812345678 私聊"})
    assert verdict.id == "L1"
    text = " ".join(str(r) for r in verdict.reasons)
    assert "110101********1233" in text
    assert "110101199003071233" not in text and "13812345678" not in text
    assert verdict.to_dict()["reasons"]


def test_unknown_fields_are_ignored_and_missing_ones_fine() -> None:
    assert screen_listing({"seller_rating": 5}).verdict == "allow"
    assert screen_listing({}).verdict == "allow"


@pytest.mark.parametrize("bad", [None, [], "text", {"title": 5}, {"price": [1]},
                                 {"images": "a.jpg"}, {"title": True}])
def test_wrong_types_are_clear_errors(bad: object) -> None:
    with pytest.raises(ListingError):
        screen_listing(bad)  # type: ignore[arg-type]


def test_thresholds() -> None:
    listing = {"title": "人脸素材 5000张 表情全 10元"}
    assert screen_listing(listing, block_at=0.999, review_at=0.998).verdict == "allow"
    assert screen_listing(listing, block_at=0.01, review_at=0.0).verdict == "block"


@pytest.mark.parametrize("listing", [
    # number in the title only
    {"title": "出身份证 110101199003071233 一套", "description": "私聊"},
    # numbers in both fields, a phone split by spaces and a bank card in the description
    {"title": "手机 138 1234 5678", "description": "卡号 6222 0212 3456 7890 128"},
    # an e-mail address without any digit (the screener only scans text with digits or @)
    {"title": "联系", "description": "seller@example.com"},
    # no title: the description starts the text
    {"description": "身份证110101199003071233，手机13812345678"},
    # nothing to mask
    {"title": "二手自行车", "description": "九成新"},
])
def test_masked_fields_match_masking_each_field_alone(listing: dict[str, str]) -> None:
    """The service stores the fields masked with the screener's own findings; the result must
    be what masking each field on its own gives (reason: no number is stored unmasked)."""
    from notforsale.listings.screener import masked_fields
    from notforsale.text.mask import mask_text

    verdict = screen_listing(listing)
    masked = masked_fields(listing, verdict)
    for name in ("title", "description"):
        assert masked[name] == mask_text(listing.get(name, ""))[0]

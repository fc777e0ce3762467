"""Deterministic, labeled Chinese/English corpus for the text-detection benchmark.

``build_corpus(target_chars, seed)`` returns ``(text, labels)`` where every label
is a :class:`Label` ``(start, end, type)`` with character offsets into ``text``
(``text[start:end]`` is the written entity).  Everything is generated from word
lists and templates with :class:`random.Random` seeded by ``seed``: no network,
no downloaded corpora.  The same ``(target_chars, seed)`` always gives the same
corpus.  All identity numbers are synthetic (random, with computed check digits).

Entity types (the label names):

* ``CN_RESIDENT_ID`` -- 18-digit resident ID (real area code, plausible birth
  date 1930-2010, ISO 7064 MOD 11-2 check char, ``X`` sometimes written ``x``),
  including Pudong (310115) holders born before 1993; plus a few legacy 15-digit
  IDs, always preceded by a context word.
* ``BANK_CARD`` -- Luhn-valid UnionPay 62 (16/19), Visa (16), Mastercard 51-55
  (16), Amex 34/37 (15).
* ``PHONE_NUMBER`` -- mainland mobiles in many written forms, a few
  international numbers valid for ``phonenumbers``, and landlines (only when a
  context word such as 电话/座机/Tel precedes them).
* ``EMAIL_ADDRESS`` -- ordinary addresses, sometimes glued to Chinese text.
* ``CN_PASSPORT`` -- ``E``/``G`` + 8 digits or ``E`` + letter + 7 digits, always
  with a context word (护照 / passport) a few characters before.

Span conventions: a label starts at the first character of the written number
and ends after its last digit/X, inner separators included.  ``+86 138…`` and
``0086 138…`` start at ``+`` / ``00``; for ``(+86)138…`` only the 11-digit
national number is labeled.  Emails cover the address only, not glued Chinese.

Evasion forms (labeled): full-width digits (and ``Ｘ``), spaces / dashes / dots
inside numbers, numbers glued to Chinese characters, several numbers separated
only by ``/``, ``|``, ``，`` or one space, numbers in brackets, key:value lines,
CSV rows.

Decoys (not labeled; a finding on them is a false positive): 18-digit order
numbers with a wrong check digit, ID-like numbers with impossible dates, Luhn-
failing 62… card-like numbers, 12-13-digit tracking numbers, 13-digit ms
timestamps, 11-digit numbers not starting 1[3-9], a mobile-looking run inside a
longer digit run, ISBNs, prices, hex hashes, UUIDs, masked numbers, plus the
ordinary numbers of the prose (dates, times, prices, quantities, IPs, versions).

``build_corpus_annotated`` additionally returns the written *form* of each label
and the spans/kinds of every decoy and filler number, so that a benchmark can
put each miss and false positive into a category.
"""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric

__all__ = [
    "ENTITY_TYPES",
    "Corpus",
    "Label",
    "Span",
    "audit",
    "build_corpus",
    "build_corpus_annotated",
    "build_dense_rows",
    "DENSE_FORMATS",
    "DenseRows",
]

ENTITY_TYPES = (
    "CN_RESIDENT_ID",
    "BANK_CARD",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CN_PASSPORT",
)


class Label(NamedTuple):
    start: int
    end: int
    type: str


class Span(NamedTuple):
    """An unlabeled numeric span (decoy or ordinary filler number)."""

    start: int
    end: int
    kind: str


@dataclass
class Corpus:
    text: str
    labels: list[Label]
    forms: list[str]  # parallel to labels: how the entity is written
    decoys: list[Span] = field(default_factory=list)


def build_corpus(target_chars: int = 5_000_000, seed: int = 0) -> tuple[str, list[Label]]:
    """Return ``(text, labels)``; ``len(text) >= target_chars`` (just over it)."""
    c = build_corpus_annotated(target_chars, seed)
    return c.text, c.labels


# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "浩然", "子涵", "雨桐", "欣怡",
    "梓萱", "一诺", "宇轩", "思远", "建国", "晓燕", "志强", "海燕", "文博", "佳琪",
]
CITIES = [
    "北京", "上海", "广州", "深圳", "成都", "杭州", "南京", "武汉", "重庆", "西安",
    "苏州", "天津", "长沙", "郑州", "青岛", "厦门", "昆明", "合肥", "沈阳", "济南",
]
ORGS = [
    "市场部", "财务处", "客服中心", "物流公司", "研发团队", "社区服务站", "街道办事处",
    "银行网点", "人事部", "招生办", "医院门诊部", "出版社", "税务窗口", "快递驿站",
    "物业管理处", "图书馆", "培训机构", "售后部门", "采购组", "项目办公室",
]
TOPICS = [
    "数字化转型", "季度报表", "年度预算", "供应链管理", "用户体验", "数据安全",
    "隐私保护", "售后服务", "绿色出行", "城市更新", "教育资源", "医疗保障",
    "新能源汽车", "跨境电商", "社区团购", "文旅项目", "人才引进", "垃圾分类",
    "老旧小区改造", "夜间经济", "线上办事", "适老化改造", "冷链物流", "乡村振兴",
]
VERBS = ["推进", "完成", "讨论", "发布", "调整", "优化", "评估", "审核", "启动", "更新", "总结", "部署"]
TIMES = ["今天上午", "上周五", "本月底", "昨天下午", "近期", "明年初", "去年同期", "周一例会上", "节后", "年底前"]
ADJ = ["稳步", "持续", "明显", "逐步", "全面", "初步", "进一步", "有序"]
NOUNS = ["订单", "包裹", "合同", "报名表", "发票", "快递", "会员卡", "门票", "快件", "账单", "预约单", "保修单"]
TAILS = [
    "请尽快核对", "如有疑问请回电", "信息已录入系统", "请勿转发", "材料已归档",
    "工作人员会在两个工作日内处理", "请在窗口领取", "核验通过后即可办理",
]

EN_FIRST = ["John", "Amy", "David", "Linda", "Kevin", "Grace", "Michael", "Emma", "Tom", "Sophia", "Daniel", "Olivia"]
EN_LAST = ["Smith", "Lee", "Chen", "Wang", "Brown", "Taylor", "Wilson", "Liu", "Zhang", "Miller", "Clark", "Hall"]
EN_NOUNS = [
    "the quarterly report", "the shipping schedule", "the new policy", "the budget review",
    "the customer survey", "the onboarding process", "the data migration", "the audit trail",
    "the product launch", "the training session", "the service contract", "the release notes",
]
EN_VERBS = ["reviewed", "approved", "updated", "postponed", "discussed", "finalized", "shared", "rejected", "drafted"]
EN_PLACES = ["Shanghai", "Beijing", "Shenzhen", "Hong Kong", "Singapore", "London", "the head office", "the warehouse"]
EN_TAILS = [
    "please double-check the details", "let me know if anything is missing",
    "the team will follow up next week", "no further action is needed",
    "the record has been archived", "see the attached file for details",
]

PINYIN = [
    "zhangwei", "wangfang", "lina", "liuyang", "chenjing", "yangming", "zhaolei", "huangyan",
    "zhoujie", "wuqiang", "xuli", "sunhao", "hujun", "zhutao", "gaoming", "linxiao",
]
EMAIL_DOMAINS = [
    "qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "foxmail.com",
    "hotmail.com", "yeah.net", "example.com.cn", "corp-mail.cn", "mail.example.org",
]

# Real county-level area codes (all present in python-stdnum's cn/loc table).
AREA_CODES = [
    "110101", "110102", "110105", "110108", "120101", "120104", "310101", "310104",
    "310105", "310112", "310115", "320102", "320106", "330102", "330106", "340102",
    "350203", "370102", "410105", "420106", "430104", "440103", "440106", "440304",
    "440305", "500103", "510104", "510107", "610113", "210102", "220102", "230102",
    "130102", "140105", "150102", "360102", "450103", "530102", "620102",
]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186",
    "187", "188", "189", "191", "198", "199",
]
UNIONPAY_PREFIXES = ["622202", "622848", "621700", "622588", "621483", "622700", "621226", "622609"]
LANDLINE_AREAS = [("010", 8), ("021", 8), ("020", 8), ("0755", 8), ("0571", 8), ("028", 8), ("027", 8), ("025", 8)]
INTL_REGIONS = ["US", "GB", "HK", "SG", "AU", "JP", "DE"]

CTX = {
    "CN_RESIDENT_ID": ["身份证号", "身份证", "身份证号码", "公民身份号码", "证件号", "证件号码", "居民身份证"],
    "BANK_CARD": ["银行卡号", "卡号", "银行卡", "信用卡", "借记卡", "收款账号", "工资卡"],
    "PHONE_NUMBER": ["手机", "手机号", "联系电话", "联系方式", "电话号码", "手机号码", "电话"],
    "EMAIL_ADDRESS": ["邮箱", "电子邮件", "电子邮箱", "联系邮箱", "邮件地址"],
    "CN_PASSPORT": ["护照", "护照号", "护照号码", "护照编号"],
}
CTX_EN = {
    "CN_RESIDENT_ID": ["ID number", "Resident ID", "ID card no.", "national ID"],
    "BANK_CARD": ["card number", "card", "Visa card", "account"],
    "PHONE_NUMBER": ["mobile", "phone", "Tel", "cell"],
    "EMAIL_ADDRESS": ["email", "E-mail", "mail"],
    "CN_PASSPORT": ["passport", "Passport No.", "passport number"],
}
KV_KEYS = {
    "CN_RESIDENT_ID": ["身份证号", "证件号码", "id_no", "ID"],
    "BANK_CARD": ["银行卡", "卡号", "card_no", "account"],
    "PHONE_NUMBER": ["手机", "联系电话", "phone", "mobile"],
    "EMAIL_ADDRESS": ["邮箱", "email", "E-mail"],
    "CN_PASSPORT": ["护照号", "passport", "护照号码"],
}

_FW = str.maketrans("0123456789Xx", "０１２３４５６７８９ＸＸ")
_FROM_FW = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _fullwidth(s: str) -> str:
    return s.translate(_FW)


# --------------------------------------------------------------------------
# builder
# --------------------------------------------------------------------------


class Ent(NamedTuple):
    """A written entity: ``surface[a:b]`` is the labeled part."""

    surface: str
    type: str
    form: str
    a: int
    b: int


def _ent(surface: str, typ: str, form: str, a: int = 0, b: int | None = None) -> Ent:
    return Ent(surface, typ, form, a, len(surface) if b is None else b)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.labels: list[Label] = []
        self.forms: list[str] = []
        self.decoys: list[Span] = []

    def t(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def e(self, ent: Ent) -> None:
        self.labels.append(Label(self.pos + ent.a, self.pos + ent.b, ent.type))
        self.forms.append(ent.form)
        self.t(ent.surface)

    def d(self, s: str, kind: str) -> None:
        self.decoys.append(Span(self.pos, self.pos + len(s), kind))
        self.t(s)

    def seq(self, items: list) -> None:
        """Emit a list of str / Ent / (str, kind) items."""
        for it in items:
            if isinstance(it, Ent):
                self.e(it)
            elif isinstance(it, tuple):
                self.d(it[0], it[1])
            else:
                self.t(it)


# --------------------------------------------------------------------------
# generators
# --------------------------------------------------------------------------


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    # ---- small helpers -------------------------------------------------
    def digits(self, n: int, first: str = "0123456789") -> str:
        r = self.r
        return r.choice(first) + "".join(r.choice("0123456789") for _ in range(n - 1))

    def name(self) -> str:
        return self.r.choice(SURNAMES) + self.r.choice(GIVEN)

    def en_name(self) -> str:
        return f"{self.r.choice(EN_FIRST)} {self.r.choice(EN_LAST)}"

    def date(self, y0: int = 1930, y1: int = 2010) -> tuple[int, int, int]:
        r = self.r
        y = r.randint(y0, y1)
        m = r.randint(1, 12)
        d = r.randint(1, calendar.monthrange(y, m)[1])
        return y, m, d

    # ---- entity values -------------------------------------------------
    def id18(self, pudong_old: bool = False, force_x: bool = False) -> tuple[str, str]:
        r = self.r
        if pudong_old:
            area = "310115"
            y, m, d = self.date(1935, 1992)
        else:
            area = r.choice(AREA_CODES)
            y, m, d = self.date()
        while True:
            body = f"{area}{y:04d}{m:02d}{d:02d}{r.randint(0, 999):03d}"
            chk = ric.calc_check_digit(body + "0")
            if not force_x or chk == "X":
                break
        note = "pudong_pre1993" if pudong_old else ""
        if not pudong_old and not ric.is_valid(body + chk):
            note = "area_code_younger_than_holder"
        return body + chk, note

    def id15(self) -> str:
        r = self.r
        area = r.choice(AREA_CODES)
        y, m, d = self.date(1930, 1983)
        return f"{area}{y % 100:02d}{m:02d}{d:02d}{r.randint(0, 999):03d}"

    def card(self) -> tuple[str, str]:
        r = self.r
        k = r.random()
        if k < 0.5:
            prefix, n, brand = r.choice(UNIONPAY_PREFIXES), r.choice((16, 19)), "unionpay"
        elif k < 0.72:
            prefix, n, brand = "4" + self.digits(5), 16, "visa"
        elif k < 0.9:
            prefix, n, brand = f"5{r.randint(1, 5)}" + self.digits(4), 16, "mastercard"
        else:
            prefix, n, brand = r.choice(("34", "37")) + self.digits(4), 15, "amex"
        body = prefix + self.digits(n - 1 - len(prefix))
        return body + luhn.calc_check_digit(body), f"{brand}{n}"

    def mobile(self) -> str:
        while True:
            s = self.r.choice(MOBILE_PREFIXES) + self.digits(8)
            if phonenumbers.is_valid_number(phonenumbers.parse(s, "CN")):
                return s

    def intl_phone(self) -> tuple[str, str]:
        r = self.r
        region = r.choice(INTL_REGIONS)
        ex = phonenumbers.example_number_for_type(
            region, r.choice((phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE))
        )
        nat = str(ex.national_number)
        for _ in range(200):
            keep = max(2, len(nat) - 5)
            cand = nat[:keep] + self.digits(len(nat) - keep)
            num = phonenumbers.parse(f"+{ex.country_code}{cand}", None)
            if phonenumbers.is_valid_number(num) and "555" not in cand[3:6]:
                break
        else:  # pragma: no cover - example numbers are valid
            num = ex
        style = r.random()
        if style < 0.6:
            s = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            if r.random() < 0.5:
                s = s.replace("-", " ")
        else:
            s = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        return s, f"intl_{region}"

    def landline(self) -> str:
        r = self.r
        while True:
            area, n = r.choice(LANDLINE_AREAS)
            local = self.digits(n, "2345678")
            if phonenumbers.is_valid_number(phonenumbers.parse(area + local, "CN")):
                break
        sep = r.choice(("-", "-", " ", ""))
        return f"{area}{sep}{local}"

    def email(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.15:
            return f"{self.digits(r.randint(5, 10), '123456789')}@qq.com"
        if k < 0.6:
            base = r.choice(PINYIN)
            sep = r.choice(("", ".", "_", ""))
            if sep and len(base) > 4:
                cut = r.randint(2, len(base) - 2)
                base = base[:cut] + sep + base[cut:]
            if r.random() < 0.4:
                base += str(r.randint(1, 2024))
        else:
            base = f"{r.choice(EN_FIRST).lower()}{r.choice(('.', '_', ''))}{r.choice(EN_LAST).lower()}"
            if r.random() < 0.3:
                base += str(r.randint(1, 99))
        return f"{base}@{r.choice(EMAIL_DOMAINS)}"

    def passport(self) -> str:
        r = self.r
        if r.random() < 0.65:
            return r.choice("EEG") + self.digits(8)
        return "E" + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + self.digits(7)

    # ---- written forms ------------------------------------------------
    def write_id(self) -> tuple[str, str]:
        r = self.r
        pud = r.random() < 0.07
        v, note = self.id18(pudong_old=pud, force_x=r.random() < 0.12)
        form = "plain"
        k = r.random()
        if v.endswith("X") and r.random() < 0.3:
            v, form = v[:-1] + "x", "lower_x"
        if k < 0.12:
            v, form = _fullwidth(v), "fullwidth"
        elif k < 0.22:
            sep = r.choice((" ", "-", " "))
            if r.random() < 0.6:
                v = f"{v[:6]}{sep}{v[6:14]}{sep}{v[14:]}"
            else:
                v = f"{v[:6]}{sep}{v[6:10]}{sep}{v[10:14]}{sep}{v[14:]}"
            form = "spaced" if sep == " " else "dashed"
        if note:
            form = f"{form}+{note}"
        return v, form

    def write_card(self) -> tuple[str, str]:
        r = self.r
        v, brand = self.card()
        k = r.random()
        form = "plain"
        if k < 0.1:
            v, form = _fullwidth(v), "fullwidth"
        elif k < 0.35:
            sep = r.choice((" ", " ", "-", "."))
            if len(v) == 15:
                g = [v[:4], v[4:10], v[10:]]
            else:
                g = [v[i : i + 4] for i in range(0, len(v), 4)]
            v = sep.join(g)
            form = {" ": "spaced", "-": "dashed", ".": "dotted"}[sep]
        return v, f"{form}+{brand}"

    def write_phone(self) -> Ent:
        """A phone entity with its own label sub-span."""
        r = self.r
        k = r.random()
        if k < 0.08:
            s, form = self.intl_phone()
            return _ent(s, "PHONE_NUMBER", form)
        m = self.mobile()
        k = r.random()
        if k < 0.40:
            return _ent(m, "PHONE_NUMBER", "plain")
        if k < 0.48:
            return _ent("+86 " + m, "PHONE_NUMBER", "plus86_space")
        if k < 0.54:
            return _ent("+86" + m, "PHONE_NUMBER", "plus86_glued")
        if k < 0.59:
            return _ent(r.choice(("0086 ", "0086")) + m, "PHONE_NUMBER", "prefix0086")
        if k < 0.65:
            p = r.choice(("(+86)", "(+86) ", "（+86）"))
            return _ent(p + m, "PHONE_NUMBER", "paren_plus86", len(p))
        if k < 0.71:
            return _ent(f"+86 {m[:3]} {m[3:7]} {m[7:]}", "PHONE_NUMBER", "plus86_grouped")
        if k < 0.80:
            sep = r.choice(("-", " ", "."))
            form = {"-": "dashed", " ": "spaced", ".": "dotted"}[sep]
            return _ent(f"{m[:3]}{sep}{m[3:7]}{sep}{m[7:]}", "PHONE_NUMBER", form)
        if k < 0.90:
            if r.random() < 0.3:
                return _ent(_fullwidth(f"{m[:3]}-{m[3:7]}-{m[7:]}"), "PHONE_NUMBER", "fullwidth_dashed")
            return _ent(_fullwidth(m), "PHONE_NUMBER", "fullwidth")
        return _ent(m, "PHONE_NUMBER", "plain")

    def entity(self, typ: str) -> Ent:
        if typ == "CN_RESIDENT_ID":
            v, form = self.write_id()
            return _ent(v, typ, form)
        if typ == "BANK_CARD":
            v, form = self.write_card()
            return _ent(v, typ, form)
        if typ == "PHONE_NUMBER":
            return self.write_phone()
        if typ == "EMAIL_ADDRESS":
            return _ent(self.email(), typ, "plain")
        if typ == "CN_PASSPORT":
            v = self.passport()
            if self.r.random() < 0.08:
                return _ent(_fullwidth(v), typ, "fullwidth")
            return _ent(v, typ, "plain")
        raise ValueError(typ)

    # ---- decoys --------------------------------------------------------
    def _not_luhn(self, s: str) -> str:
        if luhn.is_valid(s):
            s = s[:-1] + str((int(s[-1]) + 1 + self.r.randint(0, 8)) % 10)
            if luhn.is_valid(s):  # pragma: no cover - cannot happen (one digit changed)
                s = s[:-1] + str((int(s[-1]) + 1) % 10)
        return s

    def decoy(self) -> tuple[str, str]:
        """Return (written decoy, kind)."""
        r = self.r
        k = r.randrange(15)
        if k == 0:  # 18-digit order number with a wrong check digit (ID-like structure)
            v, _ = self.id18()
            body = v[:17]
            good = ric.calc_check_digit(body + "0")
            while True:
                c = r.choice("0123456789")
                s = body + c
                if c != good and not luhn.is_valid(s):
                    return s, "order18_bad_check"
                body = body[:14] + f"{r.randint(0, 999):03d}"
                good = ric.calc_check_digit(body + "0")
        if k == 1:  # ID-like with impossible date but a correct check digit
            area = r.choice(AREA_CODES)
            y = r.randint(1950, 2005)
            m, d = r.choice(((13, r.randint(1, 28)), (2, 30), (2, 31), (4, 31), (0, 12), (11, 31), (6, 0), (9, 32)))
            while True:
                body = f"{area}{y:04d}{m:02d}{d:02d}{r.randint(0, 999):03d}"
                s = body + ric.calc_check_digit(body + "0")
                if not luhn.is_valid(s.replace("X", "0")) or s.endswith("X"):
                    return s, "id_impossible_date"
        if k == 2:  # Luhn-failing 62 card-like
            n = r.choice((16, 19))
            s = self._not_luhn(r.choice(UNIONPAY_PREFIXES) + self.digits(n - 6))
            if r.random() < 0.3:
                s = " ".join(s[i : i + 4] for i in range(0, len(s), 4))
            return s, "card62_bad_luhn"
        if k == 3:  # tracking numbers
            c = r.random()
            if c < 0.4:
                return "SF" + self.digits(13, "123456789"), "tracking_sf"
            if c < 0.7:
                return self.digits(12, "3456789"), "tracking12"
            return self.digits(13, "2345789"), "tracking13"
        if k == 4:  # 13-digit ms timestamp (starts with 17 -> mobile-looking prefix)
            return str(r.randint(1_600_000_000_000, 1_760_000_000_000)), "timestamp_ms"
        if k == 5:  # 11-digit numbers not starting 1[3-9]
            c = r.random()
            if c < 0.3:
                return "12345678901", "eleven_not_mobile"
            if c < 0.6:
                return "10086" + self.digits(6), "eleven_not_mobile"
            return r.choice(("10", "11", "12")) + self.digits(9), "eleven_not_mobile"
        if k == 6:  # mobile-looking run inside a longer digit run (lengths avoid 15-19)
            m = self.mobile()
            if r.random() < 0.5:
                s = self.digits(r.randint(1, 3), "123456789") + m
                if s.startswith("86"):
                    s = "9" + s[1:]
            else:
                s = self.digits(r.randint(4, 5), "123456789") + m + self.digits(r.randint(5, 7))
            return s, "mobile_inside_longer_run"
        if k == 7:  # ISBN
            pub = self.digits(r.randint(3, 4), "123456789")
            title = self.digits(8 - len(pub))
            core = f"9787{pub}{title}"
            chk = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(core)) % 10) % 10
            if r.random() < 0.6:
                return f"978-7-{pub}-{title}-{chk}", "isbn"
            return f"{core}{chk}", "isbn"
        if k == 8:  # price
            return r.choice((f"¥{r.randint(1, 99999)}.{r.randint(0, 99):02d}", f"${r.randint(1, 999)}.99",
                             f"{r.randint(1, 50000)}元", f"人民币{r.randint(1000, 999999):,}元")), "price"
        if k == 9:  # hex hash, sometimes with a long decimal run inside
            n = r.choice((32, 40, 64))
            h = "".join(r.choice("0123456789abcdef") for _ in range(n))
            if r.random() < 0.4:
                run = r.choice((self.mobile(), self.digits(r.randint(11, 18))))
                i = r.randint(1, n - len(run) - 1)  # run is fenced by a hex letter on both sides
                h = h[: i - 1] + r.choice("abcdef") + run + r.choice("abcdef") + h[i + len(run) + 1 :]
            return h, "hex_hash"
        if k == 10:
            h = "".join(r.choice("0123456789abcdef") for _ in range(32))
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", "uuid"
        if k == 11:  # masked numbers
            c = r.random()
            if c < 0.4:
                m = self.mobile()
                return f"{m[:3]}****{m[7:]}", "masked_phone"
            if c < 0.7:
                v, _ = self.id18()
                return f"{v[:6]}********{v[14:]}", "masked_id"
            v, _ = self.card()
            return f"{v[:4]} **** **** {v[-4:]}", "masked_card"
        if k == 12:  # 16/20-digit order numbers (not Luhn-valid)
            n = r.choice((14, 16, 20))
            s = f"{r.randint(2019, 2024)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}" + self.digits(n - 8)
            if 15 <= n <= 19:
                s = self._not_luhn(s)
            return s, "order_number"
        if k == 13:  # 10-digit unix timestamps / IP / version
            c = r.random()
            if c < 0.4:
                return str(r.randint(1_500_000_000, 1_760_000_000)), "timestamp_s"
            if c < 0.7:
                return f"{r.choice((10, 172, 192, 203))}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", "ip"
            return f"v{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 200)}", "version"
        # 14: phone-like 11 digits starting 1[3-9] but with wrong length: 10 or 12 digits
        m = self.mobile()
        if r.random() < 0.5:
            return m[:-1], "mobile_10_digits"
        return m + self.digits(1), "mobile_12_digits"

    # ---- ordinary numbers of the prose ---------------------------------
    def filler_zh(self, k: int | None = None) -> tuple[str, str]:
        r = self.r
        k = r.randrange(12) if k is None else k
        y, m, d = self.date(2015, 2025)
        if k == 0:
            return r.choice((f"¥{r.randint(1, 9999)}.{r.randint(0, 99):02d}", f"{r.randint(1, 500)}元",
                             f"{r.randint(1, 99)}.{r.randint(0, 9)}元", f"人民币{r.randint(1000, 99999):,}元")), "price"
        if k == 1:
            return r.choice((f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日", f"{y}/{m:02d}/{d:02d}", f"{y}.{m}.{d}")), "date"
        if k == 2:
            return f"{y}年", "year"
        if k == 3:
            return r.choice((f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}", f"{r.randint(1, 12)}点{r.randint(0, 59)}分",
                             f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}")), "time"
        if k == 4:
            return f"{r.randint(2, 50000)}{r.choice(('张', '件', '台', '人', '公里', '份', '箱', '次'))}", "quantity"
        if k == 5:
            return r.choice((f"{r.randint(1, 99)}%", f"{r.randint(0, 99)}.{r.randint(1, 9)}%")), "percent"
        if k == 6:
            return r.choice((f"验证码{self.digits(6)}", f"取件码{r.randint(1, 9)}-{r.randint(1, 9)}-{r.randint(1000, 9999)}",
                             f"房间{r.randint(101, 2805)}", f"邮编{self.digits(6, '123456789')}", f"工号A{self.digits(5)}")), "short_code"
        if k == 7:
            s, _ = self.decoy_isbn()
            return s, "isbn"
        if k == 8:
            return r.choice((f"第{r.randint(1, 300)}页", f"{r.randint(3, 40)}楼", f"{r.randint(1, 12)}号线")), "small_number"
        if k == 9:
            return f"{r.randint(1, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", "ip"
        if k == 10:
            return f"{r.randint(0, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}", "version"
        return f"{r.randint(10, 99)}.{r.randint(0, 9)}℃", "temperature"

    def decoy_isbn(self) -> tuple[str, str]:
        r = self.r
        pub = self.digits(r.randint(3, 4), "123456789")
        title = self.digits(8 - len(pub))
        core = f"9787{pub}{title}"
        chk = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(core)) % 10) % 10
        return f"ISBN 978-7-{pub}-{title}-{chk}", "isbn"

    def filler_en(self) -> tuple[str, str]:
        r = self.r
        k = r.randrange(9)
        y, m, d = self.date(2015, 2025)
        if k == 0:
            return r.choice((f"${r.randint(1, 999)}.{r.randint(0, 99):02d}", f"USD {r.randint(1, 9999):,}.00", f"€{r.randint(1, 500)}")), "price"
        if k == 1:
            return r.choice((f"{y}-{m:02d}-{d:02d}", f"{calendar.month_abbr[m]} {d}, {y}", f"{d:02d}/{m:02d}/{y}")), "date"
        if k == 2:
            return f"{r.randint(1, 12)}:{r.randint(0, 59):02d} {r.choice(('am', 'pm'))}", "time"
        if k == 3:
            return f"{r.randint(2, 90000):,} units", "quantity"
        if k == 4:
            return f"{r.randint(1, 99)}.{r.randint(0, 9)}%", "percent"
        if k == 5:
            return f"order #{r.randint(10000, 99999999)}", "order_number"
        if k == 6:
            return f"version {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}", "version"
        if k == 7:
            return f"room {r.randint(100, 999)}", "small_number"
        return f"{r.randint(1990, 2030)}", "year"


# --------------------------------------------------------------------------
# sentences and blocks
# --------------------------------------------------------------------------


def _zh_sentence(g: _Gen, b: _Builder) -> None:
    r = g.r
    k = r.randrange(8)
    num = g.filler_zh() if r.random() < 0.45 else None
    if k == 0:
        b.seq([f"{r.choice(CITIES)}{r.choice(ORGS)}{r.choice(TIMES)}{r.choice(VERBS)}了关于{r.choice(TOPICS)}的方案"]
              + (["，涉及", num] if num else []) + ["。"])
    elif k == 1:
        b.seq([f"{g.name()}表示，{r.choice(TOPICS)}工作{r.choice(ADJ)}推进，"] + (["截至", g.filler_zh(1), "，"] if num else [])
              + [f"{r.choice(NOUNS)}处理量{r.choice(ADJ)}提升。"])
    elif k == 2:
        b.seq([f"据{r.choice(ORGS)}统计"] + (["，", num] if num else []) + [f"，{r.choice(CITIES)}的{r.choice(TOPICS)}{r.choice(ADJ)}改善。"])
    elif k == 3:
        b.seq([f"{r.choice(TIMES)}，{g.name()}在{r.choice(CITIES)}{r.choice(VERBS)}了{r.choice(NOUNS)}"] + (["，记录为", num] if num else []) + ["。"])
    elif k == 4:
        b.seq([f"关于{r.choice(TOPICS)}，大家普遍认为需要{r.choice(ADJ)}{r.choice(VERBS)}，{r.choice(TAILS)}。"])
    elif k == 5:
        b.seq([f"{r.choice(ORGS)}提醒："] + ([g.filler_zh(r.choice((1, 3))), "起，"] if num else []) + [f"{r.choice(NOUNS)}需在{r.choice(ORGS)}{r.choice(VERBS)}，{r.choice(TAILS)}。"])
    elif k == 6:
        b.seq([f"这份{r.choice(NOUNS)}"] + (["金额为", g.filler_zh(0)] if num else []) + [f"，由{g.name()}负责跟进。"])
    else:
        b.seq([f"{r.choice(CITIES)}的{r.choice(TOPICS)}项目{r.choice(ADJ)}落地，{r.choice(TAILS)}！"])


def _en_sentence(g: _Gen, b: _Builder) -> None:
    r = g.r
    k = r.randrange(5)
    num = g.filler_en() if r.random() < 0.45 else None
    if k == 0:
        b.seq([f"{g.en_name()} {r.choice(EN_VERBS)} {r.choice(EN_NOUNS)}"] + ([" on ", num] if num else []) + [". "])
    elif k == 1:
        b.seq([f"The team in {r.choice(EN_PLACES)} {r.choice(EN_VERBS)} {r.choice(EN_NOUNS)}"] + ([" with ", num] if num else [])
              + [f"; {r.choice(EN_TAILS)}. "])
    elif k == 2:
        b.seq([f"According to {g.en_name()}, {r.choice(EN_NOUNS)} was {r.choice(EN_VERBS)}"] + ([" at ", num] if num else []) + [". "])
    elif k == 3:
        b.seq([f"As for {r.choice(EN_NOUNS)}, {r.choice(EN_TAILS)}. "])
    else:
        b.seq([f"We {r.choice(EN_VERBS)} {r.choice(EN_NOUNS)} in {r.choice(EN_PLACES)}"] + ([" (", num, ")"] if num else []) + [". "])


_TYPE_WEIGHTS = [
    ("CN_RESIDENT_ID", 0.30),
    ("PHONE_NUMBER", 0.30),
    ("BANK_CARD", 0.20),
    ("EMAIL_ADDRESS", 0.12),
    ("CN_PASSPORT", 0.08),
]


def _pick_type(r: random.Random) -> str:
    x = r.random()
    for t, w in _TYPE_WEIGHTS:
        x -= w
        if x < 0:
            return t
    return _TYPE_WEIGHTS[-1][0]


def _ctx(r: random.Random, typ: str, en: bool) -> str:
    return r.choice(CTX_EN[typ] if en else CTX[typ])


def _with_form(ent: Ent, extra: str) -> Ent:
    return ent._replace(form=f"{ent.form}+{extra}")


def _entity_sentence(g: _Gen, b: _Builder) -> int:
    """Emit one sentence holding 1-3 entities; return how many."""
    r = g.r
    k = r.random()
    # special context-only forms
    if k < 0.03:  # legacy 15-digit ID, always with a context word
        v = g.id15()
        ctx = r.choice(("旧身份证号", "身份证", "老身份证号码", "15位身份证号"))
        sep = r.choice(("：", "", " ", "为"))
        if r.random() < 0.15:
            v = _fullwidth(v)
        b.seq([f"{g.name()}提供的{ctx}{sep}", _ent(v, "CN_RESIDENT_ID", "legacy15"), f"，{r.choice(TAILS)}。"])
        return 1
    if k < 0.07:  # landline, with context
        ctx = r.choice(("电话：", "座机：", "Tel: ", "办公电话 ", "固话", "电话"))
        en_city = r.choice(("Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Hangzhou", "Chengdu"))
        b.seq([f"{r.choice(ORGS)}{ctx}" if not ctx.startswith("Tel") else f"{en_city} office, {ctx}",
               _ent(g.landline(), "PHONE_NUMBER", "landline"), "，工作日接听。"])
        return 1
    if k < 0.14:  # several numbers separated only by / | ， or one space
        typs = [r.choice(("PHONE_NUMBER", "PHONE_NUMBER", "BANK_CARD", "CN_RESIDENT_ID")) for _ in range(r.randint(2, 3))]
        sep = r.choice(("/", "|", "，", " ", "/", " | "))
        tag = {"/": "slash", "|": "pipe", "，": "fw_comma", " ": "single_space", " | ": "pipe_spaced"}[sep]
        ents = []
        for t in typs:
            e = g.entity(t)
            # keep the single-space list unambiguous: no inner spaces in the items
            while sep.strip() == "" and (" " in e.surface):
                e = g.entity(t)
            ents.append(_with_form(e, f"multi_{tag}"))
        items: list = [f"{g.name()}登记的号码：" if r.random() < 0.5 else "Numbers on file: "]
        for i, e in enumerate(ents):
            if i:
                items.append(sep)
            items.append(e)
        items.append("。" if r.random() < 0.5 else ". ")
        b.seq(items)
        return len(ents)

    typ = _pick_type(r)
    e = g.entity(typ)
    en = r.random() < 0.3
    needs_ctx = typ == "CN_PASSPORT"
    t = r.randrange(9)
    name = g.en_name() if en else g.name()
    if needs_ctx and t >= 6:
        t = r.randrange(6)
    if en:
        ctx = _ctx(r, typ, True)
        if t in (0, 1):
            b.seq([f"{name}'s {ctx} is ", e, f", {r.choice(EN_TAILS)}. "])
        elif t == 2:
            b.seq([f"{ctx}: ", e, ". "])
        elif t == 3:
            b.seq([f"Please verify {ctx} ", _with_form(e, "en_ctx"), f" before {g.filler_en()[0]}. "])
        elif t == 4:
            b.seq([f"{name} ({ctx} ", _with_form(e, "paren"), f") {r.choice(EN_VERBS)} {r.choice(EN_NOUNS)}. "])
        elif t == 5:
            b.seq([f"[{ctx}: ", _with_form(e, "bracket"), f"] {r.choice(EN_TAILS)}. "])
        else:
            b.seq([f"Forwarded by {name} (", _with_form(e, "no_ctx"), f") on {g.filler_en()[0]}. "])
        return 1
    ctx = _ctx(r, typ, False)
    if t == 0:
        b.seq([f"{name}的{ctx}是", e, f"，{r.choice(TAILS)}。"])
    elif t == 1:
        b.seq([f"{ctx}：", e, "。"])
    elif t == 2:  # glued on both sides
        glue = r.choice(("号码", "的记录", "已登记", "请核对", "无误"))
        b.seq([f"{r.choice(ORGS)}收到{ctx}", _with_form(e, "glued"), f"{glue}。"])
    elif t == 3:
        b.seq([f"{name}（{ctx}：", _with_form(e, "paren"), f"）{r.choice(TIMES)}{r.choice(VERBS)}了{r.choice(NOUNS)}。"])
    elif t == 4:
        b.seq([f"【{ctx}】", _with_form(e, "bracket"), f"，{r.choice(TAILS)}。"])
    elif t == 5:
        b.seq([f"{name}留下的{ctx}为 ", e, f" ，{r.choice(TAILS)}。"])
    elif t == 6:
        b.seq([f"{r.choice(TIMES)}收到", _with_form(e, "no_ctx_glued"), f"的{r.choice(NOUNS)}，{r.choice(TAILS)}。"])
    elif t == 7:
        b.seq([f"名单第{r.randint(1, 300)}行：{name}，", _with_form(e, "no_ctx"), f"，{r.choice(CITIES)}。"])
    else:
        b.seq([f"{name}（", _with_form(e, "no_ctx_paren"), f"）{r.choice(TAILS)}。"])
    return 1


def _decoy_sentence(g: _Gen, b: _Builder) -> int:
    r = g.r
    s, kind = g.decoy()
    d = (s, kind)
    if r.random() < 0.3:
        t = r.randrange(4)
        if t == 0:
            b.seq([f"{g.en_name()} mentioned ref ", d, f"; {r.choice(EN_TAILS)}. "])
        elif t == 1:
            b.seq(["Reference: ", d, ". "])
        elif t == 2:
            b.seq([f"{r.choice(EN_NOUNS).capitalize()} lists ", d, " as the key. "])
        else:
            b.seq(["(", d, ") was logged. "])
        return 1
    label = {
        "order18_bad_check": "订单号", "id_impossible_date": "流水号", "card62_bad_luhn": "会员号",
        "tracking_sf": "快递单号", "tracking12": "运单号", "tracking13": "运单号", "timestamp_ms": "时间戳",
        "eleven_not_mobile": "客服号", "mobile_inside_longer_run": "交易流水", "isbn": "ISBN",
        "price": "价格", "hex_hash": "校验值", "uuid": "请求ID", "masked_phone": "手机",
        "masked_id": "身份证", "masked_card": "卡号", "order_number": "订单编号", "timestamp_s": "时间戳",
        "ip": "IP地址", "version": "版本", "mobile_10_digits": "编号", "mobile_12_digits": "编号",
    }[kind]
    t = r.randrange(5)
    if t == 0:
        b.seq([f"{g.name()}的{label}是", d, f"，{r.choice(TAILS)}。"])
    elif t == 1:
        b.seq([f"{label}：", d, "。"])
    elif t == 2:
        b.seq([f"{r.choice(ORGS)}{label}", d, "已处理。"])
    elif t == 3:
        b.seq([f"（{label} ", d, f"）{r.choice(TIMES)}{r.choice(VERBS)}。"])
    else:
        b.seq([f"{r.choice(TIMES)}收到", d, f"的{r.choice(NOUNS)}。"])
    return 1


def _kv_block(g: _Gen, b: _Builder) -> int:
    r = g.r
    n = 0
    style = r.randrange(3)
    typs = r.sample(["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD", "EMAIL_ADDRESS", "CN_PASSPORT"], r.randint(2, 4))
    if style == 2:  # JSON-ish
        b.t("{" + f'"name": "{g.name()}"')
        for t in typs:
            e = g.entity(t)
            b.seq([f', "{r.choice(KV_KEYS[t])}": "', _with_form(e, "json"), '"'])
            n += 1
        b.seq([', "order": "', g.decoy(), '"}\n'])
        return n
    colon = r.choice((": ", "：", "=", ":"))
    b.t(f"姓名{colon}{g.name()}\n")
    for t in typs:
        e = g.entity(t)
        b.seq([f"{r.choice(KV_KEYS[t])}{colon}", _with_form(e, "kv"), "\n"])
        n += 1
    s, kind = g.decoy()
    b.seq([f"备注{colon}", (s, kind), "\n"])
    return n


def _csv_block(g: _Gen, b: _Builder) -> int:
    r = g.r
    cols = r.sample(["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD", "EMAIL_ADDRESS"], r.randint(2, 4))
    heads = {"CN_RESIDENT_ID": "身份证号", "PHONE_NUMBER": "手机", "BANK_CARD": "卡号", "EMAIL_ADDRESS": "邮箱"}
    sep = r.choice((",", ",", "\t", ";"))
    b.t(sep.join(["姓名"] + [heads[c] for c in cols] + ["订单号", "金额"]) + "\n")
    n = 0
    for _ in range(r.randint(2, 3)):
        b.t(g.name() + sep)
        for c in cols:
            e = g.entity(c)
            while sep in e.surface:
                e = g.entity(c)
            b.seq([_with_form(e, "csv"), sep])
            n += 1
        s, kind = g.decoy()
        while sep in s:
            s, kind = g.decoy()
        b.seq([(s, kind), sep, g.filler_zh() if r.random() < 0.5 else f"{r.randint(1, 999)}.{r.randint(0, 99):02d}", "\n"])
    return n


def _log_block(g: _Gen, b: _Builder, with_entity: bool) -> int:
    r = g.r
    n = 0
    for _ in range(r.randint(2, 4)):
        y, m, d = g.date(2022, 2025)
        h = "".join(r.choice("0123456789abcdef") for _ in range(32))
        uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        b.seq([(f"{y}-{m:02d}-{d:02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999):03d}", "log_time"),
               f" {r.choice(('INFO', 'WARN', 'DEBUG'))} [req=", (uuid, "uuid"), "] ip=",
               (f"{r.choice((10, 172, 192))}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", "ip"),
               " ts=", (str(r.randint(1_600_000_000_000, 1_760_000_000_000)), "timestamp_ms"), " "])
        if with_entity and r.random() < 0.5:
            t = r.choice(("EMAIL_ADDRESS", "PHONE_NUMBER", "CN_RESIDENT_ID"))
            e = g.entity(t)
            key = {"EMAIL_ADDRESS": "user", "PHONE_NUMBER": "mobile", "CN_RESIDENT_ID": "id_no"}[t]
            b.seq([f"{key}=", _with_form(e, "log"), " "])
            n += 1
        s, kind = g.decoy()
        b.seq([r.choice(("sha=", "ref=", "trace=")), (s, kind), " latency=", (f"{r.randint(1, 900)}ms", "quantity"), "\n"])
    return n


def build_corpus_annotated(target_chars: int = 5_000_000, seed: int = 0) -> Corpus:
    """Build the corpus and return text, labels, label forms and decoy spans."""
    rng = random.Random(seed)
    g = _Gen(rng)
    b = _Builder()
    gap = (250, 1150)  # mean ~700 characters between labeled entities, same for decoys
    next_ent = rng.randint(*gap) // 2
    next_dec = rng.randint(*gap) // 2
    while b.pos < target_chars:
        # a prose paragraph of mixed Chinese / English sentences; when an entity
        # is due it is sometimes written as a record-like block instead
        en_par = rng.random() < 0.25
        for _ in range(rng.randint(3, 9)):
            if b.pos >= next_ent:
                if rng.random() < 0.08:
                    b.t("\n")
                    x = rng.random()
                    if x < 0.45:
                        n = _kv_block(g, b)
                    elif x < 0.8:
                        n = _csv_block(g, b)
                    else:
                        n = _log_block(g, b, with_entity=True)
                    next_ent = b.pos + sum(rng.randint(*gap) for _ in range(max(n, 1)))
                    break
                n = _entity_sentence(g, b)
                next_ent = b.pos + sum(rng.randint(*gap) for _ in range(n))
            elif b.pos >= next_dec:
                if rng.random() < 0.06:
                    b.t("\n")
                    _log_block(g, b, with_entity=False)
                    next_dec = b.pos + sum(rng.randint(*gap) for _ in range(3))
                    break
                _decoy_sentence(g, b)
                next_dec = b.pos + rng.randint(*gap)
            elif rng.random() < (0.8 if en_par else 0.15):
                _en_sentence(g, b)
            else:
                _zh_sentence(g, b)
        b.t("\n\n")
    text = "".join(b.parts)
    return Corpus(text=text, labels=b.labels, forms=b.forms, decoys=b.decoys)


# --------------------------------------------------------------------------
# dense leaked rows
# --------------------------------------------------------------------------

#: The row formats of leaked tables: comma and tab separated, the ``----`` of Chinese
#: "four-piece" dumps, and the rows of a SQL dump.
DENSE_FORMATS = ("csv", "tsv", "dash4", "sql")

ROADS = ["建国路", "人民路", "解放路", "中山路", "长江路", "淮海路", "南京路", "朝阳路", "和平街", "新华路"]
DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "天河区", "南山区", "武侯区", "西湖区", "鼓楼区", "江汉区", "雁塔区"]


@dataclass
class DenseRows:
    """Leaked-table rows, one snippet each, with per-row labels (offsets into the row)."""

    rows: list[str]
    labels: list[list[Label]]
    formats: list[str]  # parallel to rows

    @property
    def chars(self) -> int:
        return sum(len(row) for row in self.rows)


def _address(g: _Gen) -> str:
    r = g.r
    return (f"{r.choice(CITIES)}市{r.choice(DISTRICTS)}{r.choice(ROADS)}{r.randint(1, 999)}号"
            + (f"{r.randint(1, 30)}号楼{r.randint(1, 6)}单元{r.randint(101, 2806)}" if r.random() < 0.6 else ""))


def _dense_row(g: _Gen, fmt: str, row_id: int) -> tuple[str, list[Label]]:
    """One row: a name, a resident ID, a bank card and a mobile, sometimes an e-mail,
    with the unlabeled columns leaks carry (row id, address, timestamps, amounts)."""
    r = g.r
    name = g.name() if r.random() < 0.85 else g.en_name()
    rid, _note = g.id18(force_x=r.random() < 0.08)
    if rid.endswith("X") and r.random() < 0.3:
        rid = rid[:-1] + "x"
    card, _brand = g.card()
    mobile = g.mobile()
    phone = r.choice(("+86", "+86 ", "0086")) + mobile if r.random() < 0.08 else mobile
    email = g.email() if r.random() < 0.3 else ""
    y, m, d = g.date(2012, 2024)
    stamp = f"{y}-{m:02d}-{d:02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    address = _address(g)
    b = _Builder()
    if fmt == "sql":
        b.t(f"INSERT INTO `members` VALUES ({row_id}, '{name}', '")
        for value, typ in ((rid, "CN_RESIDENT_ID"), (phone, "PHONE_NUMBER"), (card, "BANK_CARD")):
            b.e(_ent(value, typ, "sql"))
            b.t("', '")
        if email:
            b.e(_ent(email, "EMAIL_ADDRESS", "sql"))
        b.t(f"', '{address}', {r.randint(0, 99999)}.{r.randint(0, 99):02d}, '{stamp}');")
    elif fmt == "dash4":
        b.t(name + "----")
        b.e(_ent(rid, "CN_RESIDENT_ID", "dash4"))
        b.t("----")
        b.e(_ent(phone, "PHONE_NUMBER", "dash4"))
        b.t("----")
        b.e(_ent(card, "BANK_CARD", "dash4"))
        if email:
            b.t("----")
            b.e(_ent(email, "EMAIL_ADDRESS", "dash4"))
        if r.random() < 0.5:
            b.t("----" + address)
    else:
        sep = "," if fmt == "csv" else "\t"
        b.t(f"{row_id}{sep}{name}{sep}")
        for value, typ in ((rid, "CN_RESIDENT_ID"), (phone, "PHONE_NUMBER"), (card, "BANK_CARD")):
            b.e(_ent(value, typ, fmt))
            b.t(sep)
        if email:
            b.e(_ent(email, "EMAIL_ADDRESS", fmt))
        b.t(f"{sep}{address}{sep}{stamp}")
    return "".join(b.parts), b.labels


_DENSE_HEADERS = {
    "csv": "id,姓名,身份证号,手机号,银行卡号,邮箱,地址,注册时间",
    "tsv": "id\t姓名\t身份证号\t手机号\t银行卡号\t邮箱\t地址\t注册时间",
}


def build_dense_rows(rows_per_format: int = 5_000, seed: int = 0,
                     formats: tuple[str, ...] = DENSE_FORMATS) -> DenseRows:
    """Rows of leaked tables, ``rows_per_format`` in each format, in blocks of 100 rows
    per format (csv and tsv blocks start with their header row, counted as a row)."""
    rng = random.Random(f"dense-{seed}")
    g = _Gen(rng)
    out = DenseRows([], [], [])
    row_id = {fmt: 0 for fmt in formats}
    while any(row_id[fmt] < rows_per_format for fmt in formats):
        for fmt in formats:
            block = min(100, rows_per_format - row_id[fmt])
            if block <= 0:
                continue
            if fmt in _DENSE_HEADERS:
                out.rows.append(_DENSE_HEADERS[fmt])
                out.labels.append([])
                out.formats.append(fmt)
            for _ in range(block):
                row_id[fmt] += 1
                text, labels = _dense_row(g, fmt, 100_000 + row_id[fmt])
                out.rows.append(text)
                out.labels.append(labels)
                out.formats.append(fmt)
    return out


# --------------------------------------------------------------------------
# self-check
# --------------------------------------------------------------------------

_BARE = r"(?<![0-9A-Za-z])({})(?![0-9A-Za-z])"


def audit(corpus: Corpus) -> list[str]:
    """Return a list of problems (empty when the corpus is consistent).

    Checks that labels are ordered, non-overlapping and hold a digit/@, and that
    no *bare* (not glued to ASCII letters/digits) valid entity lies outside the
    labels: an 11-digit mobile, a Luhn-valid card-prefixed 15-19-digit run, or a
    valid 18-digit resident ID.
    """
    text, labels = corpus.text, corpus.labels
    problems: list[str] = []
    prev_end = -1
    covered = bytearray(len(text))
    for lab in labels:
        if lab.start < prev_end or lab.start >= lab.end:
            problems.append(f"bad/overlapping label at {lab.start}")
        prev_end = lab.end
        covered[lab.start : lab.end] = b"\x01" * (lab.end - lab.start)
    norm = text.translate(_FROM_FW)

    def outside(m: re.Match) -> bool:
        return not any(covered[m.start() : m.end()])

    for m in re.finditer(_BARE.format(r"1[3-9]\d{9}"), norm, re.ASCII):
        if outside(m):
            problems.append(f"unlabeled mobile at {m.start()}")
    for m in re.finditer(_BARE.format(r"\d{15,19}"), norm, re.ASCII):
        s = m.group(1)
        if outside(m) and luhn.is_valid(s) and re.match(r"62|4|5[1-5]|3[47]", s):
            problems.append(f"unlabeled Luhn-valid card-like run at {m.start()}")
    for m in re.finditer(_BARE.format(r"\d{17}[\dXx]"), norm, re.ASCII):
        s = m.group(1).upper()
        if outside(m) and ric.calc_check_digit(s) == s[-1]:
            try:
                ric.get_birth_date(s)
            except Exception:
                continue
            problems.append(f"unlabeled valid resident ID at {m.start()}")
    return problems


if __name__ == "__main__":  # pragma: no cover - manual inspection helper
    import collections
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    c = build_corpus_annotated(size, 0)
    print(len(c.text), "chars,", len(c.labels), "labels,", len(c.decoys), "decoy/filler spans")
    print(collections.Counter(lab.type for lab in c.labels))
    print(collections.Counter(f.split("+")[0] for f in c.forms).most_common())
    print(audit(c)[:10])

"""Demo dossiers: about 2,000 realistic dossiers over the last 12 months, made through the same actions the
application uses (never by writing statuses), so the back office and the dashboards have something real
to show.

What is generated
-----------------
* People: a pool of demo citizens with Vietnamese names, valid 12-digit personal IDs and mobile numbers.
  Their IDs follow the national layout (093 = Hậu Giang, a century/sex digit, the year of birth) and carry
  the marker ``99`` in positions 7–8: that is how a later run recognises the dossiers it made. The demo
  accounts' citizen (``accounts.demo.DEMO_CITIZEN_PERSONAL_ID``) gets a handful of dossiers of their own.
* Staff: the demo officials where they hold roles; every other agency used gets a generated receiving
  officer, specialist and leader (``motcua.<agency code>``...) whose password is unusable — they exist for
  the trail, nobody signs in as them. Citizens and staff are inserted in bulk (hashing a password per
  account would cost most of the run); every dossier step goes through ``dossiers.actions``.
* Dossiers: spread over the last 12 months (more in recent months), across the procedures (weighted by
  how common they are) and agencies that receive them (a dozen communes, the demo commune the busiest,
  the districts, the provincial bodies). The mix is fixed by ``SCENARIOS`` — most returned on time, some
  late, refused, withdrawn, stopped, with one or two supplements, with fees paid, with a confirmed apology;
  and open ones right now: new, received, processing (on track, due soon, late), waiting for a supplement
  or a payment, processed and waiting for the citizen to collect. With 18 or more dossiers every
  scenario, hence every status 1–10, occurs at least once. Forms are generated from each procedure's
  JSON Schema; every mandatory document gets a small valid PDF.
* At the end the periodic apology drafting runs, as it would have, so the officers find drafts to
  confirm on the dossiers due within a few working hours or already late.
* Then citizens rate some of their returned dossiers, some with feedback that officers answered on time,
  late or not yet (``feedback.demo``; the demo citizen's own dossiers are left for them to rate).

Idempotent: a second run counts the demo dossiers already there and only tops up to ``count``.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from io import BytesIO
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mekong.accounts.demo import DEMO_CITIZEN_PERSONAL_ID, resolve_slots
from mekong.accounts.models import RoleAssignment, User, UserKind
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind, Procedure, RequiredDocument
from mekong.core.text import fold
from mekong.dossiers import actions
from mekong.dossiers.apology import confirm_apology, draft_apologies, draft_apology
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import Channel, Dossier, ResultDelivery
from mekong.dossiers.workdays import VIETNAM_TZ, WorkingCalendar
from mekong.feedback.demo import RatingReport, rate_demo_dossiers
from mekong.payments import demo as demo_payments

ProgressCallback = Callable[[int, int], None]

DEMO_ID_MARKER = "99"  # positions 7–8 of a demo person's personal ID
DEMO_ID_PATTERN = r"^093[0-3][0-9]{2}99[0-9]{4}$"
BATCH = 25  # dossiers per transaction: far fewer commits, still a small rollback if anything fails
COMMUNES_USED = 12
DEMO_COMMUNE_WEIGHT = 6  # the demo officers' commune gets this many shares of the commune dossiers


# --- scenarios ------------------------------------------------------------------------------------------


class Scenario(StrEnum):
    ON_TIME = "on_time"
    ONE_SUPPLEMENT = "one_supplement"
    TWO_SUPPLEMENTS = "two_supplements"
    SUPPLEMENT_BEFORE_RECEIPT = "supplement_before_receipt"
    PAID = "paid"
    LATE = "late"
    APOLOGY = "apology"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    AWAITING_PICKUP = "awaiting_pickup"
    # open now
    NEW = "new"
    RECEIVED = "received"
    PROCESSING = "processing"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WAITING_SUPPLEMENT = "waiting_supplement"
    WAITING_PAYMENT = "waiting_payment"


# Shares per thousand. ON_TIME takes what rounding leaves.
SCENARIOS: dict[Scenario, int] = {
    Scenario.ON_TIME: 605,
    Scenario.ONE_SUPPLEMENT: 90,
    Scenario.TWO_SUPPLEMENTS: 20,
    Scenario.SUPPLEMENT_BEFORE_RECEIPT: 20,
    Scenario.PAID: 20,
    Scenario.LATE: 60,
    Scenario.APOLOGY: 25,
    Scenario.REFUSED: 50,
    Scenario.WITHDRAWN: 30,
    Scenario.STOPPED: 20,
    # Open now: a backlog of a couple of weeks, as in an office that keeps up.
    Scenario.AWAITING_PICKUP: 6,
    Scenario.NEW: 12,
    Scenario.RECEIVED: 8,
    Scenario.PROCESSING: 12,
    Scenario.DUE_SOON: 6,
    Scenario.OVERDUE: 5,
    Scenario.WAITING_SUPPLEMENT: 8,
    Scenario.WAITING_PAYMENT: 3,
}
# Calendar days a finished story needs beyond the time limit (supplements, stops, lateness...).
EXTRA_DAYS = {
    Scenario.ONE_SUPPLEMENT: 8,
    Scenario.TWO_SUPPLEMENTS: 15,
    Scenario.SUPPLEMENT_BEFORE_RECEIPT: 7,
    Scenario.PAID: 4,
    Scenario.LATE: 17,
    Scenario.STOPPED: 33,
    Scenario.WITHDRAWN: 8,
}
OPEN_SCENARIOS = frozenset(
    {
        Scenario.NEW,
        Scenario.RECEIVED,
        Scenario.PROCESSING,
        Scenario.DUE_SOON,
        Scenario.OVERDUE,
        Scenario.WAITING_SUPPLEMENT,
        Scenario.WAITING_PAYMENT,
        Scenario.AWAITING_PICKUP,
    }
)
NEEDS_FEE = frozenset({Scenario.PAID, Scenario.WAITING_PAYMENT})
# The demo citizen's own dossiers: something to look at in every part of the portal.
DEMO_CITIZEN_SCENARIOS = (
    Scenario.ON_TIME,
    Scenario.ON_TIME,
    Scenario.ONE_SUPPLEMENT,
    Scenario.APOLOGY,
    Scenario.PROCESSING,
    Scenario.WAITING_SUPPLEMENT,
    Scenario.NEW,
    Scenario.LATE,
    Scenario.PAID,  # paid online through the sandbox gateway, with its e-receipt
    Scenario.WAITING_PAYMENT,  # the "Thanh toán" button on their dossier page
)


def scenario_counts(count: int) -> dict[Scenario, int]:
    """How many dossiers of each scenario: proportional to ``SCENARIOS``, each at least one when there is
    room for all of them. Deterministic."""
    if count <= 0:
        return {}
    total = sum(SCENARIOS.values())
    floor_of = {s: math.floor(count * share / total) for s, share in SCENARIOS.items()}
    if count >= len(SCENARIOS):
        floor_of = {s: max(1, n) for s, n in floor_of.items()}
    counts = dict(floor_of)
    surplus = sum(counts.values()) - count
    # Too many after the minimums: take from the biggest; too few: the remainder is returned on time.
    while surplus > 0:
        biggest = max(counts, key=lambda s: counts[s])
        counts[biggest] -= 1
        surplus -= 1
    counts[Scenario.ON_TIME] += -surplus
    return {s: n for s, n in counts.items() if n > 0}


# --- people -----------------------------------------------------------------------------------------------

FAMILY_NAMES = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 6), ("Võ", 5), ("Phan", 4),
    ("Trương", 3), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 2), ("Ngô", 2), ("Dương", 2), ("Lý", 2), ("Hồ", 2),
    ("Lâm", 2), ("Châu", 1), ("Thái", 1), ("Tô", 1), ("Đoàn", 1), ("Mai", 1), ("Cao", 1), ("Quách", 1),
)  # fmt: skip
MIDDLE_NAMES = {
    "male": ("Văn", "Văn", "Văn", "Minh", "Hoàng", "Quốc", "Thành", "Hữu", "Công", "Đức", "Thanh", "Ngọc"),
    "female": ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thu", "Bích", "Phương", "Hồng", "Diễm"),
}
GIVEN_NAMES = {
    "male": (
        "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Khoa", "Long", "Lộc", "Minh", "Nam",
        "Nghĩa", "Phát", "Phúc", "Quang", "Tài", "Tâm", "Thắng", "Thịnh", "Toàn", "Trí", "Trung", "Tuấn",
        "Vinh", "Hiếu", "Đạt", "Duy", "Kiệt", "Sơn",
    ),
    "female": (
        "Anh", "Cúc", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh",
        "Loan", "Mai", "My", "Ngân", "Nhi", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Thủy", "Trang",
        "Trinh", "Tuyết", "Vân", "Vy", "Yến", "Xuân",
    ),
}  # fmt: skip
HAMLETS = (
    "Ấp 1", "Ấp 2", "Ấp 3", "Ấp 4", "Ấp 5", "Ấp Thạnh Lợi", "Ấp Tân Phú", "Ấp Long An", "Ấp Phú Hưng",
    "Ấp Xẻo Môn", "Ấp Mỹ Hiệp", "Ấp Đông Bình", "Ấp Nhơn Thuận", "Ấp Láng Sen", "Khu vực 2", "Khu vực 4",
)  # fmt: skip
MOBILE_PREFIXES = (
    "32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "70", "76", "77", "78", "79", "81", "82",
    "83", "84", "85", "86", "88", "89", "90", "91", "93", "94", "96", "97", "98",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # "male" / "female"
    born: date
    personal_id: str
    phone: str


class NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._families = [name for name, _weight in FAMILY_NAMES]
        self._weights = [weight for _name, weight in FAMILY_NAMES]

    def family(self) -> str:
        return self.rng.choices(self._families, self._weights)[0]

    def full(self, sex: str | None = None) -> str:
        sex = sex or self.rng.choice(("male", "female"))
        return f"{self.family()} {self.rng.choice(MIDDLE_NAMES[sex])} {self.rng.choice(GIVEN_NAMES[sex])}"


def demo_personal_id(rng: random.Random, sex: str, born: date) -> str:
    """093 (Hậu Giang) · century and sex · year of birth · the demo marker · four digits."""
    century = 0 if born.year < 2000 else 2
    code = century + (1 if sex == "female" else 0)
    return f"093{code}{born.year % 100:02d}{DEMO_ID_MARKER}{rng.randrange(10_000):04d}"


def make_people(seed: int, size: int) -> list[Person]:
    """The same seed gives the same people, and a longer list starts with the shorter one."""
    rng = random.Random(f"people-{seed}")  # noqa: S311 (reproducible demo data)
    names = NameMaker(rng)
    people: list[Person] = []
    ids: set[str] = set()
    phones: set[str] = set()
    while len(people) < size:
        sex = rng.choice(("male", "female"))
        born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
        personal_id = demo_personal_id(rng, sex, born)
        phone = f"0{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
        if personal_id in ids or phone in phones:
            continue
        ids.add(personal_id)
        phones.add(phone)
        people.append(Person(names.full(sex), sex, born, personal_id, phone))
    return people


# --- forms from JSON Schema ----------------------------------------------------------------------------

_PATTERN_TOKEN = re.compile(r"(\\d|\[0-9\]|[0-9A-Za-z])(?:\{(\d+)(?:,(\d+))?\})?")

TEXTS: dict[str, tuple[str, ...]] = {
    "ly_do": (
        "Bổ sung hồ sơ cá nhân",
        "Làm thủ tục mua bán nhà đất",
        "Bổ túc hồ sơ xin việc làm",
        "Theo yêu cầu của cơ quan, tổ chức",
    ),
    "noi_dung": (
        "Cải chính ngày, tháng, năm sinh theo giấy tờ gốc",
        "Bổ sung thông tin dân tộc",
        "Thay đổi tên theo nguyện vọng của cha mẹ",
    ),
    "muc_dich": ("Đất ở tại nông thôn", "Đất trồng cây lâu năm", "Đất ở tại đô thị"),
    "nganh_nghe": ("Bán lẻ tạp hóa", "Dịch vụ ăn uống", "Sửa chữa xe máy", "Kinh doanh vật liệu xây dựng"),
    "ten_giay_to": ("Bằng tốt nghiệp trung học phổ thông", "Giấy khai sinh", "Học bạ trung học cơ sở"),
    "ten_van_ban": ("Giấy ủy quyền", "Đơn xác nhận", "Bản cam kết"),
    "ten_hop_dong": ("Hợp đồng chuyển nhượng quyền sử dụng đất", "Hợp đồng tặng cho quyền sử dụng đất"),
    "tai_san": ("Quyền sử dụng đất và nhà ở gắn liền với đất", "Xe mô tô hai bánh"),
    "nguyen_nhan": ("Bệnh già", "Tai nạn giao thông", "Bệnh hiểm nghèo"),
    "truong": ("Trường THCS Vị Thanh", "Trường THCS Thị trấn Ngã Sáu", "Trường THCS Long Mỹ"),
}
FEMALE_HINTS = ("_me", "_vo", "nu")
MALE_HINTS = ("_cha", "_chong")


@dataclass
class FormContext:
    rng: random.Random
    names: NameMaker
    applicant: Person
    address: str
    delivery: str
    submitted: date
    title: str = ""
    remembered: dict[str, Any] = field(default_factory=dict)


def value_from_pattern(pattern: str, rng: random.Random) -> str:
    """A string matching the simple anchored patterns catalogues use (``^\\d{12}$``, ``^0\\d{9}$``,
    ``^\\d{6,20}$``). Anything else is refused, so a new kind of pattern shows up in the tests."""
    body = pattern.removeprefix("^").removesuffix("$")
    out: list[str] = []
    position = 0
    for match in _PATTERN_TOKEN.finditer(body):
        if match.start() != position:
            raise ValueError(f"unsupported pattern: {pattern}")
        position = match.end()
        token, low, high = match.groups()
        repeat = 1 if low is None else rng.randint(int(low), int(high or low))
        for _ in range(repeat):
            out.append(str(rng.randrange(10)) if token in (r"\d", "[0-9]") else token)
    if position != len(body):
        raise ValueError(f"unsupported pattern: {pattern}")
    return "".join(out)


def _fit(text: str, prop: dict[str, Any]) -> str:
    minimum, maximum = int(prop.get("minLength", 0)), int(prop.get("maxLength", 10_000))
    while len(text) < minimum:
        text += " (bổ sung)"
    return text[:maximum]


def _text_for(name: str, prop: dict[str, Any], ctx: FormContext) -> str:
    rng = ctx.rng
    if name.startswith("ho_ten"):
        if "nguoi_yeu_cau" in name or (name == "ho_ten_chu_ho" and rng.random() < 0.7):
            return ctx.applicant.name
        if any(hint in name for hint in FEMALE_HINTS):
            return ctx.names.full("female")
        if any(hint in name for hint in MALE_HINTS):
            return ctx.names.full("male")
        return ctx.names.full()
    if name == "dan_toc":
        return "Kinh"
    if name == "quoc_tich":
        return "Việt Nam"
    if name == "ngon_ngu":
        return rng.choice(("Tiếng Anh", "Tiếng Trung", "Tiếng Khmer"))
    if name.startswith(("dia_chi", "noi_", "que_quan")) and "truong" not in name:
        return ctx.address if rng.random() < 0.6 else f"{rng.choice(HAMLETS)}, tỉnh Hậu Giang"
    if name.startswith("truong"):
        return rng.choice(TEXTS["truong"])
    if name.startswith("ten_ho_kinh_doanh"):
        return f"Hộ kinh doanh {ctx.names.family()} {rng.choice(GIVEN_NAMES['female'])}"
    if name.startswith("ten_doanh_nghiep"):
        return (
            f"Doanh nghiệp tư nhân {rng.choice(GIVEN_NAMES['male'])} {rng.choice(('Phát', 'Lợi', 'Thành'))}"
        )
    if name.startswith("ten_viet_tat"):
        return "DNTN " + fold(ctx.names.family()).upper()
    for key, choices in TEXTS.items():
        if key in name:
            return rng.choice(choices)
    return rng.choice(TEXTS["ly_do"])


def _date_for(name: str, ctx: FormContext) -> date:
    rng, submitted = ctx.rng, ctx.submitted
    if "hoc_sinh" in name:
        return date(submitted.year - rng.randint(11, 15), rng.randint(1, 12), rng.randint(1, 28))
    if name == "ngay_sinh" and "khai sinh" in ctx.title.lower():
        return submitted - timedelta(days=rng.randint(1, 60))
    if "sinh" in name:
        return date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
    if "chet" in name:
        return submitted - timedelta(days=rng.randint(1, 30))
    if name == "tu_ngay":
        start = submitted + timedelta(days=rng.randint(1, 20))
        ctx.remembered["tu_ngay"] = start
        return start
    if name == "den_ngay":
        start = ctx.remembered.get("tu_ngay", submitted)
        return start + timedelta(days=rng.randint(30, 365))
    return submitted - timedelta(days=rng.randint(1, 365))


def _enum_for(name: str, options: Sequence[Any], ctx: FormContext) -> Any:
    return ctx.rng.choice(list(options))


def _number_for(name: str, prop: dict[str, Any], ctx: FormContext, integer: bool) -> int | float:
    rng = ctx.rng
    if "default" in prop and rng.random() < 0.5:
        return prop["default"]
    low = prop.get("minimum")
    if low is None and "exclusiveMinimum" in prop:
        low = prop["exclusiveMinimum"] + (1 if integer else 0.5)
    low = 0 if low is None else low
    high = prop.get("maximum", low + (5 if integer else 300))
    if integer:
        # Copies, floors, grades: small numbers are the common case.
        return rng.randint(math.ceil(low), int(min(high, max(low, 1) + 4)))
    if name == "chieu_cao":
        high = min(high, 18)
    value = round(rng.uniform(max(low, min(20, high / 2)), high), 1)
    return max(value, low + 0.1) if "exclusiveMinimum" in prop else value


def _value_for(name: str, prop: dict[str, Any], ctx: FormContext) -> Any:
    kind = prop.get("type")
    rng = ctx.rng
    if kind == "string":
        if "enum" in prop:
            return _enum_for(name, prop["enum"], ctx)
        if prop.get("format") == "date":
            return _date_for(name, ctx).isoformat()
        if prop.get("format") == "email":
            return f"{fold(ctx.applicant.name).replace(' ', '.')}{rng.randrange(100)}@example.com"
        if "pattern" in prop:
            if prop["pattern"] == r"^\d{12}$" and "nguoi_yeu_cau" in name:
                return ctx.applicant.personal_id
            if prop["pattern"] == r"^0\d{9}$":
                return ctx.applicant.phone
            return value_from_pattern(prop["pattern"], rng)
        if "default" in prop and isinstance(prop["default"], str):
            return prop["default"]
        return _fit(_text_for(name, prop, ctx), prop)
    if kind in ("integer", "number"):
        return _number_for(name, prop, ctx, integer=kind == "integer")
    if kind == "boolean":
        return prop.get("default", False) if rng.random() < 0.7 else rng.random() < 0.5
    if kind == "array":
        options = list(prop.get("items", {}).get("enum", []))
        if not options:
            raise ValueError(f"unsupported array field: {name}")
        low = int(prop.get("minItems", 0))
        return rng.sample(options, k=rng.randint(max(low, 1), max(low, min(2, len(options)))))
    raise ValueError(f"unsupported field type for {name}: {kind}")


def form_for(schema: dict[str, Any], ctx: FormContext) -> dict[str, Any]:
    """A filled-in form for ``schema``: every required field, most optional ones."""
    ctx.title = str(schema.get("title", ""))
    required = set(schema.get("required", []))
    data: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name not in required and ctx.rng.random() < 0.35:
            continue
        data[name] = _value_for(name, prop, ctx)
    return data


# --- files -----------------------------------------------------------------------------------------------


def tiny_pdf(text: str) -> bytes:
    """A small, well-formed one-page PDF (ASCII text; the scans citizens upload are not the point here)."""
    safe = re.sub(r"[^A-Za-z0-9 .,:-]", "", text)[:80]
    stream = f"BT /F1 14 Tf 72 760 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


SCAN_PDF = tiny_pdf("Ban scan giay to - du lieu mau Mekong")
RESULT_PDF = tiny_pdf("Ket qua giai quyet thu tuc hanh chinh - du lieu mau Mekong")


def _file_name(requirement: RequiredDocument) -> str:
    words = re.sub(r"[^0-9a-z ]", " ", fold(requirement.name)).split()[:6]
    return "-".join(words or ["giay-to"]) + ".pdf"


# --- texts of the trail ------------------------------------------------------------------------------------

REFUSAL_REASONS = (
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan; đề nghị nộp tại UBND cấp huyện.",
    "Hồ sơ đã được giải quyết trước đây, không đủ điều kiện giải quyết lại.",
    "Người nộp không phải người có quyền yêu cầu theo quy định.",
    "Giấy tờ nộp kèm không phải bản chính hoặc bản sao có chứng thực.",
)
MISSING_ITEMS = (
    "Bản sao giấy khai sinh",
    "Văn bản ủy quyền có chứng thực",
    "Bản chụp căn cước của người được ủy quyền",
    "Tờ khai ghi chưa đầy đủ thông tin, đề nghị ký và ghi rõ họ tên",
    "Giấy xác nhận nơi cư trú",
    "Sơ đồ thửa đất có xác nhận",
)
WITHDRAW_REASONS = (
    "Không còn nhu cầu giải quyết.",
    "Nộp nhầm thủ tục, sẽ nộp lại hồ sơ khác.",
    "Gia đình thống nhất chưa thực hiện thủ tục.",
)
STOP_REASON = "Quá thời hạn bổ sung hồ sơ nhưng người nộp không bổ sung theo yêu cầu."
SEND_BACK_NOTES = (
    "Đề nghị kiểm tra lại thông tin ngày sinh trên dự thảo kết quả.",
    "Bổ sung căn cứ pháp lý vào dự thảo.",
)
APOLOGY_REASONS = (
    "Hồ sơ cần xác minh thêm thông tin với cơ quan có liên quan nên chưa thể trả kết quả đúng hẹn.",
    "Cơ sở dữ liệu chuyên ngành tạm thời gián đoạn, chưa cập nhật được kết quả.",
    "Người có thẩm quyền ký đi công tác đột xuất.",
)
# How common each procedure is, by its national code (the part before the first ".000.").
PROCEDURE_WEIGHTS = {
    "2.000815": 20, "1.001193": 12, "2.000884": 8, "1.004873": 8, "1.000894": 6, "2.000635": 6,
    "1.000656": 5, "2.001035": 5, "1.013978": 5, "1.013831": 5, "1.001612": 4, "1.009994": 3,
    "2.000942": 3, "2.001610": 3, "2.000720": 2,
}  # fmt: skip


def growing(u: float, slope: float = 0.7) -> float:
    """Inverse CDF on [0, 1] of a density rising linearly by ``slope``: more dossiers in recent months."""
    return (math.sqrt(1 + 2 * slope * u * (1 + slope / 2)) - 1) / slope


# --- the working clock -------------------------------------------------------------------------------------


class Clock:
    """Office-time arithmetic on the province calendar, plus the random instants the stories need."""

    def __init__(self, calendar: WorkingCalendar, rng: random.Random, now: datetime) -> None:
        self.calendar = calendar
        self.rng = rng
        self.now = now

    def after(self, moment: datetime, hours: float) -> datetime:
        return self.calendar.add_working_hours(moment, round(hours, 4))

    def before(self, moment: datetime, hours: float) -> datetime:
        """The latest instant with ``hours`` of office time between it and ``moment``."""
        remaining = timedelta(hours=hours)
        local = moment.astimezone(VIETNAM_TZ)
        day = local.date()
        for _ in range(3660):
            for opens, closes in reversed(self.calendar.sessions(day)):
                upper = min(closes, local)
                if upper <= opens:
                    continue
                if remaining <= upper - opens:
                    return upper - remaining
                remaining -= upper - opens
            day -= timedelta(days=1)
        raise ValueError("no office time before that")

    def between(self, start: datetime, end: datetime, fraction: float) -> datetime:
        """The instant that far through the office time from ``start`` to ``end`` (``start`` when the end
        has already passed: the step then simply comes next)."""
        if end <= start:
            return start
        working = self.calendar.working_time_between(start, end)
        moment = self.calendar.add_working_time(start, working * fraction)
        if moment > end or working <= timedelta(0):
            return start + (end - start) * fraction
        return moment

    def office_instant(self, day: date) -> datetime:
        day = self.calendar.working_day_on_or_after(day)
        sessions = self.calendar.sessions(day)
        opens, closes = self.rng.choices(sessions, [(c - o).total_seconds() for o, c in sessions])[0]
        return opens + timedelta(seconds=self.rng.uniform(0, (closes - opens).total_seconds() - 60))

    def any_instant(self, day: date) -> datetime:
        """Citizens file online at any hour, most in the day and the evening."""
        start = datetime.combine(day, datetime.min.time(), VIETNAM_TZ) + timedelta(hours=6)
        return start + timedelta(minutes=self.rng.uniform(0, 16.5 * 60))

    def days_later(self, moment: datetime, low: float, high: float, *, office: bool) -> datetime:
        day = (moment + timedelta(days=self.rng.uniform(low, high))).astimezone(VIETNAM_TZ).date()
        candidate = self.office_instant(day) if office else self.any_instant(day)
        return max(candidate, moment + timedelta(minutes=30))

    def limit_hours(self, procedure: Procedure) -> float:
        """The procedure's time limit as office hours (calendar days count 5/7)."""
        value, unit = float(procedure.time_limit_value), procedure.time_limit_unit
        if unit == "hour":
            return value
        return value * 8 * (5 / 7 if unit == "day" else 1)

    def receipt_day_for_due(self, procedure: Procedure, due_day: date) -> date | None:
        """The latest working day on which receiving a dossier makes it due on ``due_day`` (or earlier)."""
        day = due_day
        for _ in range(120):
            day -= timedelta(days=1)
            if not self.calendar.is_working_day(day):
                continue
            received = datetime.combine(day, datetime.min.time(), VIETNAM_TZ) + timedelta(hours=8)
            due = self.calendar.due_at(received, procedure.time_limit_value, procedure.time_limit_unit)
            if due.astimezone(VIETNAM_TZ).date() <= due_day:
                return day
        return None

    def working_days_back(self, day: date, count: int) -> date:
        while count > 0:
            day -= timedelta(days=1)
            count -= int(self.calendar.is_working_day(day))
        return day


# --- the plan ----------------------------------------------------------------------------------------------


@dataclass
class Staff:
    receivers: list[User]
    specialists: list[User]
    leaders: list[User]


@dataclass
class Item:
    scenario: Scenario
    procedure: Procedure
    agency: Agency
    channel: int
    delivery: str
    person: Person
    account: User | None  # the citizen's account when filed online
    submitted_at: datetime
    anchor: datetime | None = None  # receipt (or approval) time fixed by the plan for open dossiers


@dataclass(frozen=True)
class DemoReport:
    created: int
    already_there: int
    citizens_created: int
    officials_created: int
    apologies_drafted: int
    by_status: dict[int, int]
    seconds: float
    ratings: RatingReport

    def __str__(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.by_status.items()))
        return (
            f"{self.created} hồ sơ mới, {self.already_there} hồ sơ có sẵn; {self.citizens_created} công dân, "
            f"{self.officials_created} cán bộ mẫu; {self.apologies_drafted} dự thảo phiếu xin lỗi; "
            f"{self.ratings}; theo trạng thái: {statuses or '—'} ({self.seconds:.1f} s)"
        )


def existing_demo_dossiers() -> int:
    return (
        Dossier.objects.filter(code__isnull=False)
        .filter(
            Q(applicant_personal_id__regex=DEMO_ID_PATTERN)
            | Q(applicant_personal_id=DEMO_CITIZEN_PERSONAL_ID)
        )
        .count()
    )


def generated_people_dossiers() -> QuerySet[Dossier]:
    """The demo dossiers of the generated people (not the demo citizen's, which they may rate themselves)."""
    return Dossier.objects.filter(code__isnull=False, applicant_personal_id__regex=DEMO_ID_PATTERN)


class DemoGenerator:
    def __init__(self, *, seed: int, stream: int, now: datetime, progress: ProgressCallback | None) -> None:
        self.seed = seed
        self.now = now
        self.progress = progress
        # A top-up run draws other dossiers than the first run, from the same people and staff.
        self.rng = random.Random(f"dossiers-{seed}-{stream}")  # noqa: S311
        self.staff: dict[int, Staff] = {}
        self.accounts: dict[str, User] = {}
        self.names = NameMaker(self.rng)
        self.clock = Clock(province_calendar(), self.rng, now)
        self.citizens_created = 0
        self.officials_created = 0

    # Agencies and staff ------------------------------------------------------------------------------

    def choose_agencies(self, procedures: list[Procedure]) -> tuple[set[int], Agency | None]:
        """A dozen communes (the demo one first) and every other agency that receives a procedure."""
        receiving = {agency.pk: agency for p in procedures for agency in p.agencies.all() if agency.is_active}
        communes = sorted(
            (a for a in receiving.values() if a.kind == AgencyKind.COMMUNE_PC), key=lambda a: a.code
        )
        # The commune the demo accounts were given (`accounts.demo` picks it from the whole tree).
        demo_commune = resolve_slots(Agency.objects.all())["commune"]
        if demo_commune is not None and demo_commune.kind != AgencyKind.COMMUNE_PC:
            demo_commune = None
        chosen = [demo_commune] if demo_commune is not None else []
        others = [c for c in communes if c not in chosen]
        # Neighbours of the demo commune first (its district leader sees them), then others.
        if demo_commune is not None:
            others.sort(key=lambda c: (c.parent_id != demo_commune.parent_id, c.code))
            neighbours = [c for c in others if c.parent_id == demo_commune.parent_id][:4]
            rest = [c for c in others if c not in neighbours]
            shuffler = random.Random(f"communes-{self.seed}")  # noqa: S311
            others = neighbours + shuffler.sample(rest, len(rest))
        chosen += others[: max(0, COMMUNES_USED - len(chosen))]
        used = {a.pk for a in chosen} | {a.pk for a in receiving.values() if a.kind != AgencyKind.COMMUNE_PC}
        return used, demo_commune

    def staff_for(self, agencies: list[Agency]) -> dict[int, Staff]:
        wanted = {Role.RECEIVING_OFFICER: "motcua", Role.SPECIALIST: "chuyenvien", Role.LEADER: "lanhdao"}
        held: dict[tuple[int, str], list[User]] = {}
        assignments = RoleAssignment.objects.filter(
            agency__in=agencies, role__in=list(wanted), user__is_active=True
        ).select_related("user")
        for assignment in assignments.order_by("user__username"):
            held.setdefault((assignment.agency_id, assignment.role), []).append(assignment.user)

        missing = [(agency, role) for agency in agencies for role in wanted if (agency.pk, role) not in held]
        usernames = {f"{wanted[role]}.{agency.code.lower()}": (agency, role) for agency, role in missing}
        existing = {u.username: u for u in User.objects.filter(username__in=list(usernames))}
        names = NameMaker(random.Random(f"staff-{self.seed}"))  # noqa: S311
        new_users = [
            User(
                username=username,
                kind=UserKind.OFFICIAL,
                full_name=names.full(),
                password=make_password(None),  # unusable: nobody signs in as generated staff
            )
            for username in usernames
            if username not in existing
        ]
        created = User.objects.bulk_create(new_users)
        self.officials_created += len(created)
        accounts = {**existing, **{u.username: u for u in created}}
        grants = [
            RoleAssignment(user=accounts[username], role=role, agency=agency)
            for username, (agency, role) in usernames.items()
        ]
        RoleAssignment.objects.bulk_create(grants, ignore_conflicts=True)
        for username, (agency, role) in usernames.items():
            held[(agency.pk, role)] = [accounts[username]]
        return {
            agency.pk: Staff(
                receivers=held[(agency.pk, Role.RECEIVING_OFFICER)],
                specialists=held[(agency.pk, Role.SPECIALIST)],
                leaders=held[(agency.pk, Role.LEADER)],
            )
            for agency in agencies
        }

    def citizens_for(self, people: list[Person]) -> dict[str, User]:
        ids = [p.personal_id for p in people]
        accounts = {u.personal_id: u for u in User.objects.filter(personal_id__in=ids) if u.personal_id}
        taken_phones = set(
            User.objects.filter(kind=UserKind.CITIZEN, phone__in=[p.phone for p in people]).values_list(
                "phone", flat=True
            )
        )
        new = [
            User(
                username=p.personal_id,
                kind=UserKind.CITIZEN,
                personal_id=p.personal_id,
                phone=p.phone,
                full_name=p.name,
                password=make_password(None),
            )
            for p in people
            if p.personal_id not in accounts and p.phone not in taken_phones
        ]
        created = User.objects.bulk_create(new)
        self.citizens_created += len(created)
        accounts.update({u.personal_id: u for u in created if u.personal_id})
        return accounts

    # Planning ------------------------------------------------------------------------------------------

    def plan(self, count: int, procedures: list[Procedure]) -> list[Item]:
        used, demo_commune = self.choose_agencies(procedures)
        offered = [(p, [a for a in p.agencies.all() if a.pk in used and a.is_active]) for p in procedures]
        offered = [(p, agencies) for p, agencies in offered if agencies]
        if not offered:
            return []
        agencies = sorted({a.pk: a for _p, list_ in offered for a in list_}.values(), key=lambda a: a.code)
        self.staff = self.staff_for(agencies)

        people = make_people(self.seed, max(12, count // 4))
        self.accounts = self.citizens_for(people)
        demo_citizen = User.objects.filter(personal_id=DEMO_CITIZEN_PERSONAL_ID, is_active=True).first()
        if demo_citizen is not None and Dossier.objects.filter(applicant=demo_citizen).exists():
            demo_citizen = None  # has theirs already (a top-up run, or they filed some themselves)

        scenarios = [s for s, n in scenario_counts(count).items() for _ in range(n)]
        self.rng.shuffle(scenarios)
        demo_slots = self._demo_citizen_slots(scenarios) if demo_citizen and demo_commune else set()

        weights = [PROCEDURE_WEIGHTS.get(p.code.split(".000.")[0], 1) for p, _a in offered]
        with_fees = [(p, a) for p, a in offered if p.total_fixed_fee > 0]
        at_demo_commune = [(p, a) for p, a in offered if demo_commune in a]
        fees_at_demo_commune = [(p, a) for p, a in at_demo_commune if p.total_fixed_fee > 0]
        items: list[Item] = []
        for index, scenario in enumerate(scenarios):
            demo_pool = fees_at_demo_commune if scenario in NEEDS_FEE else at_demo_commune
            if index in demo_slots and demo_pool:
                procedure, _agencies = self.rng.choice(demo_pool)
                agency = demo_commune
                assert demo_citizen is not None
                assert agency is not None
                person = Person(
                    demo_citizen.full_name,
                    "male",
                    date(1990, 1, 1),
                    DEMO_CITIZEN_PERSONAL_ID,
                    demo_citizen.phone,
                )
                item = self._item(scenario, procedure, agency, person, demo_citizen, Channel.ONLINE)
                item.delivery = ResultDelivery.ONLINE
            else:
                pool = with_fees if scenario in NEEDS_FEE and with_fees else offered
                pool_weights = weights if pool is offered else None
                procedure, candidates = self.rng.choices(pool, pool_weights)[0]
                agency = self._agency_among(candidates, demo_commune)
                person = self.rng.choice(people)
                channels = (Channel.ONLINE, Channel.IN_PERSON, Channel.POSTAL)
                channel = self.rng.choices(channels, (65, 30, 5))[0]
                account = self.accounts.get(person.personal_id) if channel == Channel.ONLINE else None
                if channel == Channel.ONLINE and account is None:
                    channel = Channel.IN_PERSON
                item = self._item(scenario, procedure, agency, person, account, channel)
            items.append(item)
        items.sort(key=lambda item: item.submitted_at)
        return items

    def _demo_citizen_slots(self, scenarios: list[Scenario]) -> set[int]:
        slots: set[int] = set()
        for wanted in DEMO_CITIZEN_SCENARIOS:
            index = next((i for i, s in enumerate(scenarios) if s == wanted and i not in slots), None)
            if index is not None:
                slots.add(index)
        return slots

    def _agency_among(self, candidates: list[Agency], demo_commune: Agency | None) -> Agency:
        weights = [DEMO_COMMUNE_WEIGHT if a == demo_commune else 1 for a in candidates]
        return self.rng.choices(candidates, weights)[0]

    def _item(
        self,
        scenario: Scenario,
        procedure: Procedure,
        agency: Agency,
        person: Person,
        account: User | None,
        channel: int,
    ) -> Item:
        rng = self.rng
        if scenario == Scenario.AWAITING_PICKUP:
            delivery = ResultDelivery.COUNTER
        elif channel == Channel.ONLINE:
            delivery = rng.choices(
                (ResultDelivery.ONLINE, ResultDelivery.COUNTER, ResultDelivery.POSTAL), (60, 30, 10)
            )[0]
        else:
            delivery = rng.choices(
                (ResultDelivery.COUNTER, ResultDelivery.POSTAL, ResultDelivery.ONLINE), (80, 10, 10)
            )[0]
        submitted, anchor = self._when(scenario, procedure, channel)
        return Item(scenario, procedure, agency, channel, delivery, person, account, submitted, anchor)

    def _when(
        self, scenario: Scenario, procedure: Procedure, channel: int
    ) -> tuple[datetime, datetime | None]:
        """The submission time, and for open dossiers the receipt (or approval) time that places them where
        they must be today."""
        clock, rng, now = self.clock, self.rng, self.now
        limit = clock.limit_hours(procedure)
        online = channel == Channel.ONLINE
        if scenario not in OPEN_SCENARIOS:
            day = self._finished_submission_day(scenario, limit)
            use_any_hour = online and rng.random() < 0.3
            return (clock.any_instant(day) if use_any_hour else clock.office_instant(day)), None
        if scenario == Scenario.NEW:
            if online and rng.random() < 0.4:
                return now - timedelta(hours=rng.uniform(0.5, 14)), None
            return clock.before(now, rng.uniform(0.1, 6)), None
        if scenario == Scenario.RECEIVED:
            received = clock.before(now, rng.uniform(0.1, 5))
        elif scenario == Scenario.AWAITING_PICKUP:
            approved = clock.before(now, rng.uniform(0.5, 16))
            received = clock.before(approved, rng.uniform(0.3, 0.9) * limit)
            return clock.before(received, rng.uniform(0.1, 3)), approved
        elif scenario in (Scenario.DUE_SOON, Scenario.OVERDUE):
            today = now.astimezone(VIETNAM_TZ).date()
            if scenario == Scenario.DUE_SOON:
                open_today = (
                    clock.calendar.is_working_day(today) and clock.calendar.office_day_end(today) > now
                )
                due_day = today if open_today else clock.calendar.next_working_day(today)
            else:
                due_day = clock.working_days_back(today, rng.randint(1, 5))
            receipt_day = clock.receipt_day_for_due(procedure, due_day)
            if receipt_day is None:
                received = clock.before(now, rng.uniform(0.1, 0.6) * limit)
            else:
                received = min(clock.office_instant(receipt_day), clock.before(now, 0.5))
        else:  # processing, waiting for a supplement or a payment
            received = clock.before(now, rng.uniform(0.1, 0.7) * limit + 0.5)
        return clock.before(received, rng.uniform(0.1, 3)), received

    def _finished_submission_day(self, scenario: Scenario, limit_hours: float) -> date:
        """A day over the year, more in recent months, before the open dossiers' last weeks (so the
        monthly totals stay even) and long enough ago for the whole story to be over."""
        rng, now = self.rng, self.now
        limit_days = limit_hours / 8 * 7 / 5
        extra = limit_days * 0.6 + 5 if scenario == Scenario.APOLOGY else EXTRA_DAYS.get(scenario, 0)
        latest = now - timedelta(days=1.2 * limit_days + 3 + extra)
        oldest = now - timedelta(days=365)
        open_share = sum(SCENARIOS[s] for s in OPEN_SCENARIOS) / sum(SCENARIOS.values())
        moment = latest
        for _ in range(20):
            moment = oldest + (now - oldest) * growing(rng.uniform(0, 1 - open_share))
            if moment <= latest:
                break
        else:
            moment = latest - timedelta(days=rng.uniform(0, 30))
        return min(moment, latest).astimezone(VIETNAM_TZ).date()

    # Telling the stories ---------------------------------------------------------------------------------

    def run(self, items: list[Item]) -> Counter[int]:
        statuses: Counter[int] = Counter()
        done = 0
        for start in range(0, len(items), BATCH):
            with transaction.atomic():
                for item in items[start : start + BATCH]:
                    dossier = Story(self, item).tell()
                    statuses[int(dossier.status or 0)] += 1
            done += len(items[start : start + BATCH])
            if self.progress:
                self.progress(done, len(items))
        return statuses


class Story:
    """One dossier from submission to where its scenario leaves it, every step an action with its time."""

    def __init__(self, generator: DemoGenerator, item: Item) -> None:
        self.g = generator
        self.item = item
        self.clock = generator.clock
        self.rng = generator.rng
        staff = generator.staff[item.agency.pk]
        self.receiver = self.rng.choice(staff.receivers)
        self.specialist = self.rng.choice(staff.specialists)
        self.leader = self.rng.choice(staff.leaders)
        self.last = item.submitted_at - timedelta(minutes=1)
        self.dossier: Dossier

    @property
    def online(self) -> bool:
        return self.item.account is not None

    @property
    def citizen_side(self) -> User:
        """Who acts for the citizen: their account online, the receiving officer at the counter."""
        return self.item.account or self.receiver

    def at(self, moment: datetime) -> datetime:
        """Events keep their order and never happen after now."""
        moment = max(moment, self.last + timedelta(minutes=1))
        moment = min(moment, self.g.now - timedelta(seconds=1))
        self.last = max(moment, self.last)
        return moment

    def hours_after(self, low: float, high: float) -> datetime:
        return self.at(self.clock.after(self.last, self.rng.uniform(low, high)))

    # Steps -----------------------------------------------------------------------------------------

    def submit(self) -> None:
        item = self.item
        context = FormContext(
            rng=self.rng,
            names=self.g.names,
            applicant=item.person,
            address=f"{self.rng.choice(HAMLETS)}, {item.agency.name.replace('Ủy ban nhân dân ', '')}, tỉnh Hậu Giang",
            delivery=item.delivery,
            submitted=item.submitted_at.astimezone(VIETNAM_TZ).date(),
        )
        applicant = actions.Applicant(
            name=item.person.name,
            personal_id=item.person.personal_id,
            phone=item.person.phone,
            address=context.address,
        )
        author = item.account or self.receiver
        draft = actions.create_draft(
            actor=author,
            procedure=item.procedure,
            agency=item.agency,
            applicant=applicant,
            form_data=form_for(item.procedure.form_schema, context),
            result_delivery=item.delivery,
            channel=item.channel,
        )
        for requirement in item.procedure.documents.all():
            if requirement.mandatory or self.rng.random() < 0.3:
                actions.attach_file(
                    draft,
                    actor=author,
                    stream=BytesIO(SCAN_PDF),
                    name=_file_name(requirement),
                    requirement=requirement,
                )
        self.dossier = actions.submit(draft, actor=author, at=self.at(item.submitted_at))

    def receive(self, moment: datetime | None = None) -> None:
        if moment is None:
            low, high = (0.02, 0.3) if self.item.channel != Channel.ONLINE else (0.2, 6)
            moment = self.clock.after(self.last, self.rng.uniform(low, high))
        self.dossier = actions.receive(self.dossier, actor=self.receiver, at=self.at(moment))

    def start(self, moment: datetime | None = None) -> None:
        moment = self.at(moment or self.clock.after(self.last, self.rng.uniform(0.1, 3)))
        if self.rng.random() < 0.5:
            self.dossier = actions.assign(
                self.dossier, actor=self.receiver, specialist=self.specialist, at=moment
            )
        else:
            self.dossier = actions.start_processing(self.dossier, actor=self.specialist, at=moment)

    def request_supplement(self, moment: datetime, *, by_receiver: bool = False) -> None:
        missing = self.rng.sample(MISSING_ITEMS, k=self.rng.randint(1, 2))
        self.dossier = actions.request_supplement(
            self.dossier,
            actor=self.receiver if by_receiver else self.specialist,
            missing=missing,
            note="Đề nghị ông/bà bổ sung giấy tờ còn thiếu để tiếp tục giải quyết hồ sơ.",
            at=self.at(moment),
        )

    def supplement(self) -> None:
        moment = self.clock.days_later(self.last, 0.5, 6, office=not self.online)
        self.dossier = actions.supplement(
            self.dossier,
            actor=self.citizen_side,
            files=[(None, BytesIO(SCAN_PDF), "giay-to-bo-sung.pdf")],
            note="Đã bổ sung giấy tờ theo yêu cầu.",
            at=self.at(moment),
        )

    def request_payment(self, moment: datetime) -> None:
        # The amount the procedure's fee items come to for this form (payments.actions.request_payment).
        self.dossier = demo_payments.request_payment(
            self.dossier, actor=self.receiver, note="Phí, lệ phí theo quy định.", at=self.at(moment)
        )

    def pay(self) -> None:
        moment = self.at(self.clock.days_later(self.last, 0.05, 2, office=not self.online))
        if self.item.account is not None:  # online, through the sandbox gateway: a Payment and its IPN
            self.dossier = demo_payments.pay_online(self.dossier, citizen=self.item.account, at=moment)
            self.last = max(self.last, moment + timedelta(minutes=2))
        else:
            self.dossier = demo_payments.pay_at_counter(self.dossier, officer=self.receiver, at=moment)

    def approve_at(self, moment: datetime) -> None:
        item = self.item
        if item.procedure.requires_e_result or item.delivery == ResultDelivery.ONLINE:
            result_at = self.at(self.clock.between(self.last, moment, self.rng.uniform(0.5, 0.9)))
            actions.attach_result(
                self.dossier,
                actor=self.specialist,
                stream=BytesIO(RESULT_PDF),
                name="ket-qua-giai-quyet.pdf",
                at=result_at,
            )
            if self.rng.random() < 0.05:
                note = self.rng.choice(SEND_BACK_NOTES)
                back_at = self.at(self.clock.between(self.last, moment, 0.5))
                self.dossier = actions.send_back(self.dossier, actor=self.leader, note=note, at=back_at)
        self.dossier = actions.approve(
            self.dossier, actor=self.leader, note="Đồng ý kết quả giải quyết.", at=self.at(moment)
        )

    def give_result(self) -> None:
        if self.item.delivery == ResultDelivery.ONLINE:
            moment = self.at(self.last + timedelta(minutes=self.rng.uniform(1, 30)))
            self.dossier = actions.return_result(self.dossier, note="Trả kết quả trực tuyến.", at=moment)
        else:
            moment = self.hours_after(0.5, 24)
            self.dossier = actions.return_result(self.dossier, actor=self.receiver, at=moment)

    def due(self) -> datetime:
        assert self.dossier.due_at is not None
        return self.dossier.due_at

    def on_time_approval(self) -> None:
        self.approve_at(self.clock.between(self.last, self.due(), self.rng.uniform(0.35, 0.95)))

    # Scenarios -------------------------------------------------------------------------------------

    def tell(self) -> Dossier:
        scenario = self.item.scenario
        handler = getattr(self, f"_{scenario.value}")
        self.submit()
        handler()
        return self.dossier

    def _on_time(self, supplements: int = 0) -> None:
        self.receive()
        self.start()
        for _ in range(supplements):
            self.request_supplement(self.clock.between(self.last, self.due(), self.rng.uniform(0.1, 0.5)))
            self.supplement()
            self.last = self.clock.after(self.last, self.rng.uniform(0.1, 2))
        self.on_time_approval()
        self.give_result()

    def _one_supplement(self) -> None:
        self._on_time(supplements=1)

    def _two_supplements(self) -> None:
        self._on_time(supplements=2)

    def _supplement_before_receipt(self) -> None:
        self.request_supplement(self.clock.after(self.last, self.rng.uniform(0.3, 4)), by_receiver=True)
        self.supplement()
        self._on_time()

    def _paid(self) -> None:
        self.receive()
        self.request_payment(self.clock.after(self.last, self.rng.uniform(0.05, 1)))
        self.pay()
        self.start()
        self.on_time_approval()
        self.give_result()

    def _late(self) -> None:
        self.receive()
        self.start()
        if self.rng.random() < 0.3:
            self.request_supplement(self.clock.between(self.last, self.due(), self.rng.uniform(0.1, 0.5)))
            self.supplement()
        self.approve_at(self.clock.after(self.due(), self.rng.uniform(4, 40)))
        self.give_result()

    def _apology(self) -> None:
        self.receive()
        self.start()
        old_due = self.due()
        drafted = self.at(max(self.clock.before(old_due, self.rng.uniform(1, 4)), self.last))
        letter = draft_apology(self.dossier, now=drafted)
        if letter is None:  # cannot happen for a dossier in processing; keep the story going anyway
            self.on_time_approval()
            self.give_result()
            return
        confirmed = self.at(self.clock.between(drafted, old_due, self.rng.uniform(0.1, 0.6)))
        reason = self.rng.choice(APOLOGY_REASONS) if self.rng.random() < 0.5 else None
        officer = self.receiver if self.rng.random() < 0.7 else self.leader
        confirm_apology(letter, actor=officer, reason=reason, at=confirmed)
        self.dossier.refresh_from_db()
        # Late against the first appointment, on time against the new one.
        self.approve_at(self.clock.between(old_due, self.due(), self.rng.uniform(0.2, 0.9)))
        self.give_result()

    def _refused(self) -> None:
        moment = self.hours_after(0.2, 8)
        self.dossier = actions.refuse(
            self.dossier, actor=self.receiver, reason=self.rng.choice(REFUSAL_REASONS), at=moment
        )

    def _withdrawn(self) -> None:
        stage = self.rng.choice(("new", "processing", "waiting"))
        if stage != "new":
            self.receive()
            self.start()
        if stage == "waiting":
            self.request_supplement(self.clock.between(self.last, self.due(), self.rng.uniform(0.1, 0.5)))
        moment = self.at(self.clock.days_later(self.last, 0.2, 4, office=not self.online))
        self.dossier = actions.withdraw(
            self.dossier, actor=self.citizen_side, reason=self.rng.choice(WITHDRAW_REASONS), at=moment
        )

    def _stopped(self) -> None:
        self.receive()
        self.start()
        self.request_supplement(self.clock.between(self.last, self.due(), self.rng.uniform(0.1, 0.5)))
        moment = self.at(self.clock.days_later(self.last, 15, 30, office=True))
        actor = self.leader if self.rng.random() < 0.5 else self.specialist
        self.dossier = actions.stop(self.dossier, actor=actor, reason=STOP_REASON, at=moment)

    def _awaiting_pickup(self) -> None:
        assert self.item.anchor is not None
        approved = self.item.anchor
        self.receive(self.clock.after(self.last, self.rng.uniform(0.02, 0.5)))
        self.start(self.clock.between(self.last, approved, self.rng.uniform(0.05, 0.3)))
        self.approve_at(approved)

    def _new(self) -> None:
        pass

    def _received(self) -> None:
        self.receive(self.item.anchor)

    def _processing(self) -> None:
        self.receive(self.item.anchor)
        self.start(self.clock.between(self.last, self.g.now, self.rng.uniform(0.05, 0.5)))

    def _due_soon(self) -> None:
        self._processing()

    def _overdue(self) -> None:
        self._processing()

    def _waiting_supplement(self) -> None:
        if self.rng.random() < 0.3:  # asked for at the counter check, before receipt
            self.request_supplement(
                self.clock.between(self.last, self.g.now, self.rng.uniform(0.2, 0.9)), by_receiver=True
            )
            return
        self._processing()
        self.request_supplement(self.clock.between(self.last, self.g.now, self.rng.uniform(0.3, 0.95)))

    def _waiting_payment(self) -> None:
        self.receive(self.item.anchor)
        self.request_payment(self.clock.between(self.last, self.g.now, self.rng.uniform(0.3, 0.95)))


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Thousands of routine 'dossier_event' (and notification) lines would drown the command's progress."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def generate_demo_dossiers(
    count: int = 2000,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    progress: ProgressCallback | None = None,
) -> DemoReport:
    """Top the demo dossiers up to ``count`` (none are made when that many are there already)."""
    started = time.perf_counter()
    now = now or timezone.now()
    already = existing_demo_dossiers()
    wanted = max(0, count - already)
    generator = DemoGenerator(seed=seed, stream=already, now=now, progress=progress)
    statuses: Counter[int] = Counter()
    drafted = 0
    if wanted:
        procedures = list(
            Procedure.objects.filter(is_active=True)
            .prefetch_related("agencies", "documents", "fee_items")
            .order_by("code")
        )
        with _quiet(
            "mekong.dossiers", "mekong.accounts", "mekong.notify", "mekong.payments", "celery.app.trace"
        ):
            items = generator.plan(wanted, procedures)
            statuses = generator.run(items)
            drafted = len(draft_apologies(now))
    # Also when no dossier was added: a database loaded before the demo had ratings gets them now.
    with _quiet("mekong.feedback", "mekong.ioc", "celery.app.trace"):
        ratings = rate_demo_dossiers(generated_people_dossiers(), seed=seed, now=now)
    return DemoReport(
        created=sum(statuses.values()),
        already_there=already,
        citizens_created=generator.citizens_created,
        officials_created=generator.officials_created,
        apologies_drafted=drafted,
        by_status=dict(statuses),
        seconds=time.perf_counter() - started,
        ratings=ratings,
    )

"""Importing and exporting member lists: the rows `community.tables` read are checked against the
database here — every bad row is reported with its line and reason, and `community.actions.import_members`
writes nothing unless every row is good. The export writes the same shape back.

Rules for one row:
* name, role (Tổ trưởng / Tổ phó / Thành viên) and a Vietnamese mobile number are required; a number Excel
  stored as a number (its leading 0 dropped) is read back with its 0;
* the commune (legacy or 2025 name, "Phường 7" or "Phường VII") must be governed by an active commune
  People's Committee the importer manages, and the hamlet must be one of that commune's;
* a phone appears once in the file; a phone already in the registry updates that member (who may move to
  another team) unless the member belongs to a commune the importer does not manage;
* a team is the hamlet plus its name ("Tổ công nghệ số cộng đồng <hamlet>" when the column is empty) and
  has at most one active leader in the file;
* dates are dd/mm/yyyy (or Excel dates); the end is not before the start.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.identifiers import normalize_phone
from mekong.catalog.models import Agency, AgencyKind
from mekong.community.models import Member, MemberRole
from mekong.community.selectors import hamlets_of_units, today
from mekong.community.tables import COLUMN_BY_KEY, COLUMNS, RawRow, Sheet, read_members_file
from mekong.core.errors import DomainError, FieldError
from mekong.core.text import fold

NAME_LIMIT = Member._meta.get_field("full_name").max_length or 200
SKILLS_LIMIT = Member._meta.get_field("skills").max_length or 300
NOTE_LIMIT = Member._meta.get_field("note").max_length or 300
TEAM_NAME_LIMIT = 200
DEFAULT_TEAM_NAME = "Tổ công nghệ số cộng đồng {hamlet}"

ROLE_WORDS: dict[str, MemberRole] = {
    "to truong": MemberRole.LEADER,
    "truong": MemberRole.LEADER,
    "tt": MemberRole.LEADER,
    "to pho": MemberRole.DEPUTY,
    "pho": MemberRole.DEPUTY,
    "tp": MemberRole.DEPUTY,
    "thanh vien": MemberRole.MEMBER,
    "to vien": MemberRole.MEMBER,
    "tv": MemberRole.MEMBER,
}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")
_ROMAN = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
_NUMBERED = ("phuong", "khu vuc", "ap")


@dataclass(frozen=True)
class MemberRow:
    line: int
    full_name: str
    role: str
    phone: str
    skills: str
    hamlet_id: int
    agency_id: int
    team_name: str
    active_from: date | None  # None: today for a new member, unchanged for an existing one
    active_until: date | None
    note: str


@dataclass(frozen=True)
class MembersData:
    rows: tuple[MemberRow, ...]
    format: str
    encoding: str
    file_name: str
    sha256: str


def place_key(text: str) -> str:
    """A place name as typed in lists: accents, case, "KV" and Roman numerals after Phường / Khu vực
    ignored ("Phường VII" = "phuong 7", "KV3" = "Khu vực 3")."""
    key = fold(text).replace(".", " ").replace(",", " ")
    words = key.split()
    if words and words[0].startswith("kv"):
        words = ["khu", "vuc", *([words[0][2:]] if words[0][2:] else []), *words[1:]]
    key = " ".join(words)
    for prefix in _NUMBERED:
        if key.startswith(prefix + " "):
            last = key[len(prefix) + 1 :]
            if last in _ROMAN:
                return f"{prefix} {_ROMAN[last]}"
    return _ROMAN.get(key, key)


@dataclass(frozen=True)
class _Place:
    id: int
    name: str
    agency_id: int = 0  # for communes: the governing agency


class ImportContext:
    """What the checks need from the database, loaded in a handful of queries."""

    def __init__(self, user: permissions.Actor | None, phones: Iterable[str]) -> None:
        self.today = today()
        self.managed = permissions.team_manager_agency_ids(user)
        agencies = list(
            Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True, unit__isnull=False)
            .select_related("unit")
            .order_by("code")
        )
        self.agency_names = {agency.pk: agency.name for agency in agencies}
        self.communes: dict[str, list[_Place]] = defaultdict(list)
        unit_ids: list[int] = []
        for agency in agencies:
            unit = agency.unit
            assert unit is not None
            unit_ids.append(unit.pk)
            place = _Place(unit.pk, unit.name, agency.pk)
            for name in {place_key(unit.name), place_key(unit.short_name)}:
                if place not in self.communes[name]:
                    self.communes[name].append(place)
        self.hamlets: dict[int, dict[str, list[_Place]]] = defaultdict(lambda: defaultdict(list))
        self.hamlet_names: dict[int, list[str]] = defaultdict(list)
        for hamlet in hamlets_of_units(unit_ids).order_by("code"):
            for commune_id in {hamlet.former_parent_id, hamlet.parent_id} & set(unit_ids):
                assert commune_id is not None
                place = _Place(hamlet.pk, hamlet.name)
                self.hamlet_names[commune_id].append(hamlet.name)
                for name in {place_key(hamlet.name), place_key(hamlet.short_name)}:
                    self.hamlets[commune_id][name].append(place)
        wanted = sorted(set(phones))
        self.members: dict[str, tuple[str, int, str]] = {}
        for start in range(0, len(wanted), 500):
            for phone, name, agency_id, agency_name in Member.objects.filter(
                phone__in=wanted[start : start + 500]
            ).values_list("phone", "full_name", "team__agency_id", "team__agency__name"):
                self.members[phone] = (name, agency_id, agency_name)

    def manages(self, agency_id: int) -> bool:
        return self.managed is None or agency_id in self.managed


def parse_phone(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.isdigit() and len(text) == 9:  # Excel stored it as a number and dropped the leading 0
        text = "0" + text
    return normalize_phone(text)


def parse_date(value: Any) -> date | None:
    """A date from an Excel date cell or dd/mm/yyyy text; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class _Checker:
    def __init__(self, sheet: Sheet, context: ImportContext) -> None:
        self.sheet = sheet
        self.context = context
        self.errors: list[FieldError] = list(sheet.errors)

    def error(self, line: int, key: str, message: Any, **params: Any) -> None:
        self.errors.append(FieldError(COLUMN_BY_KEY[key].header, message, row=line, params=params))

    def commune(self, line: int, raw: str) -> _Place | None:
        found = self.context.communes.get(place_key(raw), [])
        if not found:
            self.error(line, "commune", _("Không có xã, phường «{name}» trong tỉnh."), name=raw)
            return None
        if len(found) > 1:
            self.error(
                line,
                "commune",
                _("«{name}» trùng tên nhiều xã, phường ({names}): ghi đầy đủ tên."),
                name=raw,
                names=", ".join(place.name for place in found),
            )
            return None
        place = found[0]
        if not self.context.manages(place.agency_id):
            self.error(
                line,
                "commune",
                _("Bạn không quản lý các tổ công nghệ số của {agency}."),
                agency=self.context.agency_names[place.agency_id],
            )
            return None
        return place

    def hamlet(self, line: int, raw: str, commune: _Place) -> _Place | None:
        found = self.context.hamlets[commune.id].get(place_key(raw), [])
        if len(found) == 1:
            return found[0]
        if not found:
            known = self.context.hamlet_names[commune.id]
            self.error(
                line,
                "hamlet",
                _("{commune} không có ấp, khu vực «{name}» (có: {known})."),
                name=raw,
                commune=commune.name,
                known=", ".join(known[:12]) + ("…" if len(known) > 12 else ""),
            )
        else:
            self.error(line, "hamlet", _("«{name}» trùng tên nhiều ấp, khu vực: ghi đầy đủ tên."), name=raw)
        return None

    def row(self, raw: RawRow, seen_phones: dict[str, int]) -> MemberRow | None:
        values = raw.values
        line = raw.line
        before = len(self.errors)

        full_name = _text(values.get("full_name"))
        if not full_name:
            self.error(line, "full_name", _("Thiếu họ và tên."))
        elif len(full_name) > NAME_LIMIT or not any(ch.isalpha() for ch in full_name):
            self.error(line, "full_name", _("Họ và tên không hợp lệ: «{value}»."), value=full_name[:60])

        role_text = _text(values.get("role"))
        role = ROLE_WORDS.get(fold(role_text))
        if not role_text:
            self.error(line, "role", _("Thiếu chức vụ trong tổ."))
        elif role is None:
            self.error(
                line,
                "role",
                _("Chức vụ «{value}» không hợp lệ: ghi Tổ trưởng, Tổ phó hoặc Thành viên."),
                value=role_text,
            )

        phone_raw = values.get("phone")
        phone = parse_phone(phone_raw)
        if _text(phone_raw) == "":
            self.error(line, "phone", _("Thiếu số điện thoại."))
        elif phone is None:
            self.error(
                line,
                "phone",
                _("Số điện thoại «{value}» không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."),
                value=_text(phone_raw),
            )
        elif phone in seen_phones:
            self.error(
                line,
                "phone",
                _("Số điện thoại {phone} trùng với dòng {other}."),
                phone=phone,
                other=seen_phones[phone],
            )
        else:
            seen_phones[phone] = line
            existing = self.context.members.get(phone)
            if existing is not None and not self.context.manages(existing[1]):
                self.error(
                    line,
                    "phone",
                    _("Số điện thoại {phone} đã là của thành viên {name} thuộc tổ của {agency}."),
                    phone=phone,
                    name=existing[0],
                    agency=existing[2],
                )

        commune = hamlet = None
        commune_text = _text(values.get("commune"))
        hamlet_text = _text(values.get("hamlet"))
        if not commune_text:
            self.error(line, "commune", _("Thiếu xã, phường."))
        else:
            commune = self.commune(line, commune_text)
        if not hamlet_text:
            self.error(line, "hamlet", _("Thiếu ấp, khu vực."))
        elif commune is not None:
            hamlet = self.hamlet(line, hamlet_text, commune)

        team_name = _text(values.get("team_name"))
        if len(team_name) > TEAM_NAME_LIMIT:
            self.error(line, "team_name", _("Tên tổ dài quá {limit} ký tự."), limit=TEAM_NAME_LIMIT)
        if not team_name and hamlet is not None:
            team_name = DEFAULT_TEAM_NAME.format(hamlet=hamlet.name)

        dates: dict[str, date | None] = {}
        for key in ("active_from", "active_until"):
            value = values.get(key)
            if value is None:
                dates[key] = None
                continue
            try:
                dates[key] = parse_date(value)
            except ValueError:
                self.error(
                    line,
                    key,
                    _("Ngày «{value}» không hợp lệ: ghi theo dạng ngày/tháng/năm."),
                    value=_text(value),
                )
                dates[key] = None
        start, end = dates["active_from"], dates["active_until"]
        if start is not None and end is not None and end < start:
            self.error(line, "active_until", _("Ngày kết thúc trước ngày bắt đầu."))

        skills = _text(values.get("skills"))
        if len(skills) > SKILLS_LIMIT:
            self.error(line, "skills", _("Kỹ năng dài quá {limit} ký tự."), limit=SKILLS_LIMIT)
        note = _text(values.get("note"))
        if len(note) > NOTE_LIMIT:
            self.error(line, "note", _("Ghi chú dài quá {limit} ký tự."), limit=NOTE_LIMIT)

        if len(self.errors) > before or role is None or phone is None or hamlet is None or commune is None:
            return None
        return MemberRow(
            line=line,
            full_name=full_name,
            role=role.value,
            phone=phone,
            skills=skills,
            hamlet_id=hamlet.id,
            agency_id=commune.agency_id,
            team_name=team_name,
            active_from=start,
            active_until=end,
            note=note,
        )

    def leaders(self, rows: Sequence[MemberRow]) -> None:
        """At most one active leader per team in the file."""
        first: dict[tuple[int, str], int] = {}
        for row in rows:
            active = row.active_until is None or row.active_until >= self.context.today
            if row.role != MemberRole.LEADER or not active:
                continue
            key = (row.hamlet_id, fold(row.team_name))
            if key in first:
                self.error(
                    row.line,
                    "role",
                    _("Tổ «{team}» đã có tổ trưởng ở dòng {other}: mỗi tổ một tổ trưởng."),
                    team=row.team_name,
                    other=first[key],
                )
            else:
                first[key] = row.line


def _phones(sheet: Sheet) -> list[str]:
    return [phone for raw in sheet.rows if (phone := parse_phone(raw.values.get("phone"))) is not None]


def validate_members(
    sheet: Sheet, user: permissions.Actor | None, *, file_name: str = "", sha256: str = ""
) -> MembersData:
    """Check every row; DomainError with every problem (line and column) if any row is bad."""
    checker = _Checker(sheet, ImportContext(user, _phones(sheet)))
    seen: dict[str, int] = {}
    rows = [row for raw in sheet.rows if (row := checker.row(raw, seen)) is not None]
    checker.leaders(rows)
    if not sheet.rows and not checker.errors:
        checker.errors.append(
            FieldError(
                "file", _("Tệp không có dòng thành viên nào dưới dòng tiêu đề."), row=sheet.header_line
            )
        )
    if checker.errors:
        order = {column.header: position for position, column in enumerate(COLUMNS)}
        errors = sorted(checker.errors, key=lambda error: (error.row or 0, order.get(error.field, -1)))
        raise DomainError(
            _("Tệp có {count} lỗi; chưa nhập dòng nào. Sửa các dòng được liệt kê rồi gửi lại."),
            errors=errors,
            code="members_invalid",
            count=len(errors),
        )
    return MembersData(
        rows=tuple(rows), format=sheet.format, encoding=sheet.encoding, file_name=file_name, sha256=sha256
    )


def read_members(content: bytes, filename: str, user: permissions.Actor | None) -> MembersData:
    """Read and check an uploaded member list (.xlsx or .csv)."""
    sheet = read_members_file(content, filename)
    return validate_members(sheet, user, file_name=filename, sha256=hashlib.sha256(content).hexdigest())


# --- export -----------------------------------------------------------------------------------------------


def members_for_export(members: QuerySet[Member]) -> list[dict[str, Any]]:
    """Rows for `tables.write_members_*`, by commune, hamlet, team, role and name."""
    rows = []
    role_order = {MemberRole.LEADER: 0, MemberRole.DEPUTY: 1, MemberRole.MEMBER: 2}
    listed = sorted(
        members.select_related("team", "team__hamlet", "team__agency", "team__agency__unit"),
        key=lambda m: (
            m.team.agency.code,
            m.team.hamlet.code,
            m.team.code,
            role_order[MemberRole(m.role)],
            m.full_name,
            m.pk,
        ),
    )
    for number, member in enumerate(listed, start=1):
        agency = member.team.agency
        with translation.override("vi"):  # the file is read back in Vietnamese, whatever the page's language
            role = str(MemberRole(member.role).label)
        rows.append(
            {
                "seq": number,
                "full_name": member.full_name,
                "role": role,
                "phone": member.phone,
                "skills": member.skills,
                "hamlet": member.team.hamlet.name,
                "commune": agency.unit.name if agency.unit is not None else agency.name,
                "team_name": member.team.name,
                "active_from": member.active_from,
                "active_until": member.active_until,
                "note": member.note,
            }
        )
    return rows

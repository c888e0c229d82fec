"""Importing member lists as communes send them (Excel and CSV, Vietnamese headers under title lines), all
or nothing, every bad row with its line and reason; exporting them back in the same shape."""

from __future__ import annotations

import codecs
import io
import unicodedata
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from mekong.accounts.models import User
from mekong.community import actions
from mekong.community.models import CommunityEvent, EventKind, Member, MemberRole, Team
from mekong.community.tables import COLUMNS, write_members_csv, write_members_workbook
from mekong.community.transfer import members_for_export, read_members
from mekong.core.errors import DomainError, PermissionDenied

from .conftest import commune_agency
from .factories import MemberFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("hau_giang")

HEADER = ["STT", "Họ và tên", "Chức vụ trong tổ", "Số điện thoại", "Kỹ năng", "Ấp/Khu vực", "Xã/Phường"]
GOOD_ROWS = [
    [1, "Nguyễn Văn Tâm", "Tổ trưởng", "0912345678", "Cài đặt VNeID", "Ấp Vị Đông 1", "Xã Vị Đông"],
    [
        2,
        "Trần Thị Mỹ",
        "Tổ phó",
        "0387654321",
        "Thanh toán không dùng tiền mặt",
        "Ấp Vị Đông 1",
        "Xã Vị Đông",
    ],
    [3, "Lê Hoàng Phúc", "Thành viên", "0901112223", "", "Ấp Vị Đông 1", "Xã Vị Đông"],
    [4, "Phạm Thị Hồng", "Tổ trưởng", "0977000111", "Sổ sức khỏe điện tử", "Ấp Vị Đông 2", "Xã Vị Đông"],
]


def workbook(rows: list[list[Any]], *, header: list[str] = HEADER, titles: bool = True) -> bytes:
    """The sheet a commune sends: its name and a title above the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if titles:
        sheet.append(["ỦY BAN NHÂN DÂN XÃ VỊ ĐÔNG"])
        sheet.append(["DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG NĂM 2026"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: letters with their hat, breve or horn as one byte, the
    tone as a combining mark after them (Python's codec only takes them in that form)."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
            out.append((base + "".join(p for p in parts if p in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


def csv_bytes(
    rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> bytes:
    lines = [delimiter.join(HEADER)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    encoded = windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    return (codecs.BOM_UTF8 if bom else b"") + encoded


def refused(content: bytes, name: str, user: User) -> DomainError:
    with pytest.raises(DomainError) as caught:
        read_members(content, name, user)
    return caught.value


def problems(error: DomainError) -> list[tuple[int | None, str, str]]:
    return [(item.row, item.field, item.as_dict()["message"]) for item in error.errors]


@pytest.mark.django_db
def test_a_good_workbook_is_imported_with_its_teams(commune_officer: User) -> None:
    data = read_members(workbook(GOOD_ROWS), "to-cns-vi-dong.xlsx", commune_officer)
    report = actions.import_members(commune_officer, data)

    assert (report.created, report.updated, report.unchanged, report.teams_created) == (4, 0, 0, 2)
    team = Team.objects.get(hamlet__name="Ấp Vị Đông 1")
    assert team.name == "Tổ công nghệ số cộng đồng Ấp Vị Đông 1"
    assert team.agency == commune_agency("Xã Vị Đông")
    leader = Member.objects.get(phone="0912345678")
    assert (leader.full_name, leader.role, leader.team, leader.skills) == (
        "Nguyễn Văn Tâm",
        MemberRole.LEADER,
        team,
        "Cài đặt VNeID",
    )
    assert leader.active_from == date.today()
    event = CommunityEvent.objects.get(kind=EventKind.IMPORT_MEMBERS)
    assert event.actor == commune_officer
    assert event.data["file"] == "to-cns-vi-dong.xlsx"
    assert event.data["created"] == 4


@pytest.mark.django_db
def test_merged_hamlet_cells_and_numbers_excel_stored_as_numbers_are_read(commune_officer: User) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH"])
    sheet.append(["STT", "Họ tên", "Chức vụ", "SĐT", "Ấp", "Xã, phường, thị trấn", "Tên tổ", "Ngày bắt đầu"])
    sheet.append(
        [
            1,
            "Võ Thành Nhân",
            "tổ trưởng",
            912000111,
            "Vị Đông 3",
            "xã vị đông",
            "Tổ CNS ấp 3",
            date(2025, 3, 1),
        ]
    )
    sheet.append([2, "Đỗ Thị Lan", "TV", 987000222, None, None, None, "02/03/2025"])
    sheet.merge_cells("E3:E4")
    sheet.merge_cells("F3:F4")
    sheet.merge_cells("G3:G4")
    buffer = io.BytesIO()
    book.save(buffer)

    data = read_members(buffer.getvalue(), "ds.xlsx", commune_officer)
    actions.import_members(commune_officer, data)

    lan = Member.objects.get(phone="0987000222")
    assert lan.team.name == "Tổ CNS ấp 3"
    assert lan.team.hamlet.name == "Ấp Vị Đông 3"
    assert lan.role == MemberRole.MEMBER
    assert lan.active_from == date(2025, 3, 2)
    assert Member.objects.get(phone="0912000111").active_from == date(2025, 3, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "detected"),
    [
        ("utf-8", False, ",", "utf-8"),
        ("utf-8", True, ";", "utf-8-sig"),
        ("cp1258", False, ",", "cp1258"),
        ("utf-16", False, "\t", "utf-16"),
    ],
)
def test_csv_in_the_encodings_excel_writes(
    commune_officer: User, encoding: str, bom: bool, delimiter: str, detected: str
) -> None:
    content = csv_bytes(GOOD_ROWS, encoding=encoding, delimiter=delimiter, bom=bom)

    data = read_members(content, "ds.csv", commune_officer)
    actions.import_members(commune_officer, data)

    assert data.encoding == detected
    assert set(Member.objects.values_list("full_name", flat=True)) == {row[1] for row in GOOD_ROWS}
    assert Member.objects.get(phone="0387654321").skills == "Thanh toán không dùng tiền mặt"


@pytest.mark.django_db
def test_a_csv_in_another_encoding_is_refused_with_how_to_fix_it(commune_officer: User) -> None:
    # Saved as Windows-1252 ("Western"): the Vietnamese letters it lacks became "?".
    text = "STT,Họ và tên,Chức vụ trong tổ,Số điện thoại,Ấp/Khu vực,Xã/Phường\n1,Nguyễn Văn Tâm,Tổ trưởng\n"
    content = text.encode("cp1252", errors="replace")

    error = refused(content, "ds.csv", commune_officer)

    assert error.code == "members_bad_encoding"
    assert "UTF-8" in error.as_dict()["message"]
    assert "UTF-8" in error.as_dict()["message_en"]
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_mojibake_that_happens_to_decode_is_not_taken_for_windows_1258(commune_officer: User) -> None:
    # Shift-JIS bytes decode as *something* in Windows-1258, but the header does not read "Họ và tên".
    content = "STT,氏名,役職,電話\n1,山田,班長,0912345678\n".encode("shift_jis")

    error = refused(content, "ds.csv", commune_officer)

    assert error.code == "members_bad_encoding"


@pytest.mark.django_db
def test_wrong_columns_are_all_reported(commune_officer: User) -> None:
    header = ["STT", "Họ và tên", "Chức danh", "Ấp/Khu vực", "Xã/Phường", "Email"]
    content = workbook(
        [[1, "Nguyễn Văn Tâm", "Tổ trưởng", "Ấp Vị Đông 1", "Xã Vị Đông", "a@b.vn"]], header=header
    )

    error = refused(content, "ds.xlsx", commune_officer)

    found = problems(error)
    assert (
        4,
        "Chức danh",
        "Cột «Chức danh» không được hỗ trợ; các cột hợp lệ: " + ", ".join(c.header for c in COLUMNS) + ".",
    ) in found
    assert any(row == 4 and field == "Email" for row, field, _m in found)
    assert (4, "Chức vụ trong tổ", "Thiếu cột «Chức vụ trong tổ».") in found
    assert (4, "Số điện thoại", "Thiếu cột «Số điện thoại».") in found
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_a_file_without_the_table_header_is_refused(commune_officer: User) -> None:
    content = workbook([["a", "b"]], header=["Tên", "Điện thoại"])

    error = refused(content, "ds.xlsx", commune_officer)

    assert error.code == "members_no_header"
    assert "Họ và tên" in error.as_dict()["message"]


@pytest.mark.django_db
def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(commune_officer: User) -> None:
    rows = [
        *GOOD_ROWS,  # lines 5–8
        [
            5,
            "Huỳnh Văn Bé",
            "Thành viên",
            "0912345678",
            "",
            "Ấp Vị Đông 2",
            "Xã Vị Đông",
        ],  # 9: same phone as 5
        [
            6,
            "Ngô Thị Cúc",
            "Thành viên",
            "0901999888",
            "",
            "Ấp Vị Đông 9",
            "Xã Vị Đông",
        ],  # 10: no such hamlet
        [7, "Lý Văn Đức", "Thành viên", "0901999777", "", "Ấp 1", "Xã Không Có"],  # 11: no such commune
        [8, "Đặng Thị Gấm", "Trưởng ban", "12345", "", "Ấp Vị Đông 2", "Xã Vị Đông"],  # 12: role and phone
        [9, "", "Thành viên", "0901999666", "", "Ấp Vị Đông 2", "Xã Vị Đông"],  # 13: no name
        [10, "Tô Văn Hải", "Tổ trưởng", "0901999555", "", "Ấp Vị Đông 1", "Xã Vị Đông"],  # 14: second leader
    ]
    content = workbook(rows)

    error = refused(content, "ds.xlsx", commune_officer)

    found = problems(error)
    assert (9, "Số điện thoại", "Số điện thoại 0912345678 trùng với dòng 5.") in found
    assert any(
        row == 10 and field == "Ấp/Khu vực" and "«Ấp Vị Đông 9»" in m and "Ấp Vị Đông 1" in m
        for row, field, m in found
    )
    assert (11, "Xã/Phường", "Không có xã, phường «Xã Không Có» trong tỉnh.") in found
    assert any(row == 12 and field == "Chức vụ trong tổ" for row, field, _m in found)
    assert any(row == 12 and field == "Số điện thoại" and "«12345»" in m for row, field, m in found)
    assert (13, "Họ và tên", "Thiếu họ và tên.") in found
    assert any(row == 14 and field == "Chức vụ trong tổ" and "dòng 5" in m for row, field, m in found)
    assert {row for row, _f, _m in found} == {9, 10, 11, 12, 13, 14}
    assert error.as_dict()["errors"][0]["message_en"]
    assert not Member.objects.exists()
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_a_phone_of_a_member_in_another_commune_is_refused(commune_officer: User) -> None:
    other = TeamFactory(agency=commune_agency("Phường VII"))
    MemberFactory(team=other, phone="0912345678", full_name="Bùi Văn Khải")

    error = refused(workbook(GOOD_ROWS), "ds.xlsx", commune_officer)

    assert (
        5,
        "Số điện thoại",
        "Số điện thoại 0912345678 đã là của thành viên Bùi Văn Khải thuộc tổ của Ủy ban nhân dân Phường VII.",
    ) in problems(error)
    assert Member.objects.get(phone="0912345678").full_name == "Bùi Văn Khải"


@pytest.mark.django_db
def test_rows_of_a_commune_the_importer_does_not_manage_are_refused(commune_officer: User) -> None:
    rows = [[1, "Lâm Văn Lợi", "Tổ trưởng", "0912000999", "", "Khu vực 1", "Phường VII"]]

    error = refused(workbook(rows), "ds.xlsx", commune_officer)

    assert problems(error) == [
        (5, "Xã/Phường", "Bạn không quản lý các tổ công nghệ số của Ủy ban nhân dân Phường VII.")
    ]


@pytest.mark.django_db
def test_names_are_matched_as_people_write_them(hau_giang: None) -> None:
    admin = User.objects.create_superuser("quantri", password="x" * 12)
    rows = [
        [1, "Lâm Văn Lợi", "Tổ trưởng", "+84 912 000 999", "", "KV3", "Phường 7"],
        [2, "Châu Thị Mai", "thành viên", "0912.000.888", "", "khu vuc 3", "PHƯỜNG VII"],
        [3, "Mai Văn Sáu", "Thanh vien", "0912 000 777", "", "vi dong 2", "Vị Đông"],
    ]

    actions.import_members(admin, read_members(workbook(rows), "ds.xlsx", admin))

    assert Member.objects.get(phone="0912000999").team.hamlet.name == "Khu vực 3"
    assert Member.objects.get(phone="0912000888").team == Member.objects.get(phone="0912000999").team
    assert Member.objects.get(phone="0912000777").team.hamlet.name == "Ấp Vị Đông 2"


@pytest.mark.django_db
def test_bad_dates_and_an_end_before_the_start(commune_officer: User) -> None:
    header = [*HEADER, "Ngày bắt đầu", "Ngày kết thúc"]
    rows = [
        [*GOOD_ROWS[0], "31/02/2025", ""],
        [*GOOD_ROWS[1], "01/06/2025", "01/05/2025"],
    ]

    found = problems(refused(workbook(rows, header=header), "ds.xlsx", commune_officer))

    assert (5, "Ngày bắt đầu", "Ngày «31/02/2025» không hợp lệ: ghi theo dạng ngày/tháng/năm.") in found
    assert (6, "Ngày kết thúc", "Ngày kết thúc trước ngày bắt đầu.") in found


@pytest.mark.django_db
def test_unsupported_and_empty_files(commune_officer: User) -> None:
    assert refused(b"\xd0\xcf\x11\xe0", "ds.xls", commune_officer).code == "members_unsupported"
    assert refused(b"%PDF-1.4", "ds.pdf", commune_officer).code == "members_unsupported"
    assert refused(b"PK\x03\x04 not really", "ds.xlsx", commune_officer).code == "members_unreadable"
    empty = refused(workbook([]), "ds.xlsx", commune_officer)
    assert problems(empty) == [(4, "file", "Tệp không có dòng thành viên nào dưới dòng tiêu đề.")]


@pytest.mark.django_db
def test_a_second_import_updates_members_by_phone_and_ends_memberships(commune_officer: User) -> None:
    actions.import_members(commune_officer, read_members(workbook(GOOD_ROWS), "a.xlsx", commune_officer))
    header = [*HEADER, "Ngày kết thúc"]
    rows = [
        [*GOOD_ROWS[0][:2], "Thành viên", *GOOD_ROWS[0][3:], ""],  # the leader steps down…
        [*GOOD_ROWS[2][:2], "Tổ trưởng", *GOOD_ROWS[2][3:], ""],  # …a member takes over
        [*GOOD_ROWS[1], "30/06/2026"],  # the deputy left
    ]

    report = actions.import_members(
        commune_officer, read_members(workbook(rows, header=header), "b.xlsx", commune_officer)
    )

    assert (report.created, report.updated, report.unchanged, report.teams_created) == (0, 3, 0, 0)
    assert Member.objects.get(phone="0912345678").role == MemberRole.MEMBER
    assert Member.objects.get(phone="0901112223").role == MemberRole.LEADER
    assert Member.objects.get(phone="0387654321").active_until == date(2026, 6, 30)
    assert Member.objects.count() == 4  # the one not in the file is left as it was


@pytest.mark.django_db
def test_export_then_import_changes_nothing(commune_officer: User) -> None:
    actions.import_members(commune_officer, read_members(workbook(GOOD_ROWS), "a.xlsx", commune_officer))
    rows = members_for_export(Member.objects.all())

    for content, name in (
        (write_members_workbook(rows, "xuất thử"), "x.xlsx"),
        (write_members_csv(rows), "x.csv"),
    ):
        report = actions.import_members(commune_officer, read_members(content, name, commune_officer))
        assert (report.created, report.updated, report.unchanged, report.teams_created) == (0, 0, 4, 0)


@pytest.mark.django_db
def test_the_export_has_the_import_shape(commune_officer: User) -> None:
    actions.import_members(commune_officer, read_members(workbook(GOOD_ROWS), "a.xlsx", commune_officer))
    rows = members_for_export(Member.objects.all())

    sheet = load_workbook(io.BytesIO(write_members_workbook(rows, "x"))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[3] == tuple(column.header for column in COLUMNS)
    assert values[4][1:4] == ("Nguyễn Văn Tâm", "Tổ trưởng", "0912345678")  # the phone keeps its 0
    csv_text = write_members_csv(rows)
    assert csv_text.startswith(codecs.BOM_UTF8)
    assert "Trần Thị Mỹ,Tổ phó,0387654321" in csv_text.decode("utf-8-sig")


@pytest.mark.django_db
def test_an_import_outside_ones_scope_is_refused_at_the_action_too(commune_officer: User) -> None:
    data = read_members(workbook(GOOD_ROWS), "a.xlsx", commune_officer)
    stranger = User.objects.create_user("nguoi.la", password="x" * 12)

    with pytest.raises(PermissionDenied):
        actions.import_members(stranger, data)
    assert not Member.objects.exists()

"""The pure parts of issued documents: Vietnamese dates and masked names, and the PDF layout itself —
text in, the same text back out of the PDF, the QR code readable from the rendered page."""

from __future__ import annotations

import io
import re
import time
from datetime import date, datetime
from typing import Any

import pypdfium2
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from mekong.dossiers.documents.render import (
    DocumentContent,
    Heading,
    Items,
    Line,
    Signature,
    Table2,
    Text,
    Verification,
    qr_matrix,
    render_pdf,
)
from mekong.dossiers.documents.text import (
    VIETNAM_TZ,
    date_time,
    mask_name,
    nfc,
    place_and_date,
    short_date,
)

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
VIETNAMESE = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
URL = "http://127.0.0.1:8000/verify/3f2a8c1e-7b6d-4e2f-9a1b-0c3d5e7f9a2b/"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with runs of whitespace (line breaks where a paragraph wrapped) made single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def read_qr_codes(pdf: bytes) -> list[str]:
    """Rasterise each page and read its QR codes, as a phone camera would."""
    texts = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=2).to_pil()
        texts += [
            code.text
            for code in zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            )
        ]
    return texts


def content(**overrides: object) -> DocumentContent:
    fields: dict[str, object] = {
        "heading": Heading(issuer="Bộ phận Một cửa", parent="Ủy ban nhân dân xã Vị Thủy"),
        "place_date": "Vị Thủy, ngày 09 tháng 3 năm 2026",
        "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "subtitle": "Mã hồ sơ: 000.00.17.H28-260309-0001",
        "verification": Verification(url=URL, document_id="3f2a8c1e-7b6d-4e2f-9a1b-0c3d5e7f9a2b"),
        "body": (
            Line("Ông/bà", "Nguyễn Thị Ánh Tuyết", strong=True),
            Text("Thành phần hồ sơ nộp gồm:", align="left"),
            Items(("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"), numbered=False),
            Table2((("Họ, chữ đệm và tên", "Trần Văn Đức"),)),
        ),
        "signatures": (Signature("Người nộp hồ sơ", "Nguyễn Thị Ánh Tuyết"), Signature("Người tiếp nhận")),
    }
    fields.update(overrides)
    return DocumentContent(**fields)  # type: ignore[arg-type]


# --- wording ---------------------------------------------------------------------------------------------------


def test_place_and_date_pads_days_below_ten_and_the_first_two_months() -> None:
    assert place_and_date("Vị Thanh", date(2026, 3, 9)) == "Vị Thanh, ngày 09 tháng 3 năm 2026"
    assert place_and_date("Vị Thanh", date(2026, 2, 15)) == "Vị Thanh, ngày 15 tháng 02 năm 2026"
    assert place_and_date("", date(2026, 12, 31)) == "Ngày 31 tháng 12 năm 2026"


def test_dates_are_read_in_vietnam_time() -> None:
    # 20:30 UTC on 9 March is 03:30 on 10 March in Vietnam.
    late = datetime.fromisoformat("2026-03-09T20:30:00+00:00")
    assert short_date(late) == "10/03/2026"
    assert date_time(late) == "03 giờ 30 phút, ngày 10/03/2026"
    assert place_and_date("Vị Thanh", late) == "Vị Thanh, ngày 10 tháng 3 năm 2026"
    assert short_date(datetime(2026, 3, 9, 23, 59, tzinfo=VIETNAM_TZ)) == "09/03/2026"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_place_and_date_always_names_the_day_the_month_and_the_year(day: date) -> None:
    line = place_and_date("Hậu Giang", day)
    match = re.fullmatch(r"Hậu Giang, ngày (\d\d) tháng (\d+) năm (\d{4})", line)
    assert match is not None
    assert (int(match[1]), int(match[2]), int(match[3])) == (day.day, day.month, day.year)
    assert len(match[2]) == (2 if day.month < 3 else len(str(day.month)))


def test_mask_name_keeps_the_family_name_and_initials() -> None:
    assert mask_name("Nguyễn Thị Ánh Tuyết") == "Nguyễn T. Á. T."
    assert mask_name("  Đặng   Văn  ") == "Đặng V."
    assert mask_name("") == ""


@given(st.lists(st.text(alphabet=VIETNAMESE, min_size=2, max_size=8), min_size=2, max_size=5))
def test_mask_name_never_shows_more_than_the_initial_of_the_given_names(words: list[str]) -> None:
    masked = mask_name(" ".join(words))
    parts = masked.split(" ")
    assert parts[0] == nfc(words[0])
    assert parts[1:] == [f"{nfc(word)[0]}." for word in words[1:]]


def test_decomposed_input_is_precomposed() -> None:
    decomposed = "Nguye\u0302\u0303n"  # e + combining circumflex + combining tilde, as some keyboards type
    assert nfc(decomposed) == "Nguyễn"


# --- the PDF ------------------------------------------------------------------------------------------------


def test_every_vietnamese_letter_survives_the_round_trip() -> None:
    letters = " ".join(VIETNAMESE[i : i + 12] for i in range(0, len(VIETNAMESE), 12))
    pdf = render_pdf(content(body=(Text(letters),)))
    text = pdf_text(pdf)
    for word in letters.split():
        assert word in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text


def test_only_embedded_truetype_fonts_so_no_system_font_is_needed() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(content())))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    assert {str(font["/BaseFont"]).split("+")[-1] for font in fonts} == {
        "SourceSerifPro-Regular",
        "SourceSerifPro-Bold",
    }
    for font in fonts:
        # Not one of the 14 standard fonts (no Vietnamese letters), and the glyphs travel in the file.
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_the_qr_code_on_the_page_reads_back_as_the_verification_address() -> None:
    pdf = render_pdf(content())
    assert read_qr_codes(pdf) == [URL]
    assert URL in pdf_text(pdf)


def test_a_document_over_several_pages_carries_the_qr_code_on_each() -> None:
    many = tuple(
        Text(f"Đoạn văn số {n}: quy định về thủ tục hành chính một cửa, liên thông.") for n in range(80)
    )
    pdf = render_pdf(content(body=many))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 2
    assert read_qr_codes(pdf) == [URL] * pages


def test_qr_matrix_is_the_symbol_for_the_address() -> None:
    matrix = qr_matrix(URL)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 17) % 4 == 0  # a regular QR version: 21, 25, 29, ... modules
    # The three finder patterns: dark 7x7 rings in three corners.
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(matrix[top][left + i] and matrix[top + 6][left + i] for i in range(7))


def test_rendering_is_deterministic_and_fast() -> None:
    document = content()
    first = render_pdf(document)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        again = render_pdf(document)
        timings.append(time.perf_counter() - started)
        assert again == first
    assert min(timings) < 0.1, timings
    other = render_pdf(content(verification=Verification(url=URL.replace("3f2a", "4f2a"), document_id="x")))
    assert other != first


def test_metadata_names_the_document() -> None:
    pdf = render_pdf(content(metadata={"title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả — 000.00.17.H28"}))
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info.title == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả — 000.00.17.H28"
    assert info.author == "Bộ phận Một cửa"


def test_markup_characters_in_user_text_are_printed_not_interpreted() -> None:
    pdf = render_pdf(content(body=(Text("Lý do: <b>thiếu</b> & sai"), Line("Ghi chú", "a < b > c"))))
    text = pdf_text(pdf)
    assert "Lý do: <b>thiếu</b> & sai" in text
    assert "Ghi chú: a < b > c" in text


@settings(max_examples=15, deadline=None)
@given(
    st.text(alphabet=VIETNAMESE + " ,.-", min_size=1, max_size=300).filter(lambda s: s.strip()),
    st.sampled_from(["justify", "left", "center"]),
)
def test_any_vietnamese_paragraph_comes_back_out_of_the_pdf(paragraph: str, align: str) -> None:
    pdf = render_pdf(content(body=(Text(paragraph, align=align),)))  # type: ignore[arg-type]
    expected = re.sub(r"\s+", " ", paragraph).strip()
    # Justified lines may be split anywhere a space was: compare without spaces.
    assert expected.replace(" ", "") in pdf_text(pdf).replace(" ", "")

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from mekong.core.text import fold, slug_key, strip_accents

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
vietnamese_text = st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " ", max_size=60)


def test_fold_examples() -> None:
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐĂNG KÝ KHAI SINH") == "dang ky khai sinh"
    assert fold("  Thị   trấn\tNgã Sáu ") == "thi tran nga sau"
    assert slug_key("Xã Vị Đông") == "xavidong"


@given(vietnamese_text)
def test_fold_ignores_case_and_accents(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(strip_accents(text))


@given(vietnamese_text)
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert "  " not in folded
    assert folded == folded.strip()


@given(vietnamese_text)
def test_fold_same_for_composed_and_decomposed(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))

"""The applicant's answers under the schema's titles."""

from __future__ import annotations

from mekong.backoffice.formdata import Answer, answers

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ, chữ đệm và tên"},
        "gioi_tinh": {
            "type": "string",
            "title": "Giới tính",
            "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}],
        },
        "co_con": {"type": "boolean", "title": "Đã có con"},
        "cha": {
            "type": "object",
            "title": "Thông tin cha",
            "properties": {"ho_ten": {"type": "string", "title": "Họ tên cha"}},
        },
        "so_dien_thoai": {"type": "array", "title": "Số điện thoại", "items": {"type": "string"}},
        "con": {
            "type": "array",
            "title": "Các con",
            "items": {"type": "object", "properties": {"ten": {"title": "Tên"}}},
        },
    },
}


def test_answers_follow_the_schema_order_and_titles() -> None:
    data = {
        "con": [{"ten": "Bé Na"}],
        "ho_ten": "Nguyễn Văn An",
        "co_con": True,
        "gioi_tinh": "nu",
        "cha": {"ho_ten": "Nguyễn Văn Ba"},
        "so_dien_thoai": ["0912345678", "0987654321"],
        "ghi_chu_cu": "trường cũ",
    }

    assert answers(SCHEMA, data) == [
        Answer("Họ, chữ đệm và tên", "Nguyễn Văn An"),
        Answer("Giới tính", "Nữ"),
        Answer("Đã có con", "Có"),
        Answer("Thông tin cha", children=[Answer("Họ tên cha", "Nguyễn Văn Ba")]),
        Answer("Số điện thoại", "0912345678, 0987654321"),
        Answer("Các con", children=[Answer("1", children=[Answer("Tên", "Bé Na")])]),
        Answer("ghi_chu_cu", "trường cũ"),
    ]


def test_unanswered_fields_are_left_out_and_words_can_be_translated() -> None:
    assert answers(SCHEMA, {"co_con": False}, yes="Yes", no="No") == [Answer("Đã có con", "No")]
    assert answers(SCHEMA, {}) == []
    assert answers({}, None) == []

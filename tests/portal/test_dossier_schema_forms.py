"""The tờ khai form built from a procedure's JSON Schema: one input per property, in a stable order, and
the very messages `dossiers.validation.form_errors` gives the API."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.http import QueryDict

from mekong.core.errors import in_language
from mekong.dossiers.validation import form_errors
from mekong.portal.schema_forms import SchemaForm, field_order, review_rows

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "ghi_chu": {"type": "string", "title": "Ghi chú", "maxLength": 1000},
        "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 2, "maxLength": 100},
        "so_dinh_danh": {"type": "string", "title": "Số định danh", "pattern": "^\\d{12}$"},
        "email": {"type": "string", "title": "Thư điện tử", "format": "email"},
        "ngay_sinh": {
            "type": "string",
            "title": "Ngày sinh",
            "format": "date",
            "description": "Như trên giấy khai sinh.",
        },
        "so_ban": {"type": "integer", "title": "Số bản sao", "minimum": 0, "maximum": 20, "default": 1},
        "dien_tich": {"type": "number", "title": "Diện tích (m²)", "exclusiveMinimum": 0},
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["Nam", "Nữ"]},
        "dang_khuyet_tat": {
            "type": "array",
            "title": "Dạng khuyết tật",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "enum": ["Vận động", "Nghe, nói", "Nhìn"]},
        },
        "co_tang_ham": {"type": "boolean", "title": "Có tầng hầm", "default": False},
    },
    "required": ["ho_ten", "so_dinh_danh", "ngay_sinh", "gioi_tinh", "so_ban"],
}

GOOD = {
    "ho_ten": "Nguyễn Thị Bé",
    "so_dinh_danh": "093123456789",
    "ngay_sinh": "2024-01-05",
    "gioi_tinh": "Nữ",
    "so_ban": "2",
}


def _post(**values: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def _api_messages(data: dict[str, Any]) -> dict[str, str]:
    """What the API would say for `data`: field → Vietnamese message."""
    return {
        error.field.split(".")[0]: in_language(error.message, "vi", **error.params)
        for error in form_errors(SCHEMA, data)
    }


def test_order_is_required_first_then_the_other_properties() -> None:
    assert field_order(SCHEMA) == [
        "ho_ten",
        "so_dinh_danh",
        "ngay_sinh",
        "gioi_tinh",
        "so_ban",
        "ghi_chu",
        "email",
        "dien_tich",
        "dang_khuyet_tat",
        "co_tang_ham",
    ]
    assert list(SchemaForm(SCHEMA).fields) == field_order(SCHEMA)


def test_explicit_order_wins_and_unknown_names_are_ignored() -> None:
    schema = {**SCHEMA, "x-order": ["email", "khong_co", "ho_ten"]}
    order = field_order(schema)
    assert order[:2] == ["email", "ho_ten"]
    assert "khong_co" not in order
    assert sorted(order) == sorted(SCHEMA["properties"])


def test_each_type_gets_its_input() -> None:
    form = SchemaForm(SCHEMA)
    widgets = {name: field.widget for name, field in form.fields.items()}
    assert isinstance(widgets["ho_ten"], forms.TextInput)
    assert widgets["ho_ten"].attrs["maxlength"] == 100
    assert isinstance(widgets["ghi_chu"], forms.Textarea)  # long text
    assert widgets["so_dinh_danh"].attrs["inputmode"] == "numeric"  # digits-only pattern
    assert isinstance(widgets["email"], forms.EmailInput)
    assert isinstance(widgets["ngay_sinh"], forms.DateInput)
    assert widgets["ngay_sinh"].input_type == "date"
    assert widgets["so_ban"].attrs["inputmode"] == "numeric"
    assert widgets["dien_tich"].attrs["inputmode"] == "decimal"
    assert isinstance(widgets["gioi_tinh"], forms.Select)
    assert [value for value, _label in widgets["gioi_tinh"].choices] == ["", "Nam", "Nữ"]
    assert isinstance(widgets["dang_khuyet_tat"], forms.CheckboxSelectMultiple)
    assert [value for value, _label in widgets["dang_khuyet_tat"].choices] == [
        "Vận động",
        "Nghe, nói",
        "Nhìn",
    ]
    assert isinstance(widgets["co_tang_ham"], forms.CheckboxInput)


def test_titles_are_labels_descriptions_and_limits_are_hints_and_required_is_marked() -> None:
    form = SchemaForm(SCHEMA)
    assert form.fields["ho_ten"].label == "Họ và tên"
    assert form.fields["ho_ten"].widget.attrs.get("required") is True
    assert form.fields["email"].label == "Thư điện tử (không bắt buộc)"
    assert "required" not in form.fields["email"].widget.attrs
    assert form.fields["ngay_sinh"].help_text == "Như trên giấy khai sinh."
    assert form.fields["so_ban"].help_text == "Từ 0 đến 20."
    assert form.fields["dien_tich"].help_text == "Không nhỏ hơn 0."


def test_valid_answers_become_json_values() -> None:
    form = SchemaForm(
        SCHEMA,
        _post(
            **{
                **GOOD,
                "ngay_sinh": "05/01/2024",  # typed where there is no date picker
                "dien_tich": "12,5",  # Vietnamese decimal comma
                "email": " an@example.vn ",
                "dang_khuyet_tat": ["Nhìn", "Vận động"],
                "co_tang_ham": "on",
            }
        ),
    )
    assert form.is_valid(), form.errors
    assert form.form_data == {
        "ho_ten": "Nguyễn Thị Bé",
        "so_dinh_danh": "093123456789",
        "ngay_sinh": "2024-01-05",
        "gioi_tinh": "Nữ",
        "so_ban": 2,
        "email": "an@example.vn",
        "dien_tich": 12.5,
        "dang_khuyet_tat": ["Nhìn", "Vận động"],
        "co_tang_ham": True,
    }
    assert form_errors(SCHEMA, form.form_data) == []


def test_empty_optional_inputs_are_left_out_and_an_unticked_box_is_false() -> None:
    form = SchemaForm(SCHEMA, _post(**GOOD, email="  ", dien_tich=""))
    assert form.is_valid(), form.errors
    assert "email" not in form.form_data
    assert "dien_tich" not in form.form_data
    assert form.form_data["co_tang_ham"] is False


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("ho_ten", "", "Vui lòng nhập “Họ và tên”."),
        ("ho_ten", "A", "“Họ và tên” phải có ít nhất 2 ký tự."),
        ("so_dinh_danh", "12345", "“Số định danh” không đúng định dạng."),
        ("ngay_sinh", "31/02/2024", "“Ngày sinh” không đúng định dạng."),
        ("ngay_sinh", "hôm qua", "“Ngày sinh” không đúng định dạng."),
        ("so_ban", "hai", "“Số bản sao” không đúng kiểu dữ liệu."),
        ("so_ban", "21", "“Số bản sao” không được lớn hơn 20."),
        ("so_ban", "-1", "“Số bản sao” không được nhỏ hơn 0."),
        ("dien_tich", "0", "“Diện tích (m²)” phải lớn hơn 0."),
        ("gioi_tinh", "Khác", "“Giới tính” phải là một trong các giá trị cho phép."),
        ("email", "khong-phai-thu", "“Thư điện tử” không đúng định dạng."),
    ],
)
def test_each_problem_gets_the_api_message_on_its_field(field: str, typed: str, expected: str) -> None:
    form = SchemaForm(SCHEMA, _post(**{**GOOD, field: typed}))
    assert not form.is_valid()
    assert form.errors[field] == [expected]
    assert set(form.errors) == {field}
    # The same words as the API gives for the same JSON.
    assert _api_messages(form.form_data) == {field: expected}


def test_every_problem_is_reported_at_once_and_what_was_typed_is_kept() -> None:
    form = SchemaForm(SCHEMA, _post(so_dinh_danh="abc", so_ban="hai", dang_khuyet_tat=[]))
    assert not form.is_valid()
    assert set(form.errors) == {"ho_ten", "so_dinh_danh", "ngay_sinh", "gioi_tinh", "so_ban"}
    assert form.form_data["so_ban"] == "hai"  # saved on the draft as typed, to be corrected
    html = str(form["so_ban"])
    assert 'value="hai"' in html
    assert 'aria-invalid="true"' in html


def test_inputs_name_their_hint_and_error_for_screen_readers() -> None:
    form = SchemaForm(SCHEMA, _post(**{**GOOD, "so_ban": "99"}))
    assert not form.is_valid()
    assert 'aria-describedby="id_so_ban_helptext id_so_ban-loi"' in str(form["so_ban"])
    assert 'aria-describedby="id_ngay_sinh_helptext"' in str(form["ngay_sinh"])
    assert "aria-describedby" not in str(form["ho_ten"])


def test_a_draft_shows_its_answers_and_a_fresh_one_the_defaults() -> None:
    fresh = SchemaForm.for_draft(SCHEMA, {})
    assert fresh.initial == {"so_ban": "1"}  # co_tang_ham's default False is an unticked box
    stored = {"ho_ten": "Lê Văn Tám", "so_ban": 3, "dang_khuyet_tat": ["Nhìn"], "co_tang_ham": True}
    resumed = SchemaForm.for_draft(SCHEMA, stored)
    assert resumed.initial == {
        "ho_ten": "Lê Văn Tám",
        "so_ban": "3",
        "dang_khuyet_tat": ["Nhìn"],
        "co_tang_ham": "on",
    }
    assert 'value="Lê Văn Tám"' in str(resumed["ho_ten"])
    assert "checked" in str(resumed["co_tang_ham"])


def test_checking_a_saved_draft_reads_back_what_was_stored() -> None:
    stored = {
        **{key: value for key, value in GOOD.items() if key != "so_ban"},
        "so_ban": 4,
        "dien_tich": 7.25,
        "dang_khuyet_tat": ["Vận động"],
        "co_tang_ham": False,
    }
    checked = SchemaForm.checking(SCHEMA, stored)
    assert checked.errors == {}
    assert checked.form_data == stored
    incomplete = SchemaForm.checking(SCHEMA, {"so_ban": "hai"})
    assert incomplete.errors["so_ban"] == ["“Số bản sao” không đúng kiểu dữ liệu."]
    assert incomplete.errors["ho_ten"] == ["Vui lòng nhập “Họ và tên”."]


def test_review_rows_read_like_the_paper_form() -> None:
    rows = {
        row.name: row
        for row in review_rows(
            SCHEMA,
            {
                "ngay_sinh": "2024-01-05",
                "co_tang_ham": False,
                "dang_khuyet_tat": ["Nhìn", "Vận động"],
                "dien_tich": 12.5,
            },
        )
    }
    assert rows["ngay_sinh"].value == "05/01/2024"
    assert rows["co_tang_ham"].value == "Không"
    assert rows["dang_khuyet_tat"].value == "Nhìn; Vận động"
    assert rows["dien_tich"].value == "12,5"
    assert not rows["ho_ten"].answered


def test_an_empty_schema_gives_an_empty_valid_form() -> None:
    form = SchemaForm({}, _post())
    assert form.is_valid()
    assert form.form_data == {}

"""VNPAY's signing and reading of parameters (pure): sorted, quote_plus-encoded, HMAC-SHA512."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mekong.payments.gateways.contrib.vnpay import codes, protocol

SECRET = "VNPAYTESTSECRET0123456789ABCDEFG"
AT = datetime(2026, 11, 23, 9, 30, tzinfo=protocol.GMT7)

names = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12
).map(lambda name: f"vnp_{name}")
values = st.text(min_size=1, max_size=40).filter(lambda v: "\x00" not in v)
params_strategy = st.dictionaries(
    names.filter(lambda n: n not in protocol.HASH_PARAMS), values, min_size=1, max_size=10
)


def request() -> protocol.PaymentRequest:
    return protocol.PaymentRequest(
        tmn_code="MEKONGSB",
        txn_ref="T261123ABCDEF0123",
        amount=66_000,
        order_info="Nop phi le phi ho so 000.01.17.H28-261123-0001",
        return_url="http://127.0.0.1:8000/thanh-toan/vnpay/ket-qua/",
        ip_address="127.0.0.1",
        created_at=AT,
        expires_at=AT.replace(minute=45),
    )


def test_signed_text_is_sorted_and_encoded_like_quote_plus() -> None:
    params = {"vnp_TxnRef": "5", "vnp_Amount": "1806000", "vnp_OrderInfo": "Thanh toan don hang :5"}
    assert protocol.signed_data(params) == (
        "vnp_Amount=1806000&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_TxnRef=5"
    )
    expected = hmac.new(SECRET.encode(), protocol.signed_data(params).encode(), hashlib.sha512).hexdigest()
    assert protocol.sign(params, SECRET) == expected
    assert len(expected) == 128


def test_the_payment_url_carries_every_required_parameter_and_its_signature() -> None:
    url = protocol.payment_url("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", request(), SECRET)
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    )
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay"
    assert params["vnp_Amount"] == "6600000"  # ×100
    assert params["vnp_CurrCode"] == "VND"
    assert params["vnp_CreateDate"] == "20261123093000"
    assert params["vnp_ExpireDate"] == "20261123094500"
    assert params["vnp_Locale"] == "vn"
    assert "vnp_BankCode" not in params  # empty values are never sent
    assert next(iter(parts.query.split("&")[-1:])).startswith("vnp_SecureHash=")
    assert protocol.verify(params, SECRET)
    assert not protocol.verify(params, SECRET + "x")


@given(params=params_strategy)
def test_sign_then_verify(params: dict[str, str]) -> None:
    assert protocol.verify(protocol.with_signature(params, SECRET), SECRET)


@given(params=params_strategy, data=st.data())
def test_any_changed_value_breaks_the_signature(params: dict[str, str], data: st.DataObject) -> None:
    signed = protocol.with_signature(params, SECRET)
    name = data.draw(st.sampled_from(sorted(params)))
    new_value = data.draw(values)
    assume(new_value != params[name])
    assert not protocol.verify({**signed, name: new_value}, SECRET)


@given(params=params_strategy, extra_name=names, extra_value=values)
def test_an_added_or_removed_parameter_breaks_the_signature(
    params: dict[str, str], extra_name: str, extra_value: str
) -> None:
    assume(extra_name not in params and extra_name not in protocol.HASH_PARAMS)
    signed = protocol.with_signature(params, SECRET)
    assert not protocol.verify({**signed, extra_name: extra_value}, SECRET)
    if len(params) > 1:
        removed = dict(signed)
        removed.pop(sorted(params)[0])
        assert not protocol.verify(removed, SECRET)


@given(params=params_strategy)
def test_order_of_parameters_does_not_matter(params: dict[str, str]) -> None:
    signed = protocol.with_signature(params, SECRET)
    assert protocol.verify(dict(reversed(list(signed.items()))), SECRET)


def test_other_parameters_and_the_hash_type_are_not_signed() -> None:
    signed = protocol.with_signature({"vnp_TxnRef": "1", "vnp_Amount": "100"}, SECRET)
    assert protocol.verify({**signed, "utm_source": "x", "vnp_SecureHashType": "HmacSHA512"}, SECRET)
    assert protocol.verify({**signed, "vnp_SecureHash": signed["vnp_SecureHash"].upper()}, SECRET)


def test_empty_values_signed_either_way_verify() -> None:
    params = {"vnp_TxnRef": "1", "vnp_BankTranNo": "", "vnp_Amount": "100"}
    with_empty = {**params, "vnp_SecureHash": protocol.sign(params, SECRET)}
    without = {"vnp_TxnRef": "1", "vnp_Amount": "100"}
    skipping_empty = {**params, "vnp_SecureHash": protocol.sign(without, SECRET)}
    assert protocol.verify(with_empty, SECRET)
    assert protocol.verify(skipping_empty, SECRET)


@pytest.mark.parametrize("bad", ["", "abc", "0" * 127, "g" * 128])
def test_missing_or_garbled_signatures_fail(bad: str) -> None:
    assert not protocol.verify({"vnp_TxnRef": "1", "vnp_SecureHash": bad}, SECRET)
    assert not protocol.verify({"vnp_TxnRef": "1"}, SECRET)


def test_reading_a_result() -> None:
    params = {
        "vnp_TmnCode": "MEKONGSB",
        "vnp_TxnRef": "T1",
        "vnp_Amount": "6600000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "14226112",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261123093512",
    }
    result = protocol.parse_result(params)
    assert result.amount == 66_000
    assert result.succeeded
    assert result.paid_at == datetime(2026, 11, 23, 9, 35, 12, tzinfo=protocol.GMT7)
    assert protocol.parse_result(result.params()) == result
    assert not protocol.parse_result({**params, "vnp_TransactionStatus": "02"}).succeeded
    assert not protocol.parse_result({**params, "vnp_ResponseCode": "24"}).succeeded
    for name, value in (
        ("vnp_Amount", "6600050"),
        ("vnp_Amount", "abc"),
        ("vnp_TxnRef", ""),
        ("vnp_PayDate", "x"),
    ):
        with pytest.raises(protocol.MalformedResult) as bad:
            protocol.parse_result({**params, name: value})
        assert bad.value.field == name


def test_codes_have_both_languages() -> None:
    assert codes.response_meaning("24") == (
        "Khách hàng hủy giao dịch.",
        "The customer cancelled the transaction.",
    )
    assert codes.response_meaning("xx") == codes.UNKNOWN
    assert codes.transaction_status_meaning("04")[0].startswith("Giao dịch đảo")
    assert codes.IpnReply.CONFIRMED.as_dict() == {"RspCode": "00", "Message": "Confirm Success"}
    assert codes.IpnReply.INVALID_SIGNATURE.code == "97"
    assert {reply.code for reply in codes.IpnReply} == {"00", "01", "02", "04", "97", "99"}

"""The channel registry, the default choices, and the development SMS provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.factories import CitizenFactory, OfficialFactory
from mekong.notify.channels.base import Channel, OutgoingMessage, Sent
from mekong.notify.channels.contrib.sms.providers.dev import LogFileSmsProvider, read_log
from mekong.notify.channels.registry import Registry, registry
from mekong.notify.selectors import channel_choices, preferences_of


def test_the_built_in_channels_in_the_order_citizens_see_them() -> None:
    assert registry.names() == ["inapp", "sms", "email"]
    assert registry["inapp"].always_on
    assert registry["inapp"].in_transaction
    assert not registry["sms"].in_transaction
    assert not registry["email"].in_transaction


def test_a_registry_refuses_two_channels_of_one_name() -> None:
    class Pigeon(Channel):
        name = "pigeon"
        label = "Bồ câu"

        def address_for(self, user: object) -> str | None:
            return "chuồng"

        def send(self, message: OutgoingMessage) -> Sent:
            return Sent()

    class OtherPigeon(Pigeon):
        pass

    local = Registry()
    local.register(Pigeon)
    local.register(Pigeon)  # the same class again (a module imported twice): fine
    with pytest.raises(ValueError, match="already registered"):
        local.register(OtherPigeon)
    assert local.names() == ["pigeon"]
    assert "pigeon" in local
    assert local.get("fax") is None


@pytest.mark.django_db
def test_defaults_are_the_inbox_plus_whatever_the_account_can_receive() -> None:
    with_phone = CitizenFactory(email="")
    with_both = CitizenFactory(email="an@example.com")
    with_nothing = CitizenFactory(phone="", email="")

    assert preferences_of(with_phone).channels == ("inapp", "sms")
    assert preferences_of(with_both).channels == ("inapp", "sms", "email")
    assert preferences_of(with_nothing).channels == ("inapp",)
    assert preferences_of(with_both).language == "vi"
    assert not preferences_of(with_both).chosen
    choices = {choice.name: choice for choice in channel_choices(with_phone)}
    assert choices["email"].available is False
    assert choices["email"].enabled is False
    assert (choices["sms"].address, choices["sms"].enabled) == (with_phone.phone, True)


@pytest.mark.django_db
def test_officials_have_an_inbox_too() -> None:
    assert preferences_of(OfficialFactory(email="")).channels == ("inapp",)


def test_the_development_provider_writes_each_key_once(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "sms.log"
    first = LogFileSmsProvider(log).send(to="0912345678", text="Xin chào\tbạn\nnhé", idempotency_key="k-1")
    again = LogFileSmsProvider(log).send(to="0912345678", text="Xin chào", idempotency_key="k-1")
    other = LogFileSmsProvider(log).send(to="0987654321", text="Lần hai", idempotency_key="k-2")

    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert first.reference == again.reference == "dev-sms:k-1"
    assert [(m["key"], m["to"], m["text"]) for m in read_log(log)] == [
        ("k-1", "0912345678", "Xin chào bạn nhé"),
        ("k-2", "0987654321", "Lần hai"),
    ]


def test_a_log_that_cannot_be_written_is_a_retryable_error(tmp_path: Path) -> None:
    from mekong.notify.channels.contrib.sms.providers.base import SmsError

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(SmsError, match="cannot write"):
        LogFileSmsProvider(blocker / "sms.log").send(to="0912345678", text="x", idempotency_key="k")

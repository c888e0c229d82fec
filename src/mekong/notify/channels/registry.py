"""The channel registry: `@register` a `Channel` subclass in `contrib/<name>/` and it is offered to
citizens and used for delivery. Channels are listed by their `position`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from mekong.notify.channels.base import Channel

C = TypeVar("C", bound=type[Channel])


class Registry:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel_class: C) -> C:
        name = channel_class.name
        if name in self._channels and type(self._channels[name]) is not channel_class:
            raise ValueError(f"a channel named {name!r} is already registered")
        self._channels[name] = channel_class()
        return channel_class

    def __getitem__(self, name: str) -> Channel:
        return self._channels[name]

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._channels

    def __iter__(self) -> Iterator[Channel]:
        return iter(sorted(self._channels.values(), key=lambda channel: (channel.position, channel.name)))

    def names(self) -> list[str]:
        return [channel.name for channel in self]


registry = Registry()
register = registry.register

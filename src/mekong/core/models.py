"""Model building blocks shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnly(models.Model):
    """A record of something that happened: written once, never changed nor deleted through the ORM (status
    histories and audit trails: dossier events, payment events, refused callbacks, community events).
    `QuerySet.update()` and `delete()` bypass this; the domain code never calls them on these models."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name} records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError(f"{self._meta.verbose_name} records are append-only")

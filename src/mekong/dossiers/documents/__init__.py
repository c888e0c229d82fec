"""Documents the one-stop shop issues (receipt, supplement request, refusal, apology, e-result, fee receipt) as PDF with
a verification QR code: `issue_document`, `generate_result`, `verify_url` (from `documents.issue`).

They are loaded on first use, so the pure modules `documents.render` and `documents.text` import without
Django's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mekong.dossiers.documents.issue import generate_result, issue_document, verify_url

__all__ = ["generate_result", "issue_document", "verify_url"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mekong.dossiers.documents import issue

        return getattr(issue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

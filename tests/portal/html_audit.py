"""Basic accessibility checks on rendered HTML: language, one h1, landmarks, skip link, labelled controls."""

from __future__ import annotations

from html.parser import HTMLParser


class PageAudit(HTMLParser):
    """What the accessibility checks look at in a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.ids: set[str] = set()
        self.label_targets: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.h1_count = 0
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "a":
            self.links.append(attributes)
        elif tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_targets.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"}:
            if tag == "input" and attributes.get("type") in {"hidden", "submit", "button", "reset", "image"}:
                return
            if self._label_depth:
                attributes["wrapped-in-label"] = "yes"
            self.controls.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def audit_page(html: str) -> PageAudit:
    audit = PageAudit()
    audit.feed(html)
    return audit


def assert_accessible(html: str, language: str = "vi") -> PageAudit:
    audit = audit_page(html)
    assert audit.html_lang == language
    assert audit.h1_count == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in audit.tags, landmark
    skip = [link for link in audit.links if "skip-link" in (link.get("class") or "")]
    assert len(skip) == 1
    assert str(skip[0]["href"]).startswith("#")
    assert str(skip[0]["href"])[1:] in audit.ids  # the skip link lands on an element that exists
    assert "noi-dung" in audit.ids
    unlabelled = [
        control
        for control in audit.controls
        if control.get("id") not in audit.label_targets and not control.get("wrapped-in-label")
    ]
    assert unlabelled == [], unlabelled
    described_by = {
        ref for control in audit.controls for ref in str(control.get("aria-describedby") or "").split()
    }
    assert described_by <= audit.ids, described_by - audit.ids
    return audit

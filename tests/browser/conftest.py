"""Browser tests: Playwright driving Debian's Chromium at /usr/bin/chromium, headless.

Playwright's own browser download is never used. Without Chromium these tests skip with a message that
says what to install (`apt-get install chromium`); CI (.ci/run) installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("MEKONG_CHROMIUM", "/usr/bin/chromium")
# A phone of the kind many citizens use (360×740 CSS pixels, touch).
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Any]:
    # The test database exists before Playwright starts its event loop in this thread.
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(
            "Browser tests need Debian's Chromium: run `apt-get install chromium` (as root) to enable them."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # themselves are ordinary synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous

"""Headless Chromium for the browser tests: Debian's `chromium` and `chromium-driver`, driven by Selenium.

Nothing is downloaded: the browser and its driver are the system's. Without them the tests skip locally
and fail when CI=true, so CI never passes by skipping. Screenshots go to $PTM_TRIAGE_ARTIFACTS (default
.artifacts/screenshots/).
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import service_unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP = (1280, 900)
PHONE = (390, 844)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)  # fmt: skip


def artifacts_dir() -> Path:
    given = os.environ.get("PTM_TRIAGE_ARTIFACTS")
    path = Path(given) if given else Path(__file__).resolve().parents[2] / ".artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Browser:
    """A Chromium window with the two sizes a person uses: a desktop and a phone."""

    def __init__(self, driver: object) -> None:
        from selenium.webdriver.remote.webdriver import WebDriver

        assert isinstance(driver, WebDriver)
        self.driver = driver
        self.desktop()

    def desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.driver.set_window_size(*DESKTOP)
        self._viewport(*DESKTOP, mobile=False)

    def phone(self) -> None:
        self._viewport(*PHONE, mobile=True)

    def _viewport(self, width: int, height: int, *, mobile: bool) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def screenshot(self, name: str) -> Path:
        """The whole page (not only the viewport) as artifacts_dir()/NAME.png."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        })
        path = artifacts_dir() / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def both_sizes(self, name: str) -> tuple[Path, Path]:
        """Screenshots of the current page on a desktop and on a phone (the page is reloaded at each size)."""
        self.desktop()
        self.driver.refresh()
        desktop = self.screenshot(f"{name}-desktop")
        self.phone()
        self.driver.refresh()
        phone = self.screenshot(f"{name}-phone")
        self.desktop()
        return desktop, phone


@pytest.fixture
def browser() -> Iterator[Browser]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.access(path, os.X_OK) or shutil.which(path))]
    if missing:
        service_unavailable("Chromium", f"{', '.join(missing)} missing (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # the dev extra brings it
        service_unavailable("Selenium", exc)
    profile = tempfile.mkdtemp(prefix="ptm-triage-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)

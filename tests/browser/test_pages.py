"""The pages in a real browser, as a maintainer sees them: `ptm-triage serve` in dry run, fed signed
webhooks, against the GitHub API double; screenshots on a desktop and a phone are kept as artifacts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import Browser
from tests.e2e.harness import PLAIN_BODY, PLAIN_TITLE, PTM_BODY, PTM_TITLE, AppServer, deliver, issues_payload, writes
from tests.support.github_fixtures import GitHubDoubleHandle
from tests.support.webhook_examples import signed_delivery

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WAIT = 30  # seconds a page may take to show what a test waits for (a loaded machine is slow)


@pytest.fixture
def dry_run_server(tmp_path: Path, github_double: GitHubDoubleHandle, webhook_secret: str) -> Iterator[AppServer]:
    """The App with its credentials, in dry run: it reads GitHub (the double) and writes nothing."""
    server = AppServer(tmp_path, {
        "APP_ID": str(github_double.app_id),
        "PRIVATE_KEY": github_double.private_key_pem,
        "WEBHOOK_SECRET": webhook_secret,
        "GITHUB_API_URL": github_double.url,
        "DRY_RUN": "1",
    }).start()
    try:
        yield server
    finally:
        server.stop()


def text_of(browser: Browser, css: str = "main") -> str:
    return str(browser.driver.find_element(By.CSS_SELECTOR, css).text)


def open_page(browser: Browser, url: str, heading: str) -> None:
    browser.driver.get(url)
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == heading)


def test_a_maintainer_watches_a_dry_run(
    browser: Browser, dry_run_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh, server = github_double, dry_run_server
    ptm = gh.add_issue(gh.repo, PTM_TITLE, PTM_BODY, user="reporter")
    plain = gh.add_issue(gh.repo, PLAIN_TITLE, PLAIN_BODY, user="reporter")
    for issue, title, body in ((ptm, PTM_TITLE, PTM_BODY), (plain, PLAIN_TITLE, PLAIN_BODY)):
        payload = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], title, body)
        assert deliver(server, webhook_secret, "issues", payload)[1].status_code == 202
    server.wait_idle()
    assert writes(gh) == []  # dry run: nothing written to GitHub
    wrong = [signed_delivery("issues", {"action": "opened"}, "not-the-apps-secret", f"wrong-secret-{n}")
             for n in range(3)]
    assert [server.post(delivery).status_code for delivery in wrong] == [401, 401, 401]

    # The status page: the banner, the repository's counts, the refused requests.
    open_page(browser, server.url + "/", "Status")
    # Refusals reach the store within about a second: reload as a person would until they show.
    WebDriverWait(browser.driver, WAIT, poll_frequency=0.5).until(
        lambda d: "probably differs" in text_of(browser) or d.refresh(), "no banner")
    banner = browser.driver.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert "The webhook secret probably differs from the App's." in banner.text
    status = text_of(browser)
    assert gh.repo in status and "dry run" in status and "wrong-secret-2" in status
    status_shots = browser.both_sizes("status")

    # To the decisions through the navigation: the issue, its labels, the comment as GitHub shows it.
    browser.driver.find_element(By.LINK_TEXT, "Decisions").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Decisions")
    article = browser.driver.find_element(By.XPATH, f"//article[.//a[text()='{gh.repo}#{ptm['number']}']]")
    assert PTM_TITLE in article.text
    labels = [e.text for e in article.find_elements(By.CSS_SELECTOR, ".label")]
    assert labels == ["pre-trained model", "ptm: hardware"]
    comment = article.find_element(By.CSS_SELECTOR, ".comment .markdown")
    assert "ptm: hardware" in [e.text for e in comment.find_elements(By.TAG_NAME, "strong")]
    assert "ptm-triage:triage" not in comment.text and "**" not in comment.text  # rendered, marker hidden
    assert comment.find_elements(By.CSS_SELECTOR, "input[type=checkbox][disabled]")  # the task list
    link = article.find_element(By.LINK_TEXT, f"{gh.repo}#{ptm['number']}").get_attribute("href")
    assert link is not None and link.endswith(f"/{gh.repo}/issues/{ptm['number']}")
    decisions_shots = browser.both_sizes("decisions")

    Select(browser.driver.find_element(By.ID, "outcome")).select_by_visible_text("abstained")
    browser.driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: "outcome=abstained" in d.current_url)
    shown = [e.text for e in browser.driver.find_elements(By.CSS_SELECTOR, "article.decision h2 a")]
    assert shown == [f"{gh.repo}#{plain['number']}"]

    assert "webhook request refused (rejected_signature)" in server.logs()
    assert "wrong-secret-0" in server.logs()
    for path in (*status_shots, *decisions_shots):
        assert path.stat().st_size > 10_000


def test_the_playground_shows_the_decision_and_the_comment(
    browser: Browser, dry_run_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    gh.put_file(gh.repo, ".github/ptm-triage.yml", "categories:\n  hardware-resources:\n    label: gpu / memory\n")
    issue = gh.add_issue(gh.repo, PLAIN_TITLE, PLAIN_BODY, user="reporter")
    payload = issues_payload("opened", gh.repo, gh.installation_id, issue["number"], PLAIN_TITLE, PLAIN_BODY)
    deliver(dry_run_server, webhook_secret, "issues", payload)  # the bot reads (and stores) the config
    dry_run_server.wait_idle()

    open_page(browser, dry_run_server.url + "/playground", "Playground")
    browser.driver.find_element(By.ID, "title").send_keys(PTM_TITLE)
    browser.driver.find_element(By.ID, "body").send_keys(PTM_BODY)
    browser.driver.find_element(By.ID, "repo").send_keys(github_double.repo)
    browser.driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: d.find_elements(By.ID, "result-heading"))
    result = browser.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=result-heading]")
    assert [e.text for e in result.find_elements(By.CSS_SELECTOR, ".label")] == ["pre-trained model", "gpu / memory"]
    assert "Terms behind it" in result.text and "cuda" in result.text.lower()
    comment = result.find_element(By.CSS_SELECTOR, ".comment")
    assert "ptm-triage[bot] would comment" in comment.text and "gpu / memory" in comment.text
    assert f"the last valid configuration of {gh.repo}" in result.text
    desktop, phone = browser.both_sizes("playground")
    assert desktop.stat().st_size > 10_000 and phone.stat().st_size > 10_000


def test_the_setup_page_of_a_fresh_install(browser: Browser, tmp_path: Path) -> None:
    server = AppServer(tmp_path, {}).start()  # no credentials, no secret: the newcomer's `ptm-triage serve`
    try:
        open_page(browser, server.url + "/", "Status")
        browser.driver.find_element(By.LINK_TEXT, "Setup").click()
        WebDriverWait(browser.driver, WAIT).until(
            lambda d: d.find_element(By.TAG_NAME, "h1").text == "Register ptm-triage as a GitHub App")
        button = browser.driver.find_element(By.CSS_SELECTOR, "#create button.primary")
        assert button.text.startswith("Create ") and button.text.endswith(" on GitHub")
        desktop, phone = browser.both_sizes("setup")
        assert desktop.stat().st_size > 10_000 and phone.stat().st_size > 10_000
    finally:
        server.stop()

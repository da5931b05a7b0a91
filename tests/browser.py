"""The verification page in a real headless Chromium (tools/chromium.py), driven as a person uses
it, and its answers as it shows them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

# A check takes milliseconds; the bound only ends a test whose page never answers.
ANSWER_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    # VALID; INVALID (a check failed); ALTERED (the document holds, the PDF around it does not);
    # or UNREADABLE (no document could be read)
    verdict: str
    failures: list[str]
    checks: dict[str, bool]
    fields: dict[str, str]
    data: dict[str, str]
    # What the PDF's page prints against what was sealed, and what else the PDF carries.
    page: list[str]
    printed: dict[str, bool]


class VerifierPage:
    """The page as a person uses it: choose or drop a file, or paste the QR code's text."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        self.driver = driver
        driver.get(url)

    def key_state(self) -> str:
        return self.driver.find_element(By.ID, "key-state").get_attribute("data-loaded") or ""

    def use_key(self, pem: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, "#key details summary").click()
        self.driver.execute_script("document.getElementById('key-pem').value = arguments[0]", pem)
        self.driver.find_element(By.ID, "key-apply").click()
        WebDriverWait(self.driver, ANSWER_SECONDS).until(lambda d: self.key_state() in ("true", "false"))

    def _cleared(self) -> None:
        self.driver.execute_script("document.getElementById('verdict').dataset.verdict = ''")

    def _answer(self) -> Answer:
        WebDriverWait(self.driver, ANSWER_SECONDS).until(
            lambda d: d.find_element(By.ID, "verdict").get_attribute("data-verdict")
        )
        # Read in one call: the page as a person sees it, row by row.
        shown = self.driver.execute_script(
            """
            const rows = (id) => Object.fromEntries([...document.querySelectorAll(`#${id} tr`)]
              .map((tr) => [tr.dataset.field, tr.querySelector('td').textContent]));
            return {
              verdict: document.getElementById('verdict').dataset.verdict,
              failures: [...document.querySelectorAll('#failures li')].map((li) => li.dataset.message),
              checks: Object.fromEntries([...document.querySelectorAll('#checks li')]
                .map((li) => [li.dataset.check, li.dataset.ok === 'true'])),
              fields: rows('fields'),
              data: rows('verification-data'),
              page: [...document.querySelectorAll('#page-findings li')].map((li) => li.dataset.message),
              printed: Object.fromEntries([...document.querySelectorAll('#printed tr[data-field]')]
                .map((tr) => [tr.dataset.field, tr.dataset.same === 'true'])),
            };
            """
        )
        return Answer(**shown)

    def check_file(self, path: Path) -> Answer:
        self._cleared()
        self.driver.find_element(By.ID, "document-file").send_keys(str(path))
        return self._answer()

    def drop_file(self, name: str, data: bytes) -> Answer:
        """A file dropped on the page's drop zone, as a person drags it from their desktop."""
        self._cleared()
        self.driver.execute_script(
            """
            const bytes = Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], arguments[0]));
            document.getElementById('drop-zone').dispatchEvent(
              new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            """,
            name,
            base64.b64encode(data).decode(),
        )
        return self._answer()

    def check_payload(self, text: str) -> Answer:
        self._cleared()
        self.driver.execute_script("document.getElementById('payload').value = arguments[0]", text)
        self.driver.find_element(By.ID, "payload-check").click()
        return self._answer()

"""A picture of the verification page checking the demo's certificate, for the README. After
`make demo`:

    .venv/bin/python -m tools.verifier_screenshot [--demo .deedflow/demo] [--out docs/images/verifier.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tools.chromium import headless_chromium


def shoot(demo: Path, out: Path) -> str:
    with headless_chromium(width=1000, height=900) as driver:
        driver.get((demo / "verifier" / "index.html").resolve().as_uri())
        driver.find_element(By.ID, "document-file").send_keys(str((demo / "certificate.pdf").resolve()))
        verdict = WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.ID, "verdict").get_attribute("data-verdict")
        )
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1000, height + 120)
        driver.execute_script("window.scrollTo(0, 0)")
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
        return verdict


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demo", type=Path, default=Path(".deedflow/demo"))
    parser.add_argument("--out", type=Path, default=Path("docs/images/verifier.png"))
    args = parser.parse_args()
    print(f"{shoot(args.demo, args.out)}: {args.out}")


if __name__ == "__main__":
    main()

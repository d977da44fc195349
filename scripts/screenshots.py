"""Take screenshots of pages of a running OneRoof, in Debian's chromium, for review and docs.

.venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTDIR /path [/en/path ...]
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    base, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    width = 1280
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for path in paths:
            if path.startswith("@"):
                width = int(path[1:])
                continue
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
            page.screenshot(path=str(out / f"{name}_{width}.png"), full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()

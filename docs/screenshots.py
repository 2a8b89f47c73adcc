"""Screenshots of the front page, a story and an interview at 1280 and 390 px, light and dark.

Run against a server with the demo content (`make run`), from the project root:
    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000] [out-folder]
It opens Debian's Chromium through Playwright and writes docs/<page>-<width>-<scheme>.png.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WIDTHS = {1280: 900, 390: 844}


def main(base="http://127.0.0.1:8000", out="docs"):
    out = Path(out)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/")
        story = page.locator(".front-lead .card__title a").first.get_attribute("href")
        page.goto(base + "/interviews/")
        interview = page.locator(".card__title a").first.get_attribute("href")
        targets = {"front": "/", "article": story, "interview": interview}
        for width, height in WIDTHS.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport={"width": width, "height": height},
                                              color_scheme=scheme)
                shot = context.new_page()
                for name, path in targets.items():
                    shot.goto(base + path, wait_until="networkidle")
                    # A full-page picture: load the photos below the fold too.
                    shot.evaluate("document.querySelectorAll('img[loading=lazy]')"
                                  ".forEach(img => { img.loading = 'eager'; })")
                    # Blocks below the first screen are drawn only near the window
                    # (content-visibility): a window as tall as the page draws them all.
                    page_height = "Math.ceil(document.body.getBoundingClientRect().height)"
                    for _ in range(4):
                        tall = shot.evaluate(page_height)
                        shot.set_viewport_size({"width": width, "height": tall})
                        # Two frames: the browser decides which blocks are near, then draws.
                        shot.evaluate("new Promise(done => requestAnimationFrame("
                                      "() => requestAnimationFrame(done)))")
                        shot.wait_for_load_state("networkidle")
                        if shot.evaluate(page_height) == tall:
                            break
                    file = out / f"{name}-{width}-{scheme}.png"
                    shot.screenshot(path=str(file), full_page=True)
                    shot.set_viewport_size({"width": width, "height": height})
                    print(re.sub(r"^\./", "", str(file)))
                context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

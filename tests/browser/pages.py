"""Helpers that act on console pages the way a person does (through forms, tabs and buttons)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page: Page, width: int) -> list[str]:
    """Elements whose right edge passes the viewport (empty when the page does not scroll sideways)."""
    if page.evaluate("document.scrollingElement.scrollWidth") <= width + 1:
        return []
    return page.evaluate(
        """width => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 12)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (typeof el.className === 'string' && el.className.trim()
                    ? '.' + el.className.trim().replace(/\\s+/g, '.') : '')
                 + ' right=' + Math.round(el.getBoundingClientRect().right))""",
        width,
    )


def case_id_from(url: str) -> int:
    match = re.search(r"/console/cases/(\d+)/", url)
    assert match, f"not a case page: {url}"
    return int(match.group(1))


def open_queue(page: Page, key: str) -> None:
    """Click a desk's queue tab (htmx swaps #queue) and wait until it is the selected one."""
    page.locator(f'#queue a[data-queue="{key}"]').click()
    expect(page.locator(f'#queue a[data-queue="{key}"]')).to_have_attribute("aria-selected", "true")


def queue_count(page: Page, key: str) -> str:
    return page.locator(f'#queue a[data-queue="{key}"] .n').inner_text().strip()


def row(page: Page, tracking_number: str):
    return page.locator(f'#queue tr[data-case="{tracking_number}"]')


def open_case_from_row(page: Page, tracking_number: str) -> None:
    r = row(page, tracking_number)
    expect(r).to_be_visible()
    r.get_by_role("link", name=tracking_number).click()
    page.wait_for_url(re.compile(r"/console/cases/\d+/"))


def expect_status(page: Page, status: str) -> None:
    """The status badge under the case page's title has the class of `status`."""
    expect(page.locator(f"h1 + p .badge.{status}")).to_be_visible()


def open_operation(page: Page, op: str):
    """The operation's <details> on the case page, opened (the page may open the usual next step)."""
    details = page.locator(f"details#op-{op}")
    expect(details).to_be_attached()
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    expect(details.locator("form")).to_be_visible()
    return details


def do_operation(page: Page, op: str, *, note: str | None = None, fill=None) -> None:
    """Open the operation's <details> on the case page, fill it and submit; the POST must succeed."""
    form = open_operation(page, op).locator(f'form[action$="/do/{op}/"]')
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    if fill is not None:
        fill(form)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/do/{op}/" in r.url) as answer:
        form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if answer.value.status != 302:
        errors = page.locator(".msg.error, .errorlist").all_inner_texts()
        raise AssertionError(f"{op} answered HTTP {answer.value.status}: {errors}")
    expect(page.locator(".messages li.success")).to_be_visible()

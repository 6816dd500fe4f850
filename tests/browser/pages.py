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


# What a wall screen (大屏) must be: one screen, nothing cut. Problems are described as
# "<element> <what>" so a failure names the element.
_DESCRIBE = """el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().replace(/\\s+/g, '.') : '')
    + (el.textContent.trim() ? ' “' + el.textContent.trim().slice(0, 24) + '”' : '')"""

_CUT = (
    """() => {
  const describe = """
    + _DESCRIBE
    + """;
  const problems = [];
  const doc = document.scrollingElement;
  if (doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth) {
    problems.push(`the page scrolls: ${doc.scrollWidth}×${doc.scrollHeight} in ${innerWidth}×${innerHeight}`);
  }
  const boxes = '.panel, .stat, .wall-head, .wall-foot';
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const hidden = el.closest('[hidden]') || getComputedStyle(el).visibility === 'hidden';
    if (!r.width || !r.height || hidden) continue;
    if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) {
      problems.push(describe(el) + ' is off the screen');
    }
    const style = getComputedStyle(el);
    const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
    if (clips && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)) {
      const sizes = `${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`;
      problems.push(describe(el) + ` cuts its content (${sizes})`);
    }
    const box = el.parentElement && el.parentElement.closest(boxes);
    if (box) {
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 1 || r.top < b.top - 1 || r.right > b.right + 1 || r.bottom > b.bottom + 1) {
        problems.push(describe(el) + ' sticks out of ' + describe(box));
      }
    }
  }
  for (const text of document.querySelectorAll('svg text')) {
    if (/(\\.\\.\\.|…)$/.test(text.textContent)) {
      problems.push(`a chart's label is cut: “${text.textContent}”`);
    }
  }
  return problems.slice(0, 20);
}"""
)


def cut_off(page: Page) -> list[str]:
    """What a person at the wall would miss: the page scrolls, an element is off the screen, sticks out
    of its panel or card, is clipped by its box, or a chart label is shortened."""
    return page.evaluate(_CUT)


_CONTRAST = (
    """selector => {
  const describe = """
    + _DESCRIBE
    + """;
  const parse = (color) => {
    const m = color.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const over = (top, bottom) =>
    top.slice(0, 3).map((c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, c) => over(c, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('[hidden]')) continue;
    const style = getComputedStyle(el);
    const bg = background(el.closest('svg') ? el.closest('svg').parentElement : el);
    const fg = over(parse(el.closest('svg') ? style.fill : style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    found.push([describe(el), Math.round(ratio * 100) / 100]);
  }
  return found;
}"""
)


def contrasts(page: Page, selector: str = "body *") -> list[tuple[str, float]]:
    """[(element, contrast ratio)] of every element matched that shows text of its own, its colour
    against the background it is drawn on (WCAG's formula, from the computed styles)."""
    return [tuple(pair) for pair in page.evaluate(_CONTRAST, selector)]


def charts_drawn(page: Page) -> None:
    """Wait until every chart of the page has finished drawing, its animation included."""
    for chart in page.locator("[data-chart]").all():
        expect(chart).to_have_attribute("data-drawn", "")

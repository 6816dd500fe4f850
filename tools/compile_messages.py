"""Compile the translation catalogues (minyi/locale/*/LC_MESSAGES/django.po) to .mo files.

Uses polib, so a machine without GNU gettext can build them; the .mo files are committed next to the
.po files, so a user's machine needs neither. A catalogue is refused, and nothing at all is written,
while any entry is untranslated, fuzzy, or has a translation whose python-format placeholders differ
from the source string's (a missing or misspelt %(name)s fails at run time, not here).

    python tools/compile_messages.py                 every catalogue under minyi/locale
    python tools/compile_messages.py path/django.po  only these
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "minyi" / "locale"

# A printf-style conversion as Python's % operator reads it: %(name)s, %d, %5.2f, %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def placeholders(text: str) -> tuple[frozenset[tuple[str, str]], tuple[str, ...]]:
    """The named placeholders as a set of (name, conversion); the unnamed ones in their order."""
    named: set[tuple[str, str]] = set()
    positional: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        conversion = match.group("conversion")
        if conversion == "%":
            continue
        if match.group("name") is not None:
            named.add((match.group("name"), conversion))
        else:
            positional.append(conversion)
    return frozenset(named), tuple(positional)


def _describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"{entry.msgid!r}{context}" + (f" [{where}]" if where else "")


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _plural_count(po: polib.POFile) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else None


def problems(po: polib.POFile) -> list[str]:
    """Everything that keeps this catalogue from being compiled, one line per entry."""
    found: list[str] = []
    if po.metadata_is_fuzzy:
        found.append('the header (msgid "") is marked fuzzy: check it and remove the flag')
    if "charset=utf-8" not in po.metadata.get("Content-Type", "").lower().replace(" ", ""):
        found.append("the header must declare Content-Type: text/plain; charset=UTF-8")
    nplurals = _plural_count(po)
    if nplurals is None:
        found.append("the header has no Plural-Forms with nplurals")
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {_describe(entry)}")
            continue
        texts = _translations(entry)
        if not all(texts) or (entry.msgid_plural and nplurals and len(texts) != nplurals):
            found.append(f"untranslated: {_describe(entry)}")
            continue
        if "python-format" in entry.flags:
            sources = {placeholders(entry.msgid)}
            if entry.msgid_plural:
                sources.add(placeholders(entry.msgid_plural))
            for text in texts:
                if placeholders(text) not in sources:
                    expected = sorted(f"%({n}){c}" for n, c in placeholders(entry.msgid)[0])
                    got = sorted(f"%({n}){c}" for n, c in placeholders(text)[0])
                    found.append(
                        f"placeholders differ: {_describe(entry)}: the source has {expected or 'none'}, "
                        f"the translation {text!r} has {got or 'none'}"
                    )
                    break
    return found


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)] or catalogues()
    if not paths:
        print(f"No catalogues under {LOCALE_DIR}.", file=sys.stderr)
        return 1
    loaded = {}
    refused = False
    for path in paths:
        po = polib.pofile(str(path))
        found = problems(po)
        if found:
            refused = True
            print(f"{path}: {len(found)} entr{'y' if len(found) == 1 else 'ies'} to fix:", file=sys.stderr)
            for line in found:
                print(f"  - {line}", file=sys.stderr)
        loaded[path] = po
    if refused:
        print(
            "Nothing compiled: translate the entries above (and remove '#, fuzzy'), then run again.",
            file=sys.stderr,
        )
        return 1
    for path, po in loaded.items():
        mo = path.with_suffix(".mo")
        po.save_as_mofile(str(mo))
        print(f"{mo}: {len(po.translated_entries())} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One spreadsheet row → the values of a historic case, or the list of what is wrong with it.

Every cell is checked and every problem of a row reported (row number, column header, value, what
to fix), so one validation run gives the whole list to correct. Categories, areas and units are read
once into `Lookups` (the trees hold hundreds of nodes), not queried per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from minyi.access.personal_data import normal_phone
from minyi.cases import history
from minyi.cases.models import Case
from minyi.cases.workflow import Status
from minyi.catalog.models import Category
from minyi.core.sheets import CONTROL_CHARACTERS, unguarded
from minyi.org.models import Area, Unit
from minyi.transfer.mapping import CHOICES, FIELDS, NEED_VALUE, REQUIRED, Kind, Mapping
from minyi.transfer.reader import FileProblem, Formula

TITLE_MAX = Case._meta.get_field("title").max_length
# What only a case past "received" has: ignored (with a warning) for a case imported as received.
LATER_FIELDS = (
    "accepted_at", "assigned_at", "signed_at", "replied_at",
    "closed_at", "lead_unit", "reply_text", "satisfaction",
)  # fmt: skip
REF_MODELS = {"category": Category, "area": Area, "lead_unit": Unit}
# Before it a time is a typing error (and year 1 cannot even be turned into UTC).
FIRST_YEAR = 1900


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"{where}{self.message}"


@dataclass
class Row:
    number: int
    cells: list[object]
    item: history.HistoricCase | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class Lookups:
    """Categories, areas and units by code, by full path (名称 / 名称) and by name where it is unique."""

    def __init__(self) -> None:
        self.tables = {name: self._index(model) for name, model in REF_MODELS.items()}

    @staticmethod
    def _index(model) -> dict[str, object | None]:
        nodes = list(model.objects.filter(is_active=True))
        by_pk = {n.pk: n for n in nodes}
        index: dict[str, object | None] = {}
        names: dict[str, list] = {}
        for node in nodes:
            names.setdefault(node.name.casefold(), []).append(node)
            path = [by_pk[int(pk)].name for pk in node.path.strip("/").split("/") if int(pk) in by_pk]
            index["/".join(p.casefold() for p in path)] = node
        for name, found in names.items():
            index.setdefault(name, found[0] if len(found) == 1 else None)  # None: ambiguous
        for node in nodes:
            index[node.code.casefold()] = node
        return index

    def find(self, field_name: str, text: str) -> tuple[object | None, bool]:
        """(node, ambiguous)."""
        key = "/".join(
            part.strip().casefold() for part in text.replace("＞", "/").replace(">", "/").split("/")
        )
        table = self.tables[field_name]
        if key in table:
            return table[key], table[key] is None
        return None, False


def _choice_words(field_name: str) -> dict[str, str]:
    """Value, English label and Chinese label of each choice → value (case-insensitive)."""
    words: dict[str, str] = {}
    choices = CHOICES[field_name]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                words[str(label).casefold()] = value
    for value in choices.values:
        words[value.casefold()] = value
    return words


class RowReader:
    """Turns rows of one table into historic cases under one mapping."""

    def __init__(self, mapping: Mapping, headers: list[str], *, now: dt.datetime):
        self.mapping, self.now = mapping, now
        self.headers = headers
        positions = {h.casefold(): i for i, h in enumerate(headers) if h}
        needed = {*REQUIRED, *(f for f in NEED_VALUE if f not in mapping.defaults)}
        if mapping.external_id == "column":
            needed.add("external_id")
        absent = {
            f: h
            for f, h in mapping.columns.items()
            if h.casefold() not in positions and f != "tracking_number"
        }
        missing = [h for f, h in absent.items() if f in needed]
        if missing:
            raise FileProblem(
                _(
                    "The file lacks the columns %(missing)s that the mapping %(mapping)s needs; "
                    "its columns: %(found)s."
                )
                % {
                    "missing": "、".join(f"“{h}”" for h in missing),
                    "mapping": mapping.name,
                    "found": "、".join(f"“{h}”" for h in headers if h),
                },
                field="file",
            )
        # Optional columns the file lacks stay empty; said once, as a warning (a misspelt header).
        self.absent = [h for f, h in absent.items() if f not in needed]
        self.index = {
            f: positions[h.casefold()]
            for f, h in mapping.columns.items()
            if FIELDS[f] is not Kind.EXPORT_ONLY and h.casefold() in positions
        }
        hash_headers = mapping.hash_columns or [h for f, h in mapping.columns.items() if f in self.index]
        unknown = [h for h in hash_headers if h.casefold() not in positions]
        if unknown:
            raise FileProblem(
                _("hash_columns names columns the file lacks: %(missing)s.")
                % {"missing": "、".join(unknown)},
                field="file",
            )
        self.hash_positions = [positions[h.casefold()] for h in hash_headers]
        self.lookups = Lookups()
        self.choice_words = {f: _choice_words(f) for f in CHOICES}
        self.seen: dict[tuple[str, str], int] = {}

    # --- one row ---------------------------------------------------------------------------------

    def convert(self, number: int, cells: list[object]) -> Row:
        row = Row(number, cells)
        values: dict[str, object] = {}
        for fname, position in self.index.items():
            raw = cells[position] if position < len(cells) else None
            value = self._value(row, fname, raw)
            if value is not None:
                values[fname] = value
        for fname, default in self.mapping.defaults.items():
            if values.get(fname) in (None, ""):
                values[fname] = self._default(row, fname, default)
        self._fallbacks(row, values)
        self._required(row, values)
        if self.mapping.external_id == "hash":
            values["external_id"] = self._hash(cells)
        elif not row.errors and not values.get("external_id"):
            self._error(row, "external_id", "", _("The external id is empty: every row needs its own id."))
        if values.get("status") == Status.RECEIVED:
            self._received_only(row, values)
        if row.errors:
            return row
        item = history.HistoricCase(**{k: v for k, v in values.items() if k != "tracking_number"})
        for fname, message in history.problems(item):
            self._error(row, fname, self._raw(cells, fname), message)
        key = (item.channel, item.external_id)
        if key in self.seen:
            self._error(
                row,
                "external_id",
                item.external_id,
                _("The external id is also in row %(row)d: each row needs its own id; remove the repeat.")
                % {"row": self.seen[key]},
            )
        else:
            self.seen[key] = number
        if not row.errors:
            row.item = item
        return row

    def column(self, fname: str) -> str:
        return self.mapping.columns.get(fname) or f"[{fname}]"

    def _raw(self, cells: list[object], fname: str) -> str:
        position = self.index.get(fname)
        if position is None or position >= len(cells) or cells[position] is None:
            return ""
        return str(cells[position])

    def _error(self, row: Row, fname: str, value: object, message: str) -> None:
        row.errors.append(
            Problem(row.number, self.column(fname), str(value if value is not None else ""), message)
        )

    def _warn(self, row: Row, fname: str, value: object, message: str) -> None:
        row.warnings.append(
            Problem(row.number, self.column(fname), str(value if value is not None else ""), message)
        )

    # --- cells -----------------------------------------------------------------------------------

    def _value(self, row: Row, fname: str, raw: object) -> object:
        if isinstance(raw, Formula):
            self._error(
                row, fname, raw, _("This cell is a formula: import values only (copy, paste as values).")
            )
            return None
        kind = FIELDS[fname]
        if kind is Kind.MOMENT:
            return self._moment(row, fname, raw)
        text = _text(raw)
        if kind is Kind.TEXT:
            return self._text_field(row, fname, text)
        if not text:
            return None
        if kind is Kind.CHOICE:
            return self._choice(row, fname, text)
        if kind is Kind.BOOL:
            return self._bool(row, fname, raw, text)
        return self._ref(row, fname, text)

    def _text_field(self, row: Row, fname: str, text: str) -> str:
        if CONTROL_CHARACTERS.search(text):
            # PostgreSQL refuses NUL in text, and no one types the others: a damaged or binary export.
            self._error(
                row, fname, CONTROL_CHARACTERS.sub("", text)[:40],
                _("This text holds control characters (such as NUL): remove them."),
            )  # fmt: skip
            return text
        limit = Case._meta.get_field(fname).max_length
        if fname == "title" and limit and len(text) > limit:
            if self.mapping.truncate_titles:
                self._warn(
                    row, fname, text[:40] + "…",
                    _("The title has %(n)d characters, more than %(max)d: it was shortened.")
                    % {"n": len(text), "max": limit},
                )  # fmt: skip
                return text[: limit - 1] + "…"
            self._error(
                row, fname, text[:40] + "…",
                _("The title has %(n)d characters: shorten it to %(max)d.") % {"n": len(text), "max": limit},
            )  # fmt: skip
            return text
        if limit and len(text) > limit:
            self._error(
                row, fname, text[:40] + "…",
                _("This text has %(n)d characters, more than the %(max)d allowed: shorten it.")
                % {"n": len(text), "max": limit},
            )  # fmt: skip
        if fname == "requester_phone" and text:
            try:
                return normal_phone(text)  # the one stored form, so the caller history finds it
            except ValueError:
                self._error(
                    row,
                    fname,
                    text,
                    _("The phone number may hold only digits, spaces, “-” and a leading “+”."),
                )
        return text

    def _choice(self, row: Row, fname: str, text: str) -> str | None:
        translated = self.mapping.values.get(fname, {}).get(text.casefold())
        if translated:
            return translated
        value = self.choice_words[fname].get(text.casefold())
        if value is None:
            options = ", ".join(f"{v} ({label})" for v, label in CHOICES[fname].choices)
            if fname == "status":
                options = ", ".join(history.IMPORTABLE_STATUSES)
            self._error(
                row, fname, text,
                _(
                    "Unknown value: use one of %(options)s, "
                    "or translate it in [values.%(field)s] of the mapping."
                )
                % {"options": options, "field": fname},
            )  # fmt: skip
        return value

    def _bool(self, row: Row, fname: str, raw: object, text: str) -> bool | None:
        if isinstance(raw, bool):
            return raw
        if text.casefold() in (w.casefold() for w in self.mapping.true_words):
            return True
        if text.casefold() in (w.casefold() for w in self.mapping.false_words):
            return False
        self._error(
            row, fname, text,
            _("Write yes or no (是/否), or add the word to [booleans] of the mapping."),
        )  # fmt: skip
        return None

    def _ref(self, row: Row, fname: str, text: str) -> object | None:
        target = self.mapping.values.get(fname, {}).get(text.casefold(), text)
        node, ambiguous = self.lookups.find(fname, target)
        if node is not None:
            return node
        what = {"category": _("category"), "area": _("area"), "lead_unit": _("unit")}[fname]
        if ambiguous:
            message = _("Several %(what)s entries have this name: use the code or the full path (a / b / c).")
        else:
            message = _(
                "There is no %(what)s “%(value)s”: use its code or full name as in minyi, "
                "or translate it in [values.%(field)s] of the mapping."
            )
        self._error(row, fname, text, message % {"what": what, "value": target, "field": fname})
        return None

    def _moment(self, row: Row, fname: str, raw: object) -> dt.datetime | None:
        moment = self._read_moment(row, fname, raw)
        if moment is not None and moment.year < FIRST_YEAR:
            self._error(
                row, fname, _text(raw),
                _("This time lies before %(year)d: check the year.") % {"year": FIRST_YEAR},
            )  # fmt: skip
            return None
        return moment

    def _read_moment(self, row: Row, fname: str, raw: object) -> dt.datetime | None:
        zone = self.mapping.timezone
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, dt.datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=zone)
        if isinstance(raw, dt.date):
            return dt.datetime.combine(raw, dt.time(), tzinfo=zone)
        text = _text(raw)
        for fmt in self.mapping.date_formats:
            try:
                moment = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            return moment.replace(tzinfo=zone)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self._error(
                row, fname, text,
                _("This is not a date and time; write it like 2024-03-05 14:30 (formats: %(formats)s).")
                % {"formats": "; ".join(self.mapping.date_formats)},
            )  # fmt: skip
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)

    # --- across fields ---------------------------------------------------------------------------

    def _default(self, row: Row, fname: str, default: object) -> object:
        if FIELDS[fname] is Kind.REF:
            return self._ref(row, fname, str(default))
        return default

    def _fallbacks(self, row: Row, values: dict) -> None:
        parsed = dict(values)  # fallbacks read the times as written, never another fallback's result
        for fname, sources in self.mapping.fallbacks.items():
            if values.get(fname) is not None:
                continue
            for source in sources:
                if parsed.get(source) is not None:
                    values[fname] = parsed[source]
                    self._warn(
                        row, fname, "",
                        _("Empty: %(source)s used instead.") % {"source": self.column(source)},
                    )  # fmt: skip
                    break

    def _required(self, row: Row, values: dict) -> None:
        messages = {
            "title": _("The title is empty: every case needs a title."),
            "description": _("The description is empty: every case needs the text of the demand."),
            "received_at": _("The received time is empty: every case needs the time it was received."),
            "channel": _("The channel is empty: fill it in or give a default in the mapping."),
            "demand_type": _("The demand type is empty: fill it in or give a default in the mapping."),
            "status": _("The status is empty: fill it in or give a default in the mapping."),
        }
        for fname, message in messages.items():
            if not values.get(fname) and not any(p.column == self.column(fname) for p in row.errors):
                self._error(row, fname, "", message)

    def _received_only(self, row: Row, values: dict) -> None:
        """An open case enters the loop as a new demand: what would come later does not apply yet."""
        later = [f for f in LATER_FIELDS if values.get(f)]
        for fname in later:
            self._warn(
                row, fname, values[fname], _("Ignored: the case is imported as received (to be accepted).")
            )
            values.pop(fname)

    def _hash(self, cells: list[object]) -> str:
        """A stable id from the row's content, for files without an id column: the same row gives the
        same id on every run (and in CSV or Excel)."""
        parts = [_text(cells[p]) if p < len(cells) else "" for p in self.hash_positions]
        return "sha1:" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _text(raw: object) -> str:
    """A cell as text: numbers without a trailing .0, moments in ISO form, our own export's
    formula guard (a leading apostrophe before = + - @) removed."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.replace(tzinfo=None).isoformat(sep=" ")
    return unguarded(str(raw).strip())

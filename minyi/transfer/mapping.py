"""A mapping (映射): which spreadsheet column is which case field, and how its values translate.

Mappings are TOML files (read with tomllib), kept in minyi/transfer/mappings/ or uploaded on the
import page; docs/import.md explains every key. One mapping serves both directions: the importer
reads the columns it names, the exporter writes them (in the order of [columns]), so exporting and
importing with the same mapping round-trips.

The whole mapping is checked at once and every problem reported together (`MappingError`), so a
person fixing a mapping file does not have to run the import once per typo.
"""

from __future__ import annotations

import enum
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from minyi.cases.history import IMPORTABLE_STATUSES
from minyi.cases.models import Satisfaction
from minyi.cases.workflow import Status
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.core.errors import InvalidInput

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
MAX_MAPPING_BYTES = 64 * 1024


class Kind(enum.Enum):
    TEXT = "text"
    CHOICE = "choice"
    MOMENT = "moment"
    BOOL = "bool"
    REF = "ref"  # a category, area or unit, given by code, name or path
    EXPORT_ONLY = "export_only"  # written by the exporter, ignored by the importer


# Every case field a mapping may name, with its kind. Choices name the TextChoices they translate to.
FIELDS: dict[str, Kind] = {
    "external_id": Kind.TEXT,
    "tracking_number": Kind.EXPORT_ONLY,
    "channel": Kind.CHOICE,
    "demand_type": Kind.CHOICE,
    "urgency": Kind.CHOICE,
    "status": Kind.CHOICE,
    "title": Kind.TEXT,
    "description": Kind.TEXT,
    "category": Kind.REF,
    "area": Kind.REF,
    "address": Kind.TEXT,
    "lead_unit": Kind.REF,
    "received_at": Kind.MOMENT,
    "accepted_at": Kind.MOMENT,
    "assigned_at": Kind.MOMENT,
    "signed_at": Kind.MOMENT,
    "replied_at": Kind.MOMENT,
    "closed_at": Kind.MOMENT,
    "reply_text": Kind.TEXT,
    "satisfaction": Kind.CHOICE,
    "requester_name": Kind.TEXT,
    "requester_phone": Kind.TEXT,
    "requester_id_number": Kind.TEXT,
    "requester_ref": Kind.TEXT,
    "is_anonymous": Kind.BOOL,
    "is_confidential": Kind.BOOL,
    "needs_contact": Kind.BOOL,
}
CHOICES: dict[str, type[models.TextChoices]] = {
    "channel": Channel,
    "demand_type": DemandType,
    "urgency": Urgency,
    "status": Status,
    "satisfaction": Satisfaction,
}
REQUIRED = ("title", "description", "received_at")  # must be columns: no default makes sense
NEED_VALUE = ("channel", "status", "demand_type")  # a column or a default
TOP_KEYS = {
    "name",
    "description",
    "external_id",
    "hash_columns",
    "date_formats",
    "timezone",
    "sheet",
    "title_too_long",
    "columns",
    "defaults",
    "values",
    "booleans",
    "fallbacks",
}
DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
TRUE_WORDS = ("是", "yes", "y", "true", "1", "√")
FALSE_WORDS = ("否", "no", "n", "false", "0", "")


class MappingError(InvalidInput):
    """The mapping file is not valid; `problems` lists every problem found."""

    def __init__(self, problems: list[str], *, name: str = "") -> None:
        head = (
            _("The mapping %(name)s is not valid:") % {"name": name}
            if name
            else _("The mapping is not valid:")
        )
        super().__init__(head + "\n- " + "\n- ".join(problems), field="mapping")
        self.problems = problems


@dataclass
class Mapping:
    name: str
    description: str
    columns: dict[str, str]  # case field → column header, in the order of the file
    defaults: dict[str, object]
    values: dict[str, dict[str, str]]  # field → {spreadsheet text (casefolded): our value}
    values_out: dict[str, dict[str, str]]  # field → {our value: spreadsheet text}, for the exporter
    true_words: tuple[str, ...]
    false_words: tuple[str, ...]
    fallbacks: dict[str, list[str]]  # field → fields whose value to use when it is empty
    date_formats: tuple[str, ...]
    timezone: zoneinfo.ZoneInfo
    external_id: str = "column"  # or "hash"
    hash_columns: list[str] = field(default_factory=list)
    sheet: str = ""
    truncate_titles: bool = True

    def header_of(self, field_name: str) -> str:
        return self.columns.get(field_name, "")


def available() -> list[str]:
    """The names of the mappings kept in the project (file names without .toml)."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


def load(name_or_path: str | Path) -> Mapping:
    """A mapping by name (from minyi/transfer/mappings/) or by path."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = MAPPINGS_DIR / f"{path.name}.toml"
    if not path.is_file():
        raise MappingError(
            [
                _("There is no mapping file %(path)s. Mappings kept in the project: %(names)s.")
                % {"path": name_or_path, "names": ", ".join(available())}
            ]
        )
    return parse(path.read_bytes(), name=path.stem)


def parse(data: bytes | str, *, name: str = "") -> Mapping:
    """Parse and check a mapping; MappingError lists every problem."""
    if isinstance(data, bytes):
        if len(data) > MAX_MAPPING_BYTES:
            raise MappingError([_("A mapping file may hold at most 64 KB.")], name=name)
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MappingError([_("A mapping file must be UTF-8 text (TOML).")], name=name) from None
    try:
        raw = tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([_("It is not valid TOML: %(error)s.") % {"error": exc}], name=name) from None
    problems: list[str] = []
    mapping = _build(raw, name, problems)
    if problems:
        raise MappingError(problems, name=name)
    return mapping


def _table(raw: dict, key: str, problems: list[str]) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        problems.append(_("[%(key)s] must be a table.") % {"key": key})
        return {}
    return value


def _known_field(name: str, where: str, problems: list[str]) -> bool:
    if name in FIELDS:
        return True
    problems.append(
        _("%(where)s: “%(field)s” is not a case field; known fields: %(known)s.")
        % {"where": where, "field": name, "known": ", ".join(FIELDS)}
    )
    return False


def _build(raw: dict, name: str, problems: list[str]) -> Mapping:
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(
                _("Unknown key “%(key)s”; known keys: %(known)s.")
                % {"key": key, "known": ", ".join(sorted(TOP_KEYS))}
            )
    columns: dict[str, str] = {}
    for fname, header in _table(raw, "columns", problems).items():
        if not _known_field(fname, "[columns]", problems):
            continue
        if not isinstance(header, str) or not header.strip():
            problems.append(_("[columns] %(field)s must name a column header.") % {"field": fname})
            continue
        columns[fname] = header.strip()
    seen: dict[str, str] = {}
    for fname, header in columns.items():
        if header.casefold() in seen:
            problems.append(
                _("[columns]: the column “%(header)s” is mapped twice (%(a)s and %(b)s).")
                % {"header": header, "a": seen[header.casefold()], "b": fname}
            )
        seen[header.casefold()] = fname

    values: dict[str, dict[str, str]] = {}
    values_out: dict[str, dict[str, str]] = {}
    for fname, table in _table(raw, "values", problems).items():
        if not _known_field(fname, "[values]", problems):
            continue
        if FIELDS[fname] not in (Kind.CHOICE, Kind.REF) or not isinstance(table, dict):
            problems.append(
                _("[values.%(field)s]: values translate only choices and categories, areas, units.")
                % {"field": fname}
            )
            continue
        values[fname] = {str(k).strip().casefold(): str(v).strip() for k, v in table.items()}
        values_out[fname] = {}
        for source, target in table.items():  # the first text naming a value is the one written
            values_out[fname].setdefault(str(target).strip(), str(source).strip())
        if fname in CHOICES:
            for source, target in values[fname].items():
                if target not in CHOICES[fname].values:
                    problems.append(
                        _("[values.%(field)s] “%(source)s” = “%(target)s”: use one of %(options)s.")
                        % {
                            "field": fname,
                            "source": source,
                            "target": target,
                            "options": ", ".join(CHOICES[fname].values),
                        }
                    )

    defaults: dict[str, object] = {}
    for fname, value in _table(raw, "defaults", problems).items():
        if not _known_field(fname, "[defaults]", problems):
            continue
        kind = FIELDS[fname]
        if kind == Kind.BOOL and not isinstance(value, bool):
            problems.append(_("[defaults] %(field)s must be true or false.") % {"field": fname})
        elif kind == Kind.MOMENT or kind == Kind.EXPORT_ONLY or fname in REQUIRED or fname == "external_id":
            problems.append(_("[defaults] %(field)s cannot have a default.") % {"field": fname})
        elif kind != Kind.BOOL and not isinstance(value, str):
            problems.append(_("[defaults] %(field)s must be text.") % {"field": fname})
        elif fname in CHOICES and value not in CHOICES[fname].values:
            problems.append(
                _("[defaults] %(field)s = “%(value)s”: use one of %(options)s.")
                % {"field": fname, "value": value, "options": ", ".join(CHOICES[fname].values)}
            )
        else:
            defaults[fname] = value
    if defaults.get("status") and defaults["status"] not in IMPORTABLE_STATUSES:
        problems.append(
            _("[defaults] status = “%(value)s” cannot be imported; importable: %(allowed)s.")
            % {"value": defaults["status"], "allowed": ", ".join(IMPORTABLE_STATUSES)}
        )

    booleans = _table(raw, "booleans", problems)
    true_words, false_words = list(TRUE_WORDS), list(FALSE_WORDS)
    for key, target in (("true", true_words), ("false", false_words)):
        words = booleans.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(_("[booleans] %(key)s must be a list of words.") % {"key": key})
            continue
        target[:0] = [w.strip() for w in words]  # the mapping's own words first: the exporter writes them
    for key in booleans:
        if key not in ("true", "false"):
            problems.append(_("[booleans] knows only true and false, not “%(key)s”.") % {"key": key})

    fallbacks: dict[str, list[str]] = {}
    for fname, sources in _table(raw, "fallbacks", problems).items():
        if not _known_field(fname, "[fallbacks]", problems):
            continue
        sources = [sources] if isinstance(sources, str) else sources
        if (
            FIELDS[fname] != Kind.MOMENT
            or not isinstance(sources, list)
            or not all(isinstance(s, str) and FIELDS.get(s) == Kind.MOMENT for s in sources)
        ):
            problems.append(
                _('[fallbacks] %(field)s: fallbacks name other times (e.g. received_at = ["replied_at"]).')
                % {"field": fname}
            )
            continue
        fallbacks[fname] = sources

    for fname in REQUIRED:
        if fname not in columns:
            problems.append(_("[columns] must name the column of %(field)s.") % {"field": fname})
    for fname in NEED_VALUE:
        if fname not in columns and fname not in defaults:
            problems.append(
                _("%(field)s needs a column in [columns] or a value in [defaults].") % {"field": fname}
            )

    external_id = raw.get("external_id", "column")
    hash_columns = raw.get("hash_columns", [])
    if external_id == "column":
        if "external_id" not in columns:
            problems.append(
                _(
                    "[columns] must name the column of external_id, the id that recognises a row "
                    'when the file is imported again; or set external_id = "hash".'
                )
            )
    elif external_id == "hash":
        if "external_id" in columns:
            problems.append(_('external_id = "hash" and a column of external_id exclude each other.'))
        if not isinstance(hash_columns, list) or not all(isinstance(c, str) for c in hash_columns):
            problems.append(_("hash_columns must be a list of column headers."))
            hash_columns = []
    else:
        problems.append(_('external_id must be "column" or "hash".'))

    date_formats = raw.get("date_formats", list(DEFAULT_DATE_FORMATS))
    if (
        not isinstance(date_formats, list)
        or not date_formats
        or not all(isinstance(f, str) for f in date_formats)
    ):
        problems.append(_('date_formats must be a list of formats such as "%Y-%m-%d %H:%M".'))
        date_formats = list(DEFAULT_DATE_FORMATS)
    zone_name = raw.get("timezone", settings.TIME_ZONE)
    try:
        zone = zoneinfo.ZoneInfo(str(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(_("timezone “%(zone)s” is unknown; e.g. Asia/Shanghai.") % {"zone": zone_name})
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    too_long = raw.get("title_too_long", "truncate")
    if too_long not in ("truncate", "error"):
        problems.append(_('title_too_long must be "truncate" or "error".'))
    for key in ("name", "description", "sheet"):
        if not isinstance(raw.get(key, ""), str):
            problems.append(_("%(key)s must be text.") % {"key": key})

    return Mapping(
        name=str(raw.get("name") or name),
        description=str(raw.get("description", "")),
        columns=columns,
        defaults=defaults,
        values=values,
        values_out=values_out,
        true_words=tuple(true_words),
        false_words=tuple(false_words),
        fallbacks=fallbacks,
        date_formats=tuple(date_formats),
        timezone=zone,
        external_id=external_id if external_id in ("column", "hash") else "column",
        hash_columns=list(hash_columns) if isinstance(hash_columns, list) else [],
        sheet=str(raw.get("sheet", "")),
        truncate_titles=too_long != "error",
    )

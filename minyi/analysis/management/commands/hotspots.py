"""`minyi hotspots --input FILE [--since DATE] [--until DATE] [--top N] [--json]`: hot issues (热点问题).

Reads a UTF-8 CSV file with a header (a BOM is fine): columns id, title, detail, created_at, and
optionally user, supports, opposes. Every row is checked first; on a missing column or a bad value the
command names it, prints nothing on stdout and exits non-zero. A row whose created_at is empty cannot
be placed in time: it is left out, with a warning on stderr. The method is minyi/analysis/hotspots.py;
docs/analysis/hotspots.md explains it. Without --input the cases of the database are read: those
received from --since to --until (default: the last 30 days), one voice per requester's phone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minyi.analysis import hotspots

REQUIRED = ("id", "title", "detail", "created_at")
OPTIONAL = ("user", "supports", "opposes")
# The column names of a message board's own export (留言板导出), read as ours.
ALIASES = {
    "留言编号": "id",
    "留言用户": "user",
    "留言主题": "title",
    "留言标题": "title",
    "留言时间": "created_at",
    "留言详情": "detail",
    "留言内容": "detail",
    "点赞数": "supports",
    "反对数": "opposes",
}


class Command(BaseCommand):
    help = "Find the hot issues (热点问题) among messages: clusters of one problem in one place, by heat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", help="A UTF-8 CSV file: id, title, detail, created_at [, user, supports, opposes]."
        )
        parser.add_argument("--since", type=date, help="Only messages of this day or later (YYYY-MM-DD).")
        parser.add_argument("--until", type=date, help="Only messages of this day or earlier (YYYY-MM-DD).")
        parser.add_argument("--top", type=positive, default=10, help="How many issues to show (default 10).")
        parser.add_argument("--json", action="store_true", help="Print one JSON array instead of a table.")

    def handle(self, *args, **options):
        since, until = options["since"], options["until"]
        if since and until and since > until:
            raise CommandError(
                _("--since %(since)s is after --until %(until)s.") % {"since": since, "until": until}
            )
        if not options["input"]:
            self._from_database(since, until, options)
            return
        messages, skipped = read_messages(Path(options["input"]))
        for row in skipped[:20]:
            self.stderr.write(_("row %(row)d: created_at is empty; the message is left out.") % {"row": row})
        if len(skipped) > 20:
            self.stderr.write(_("… and %(n)d more rows without created_at.") % {"n": len(skipped) - 20})
        chosen = [m for m in messages if _within(m.created_at.date(), since, until)]
        issues = hotspots.mine(chosen, top=options["top"])
        if options["json"]:
            self.stdout.write(json.dumps([i.as_dict() for i in issues], ensure_ascii=False, indent=2))
        else:
            self._table(issues, len(chosen))

    def _from_database(self, since, until, options) -> None:
        """The cases received in the period (default: the last 30 days up to today)."""
        from minyi.analysis import hot
        from minyi.cases.models import Case
        from minyi.core import clock
        from minyi.stats import periods

        until = until or clock.local(clock.now()).date()
        since = since or until - dt.timedelta(days=hot.PERIOD_DAYS - 1)
        issues = hot.mine_cases(since=since, until=until, top=options["top"])
        if options["json"]:
            self.stdout.write(json.dumps([i.as_dict() for i in issues], ensure_ascii=False, indent=2))
            return
        period = periods.days(since, until)
        self._table(
            issues, Case.objects.filter(received_at__gte=period.start, received_at__lt=period.end).count()
        )

    def _table(self, issues: list[hotspots.HotIssue], read: int) -> None:
        self.stdout.write(_("%(n)d hot issues among %(read)d messages.") % {"n": len(issues), "read": read})
        for rank, issue in enumerate(issues, 1):
            self.stdout.write("")
            self.stdout.write(f"{rank:>2}. {issue.title}")
            self.stdout.write(
                "    "
                + _("heat %(heat)s · %(people)d people · %(count)d messages · %(start)s – %(end)s")
                % {
                    "heat": f"{issue.heat:g}",
                    "people": issue.people,
                    "count": issue.count,
                    "start": issue.start.date().isoformat(),
                    "end": issue.end.date().isoformat(),
                }
            )
            if issue.places:
                self.stdout.write("    " + _("places: %(places)s") % {"places": "、".join(issue.places)})
            self.stdout.write("    " + _("keywords: %(words)s") % {"words": "、".join(issue.keywords)})
            self.stdout.write(
                "    " + _("messages: %(ids)s") % {"ids": ", ".join(map(str, issue.message_ids))}
            )


def read_messages(path: Path) -> tuple[list[hotspots.Message], list[int]]:
    """The messages of the CSV file, and the numbers of the rows left out for an empty created_at.

    Raises CommandError naming the first missing column, or every bad row (up to a few) with its value.
    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    if not path.is_file():
        raise CommandError(_("There is no file %(path)s.") % {"path": path})
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:  # what Excel saves a Chinese CSV as ("CSV (逗号分隔)")
            content = data.decode("gb18030")
        except UnicodeDecodeError:
            raise CommandError(
                _("%(path)s is not UTF-8 text (byte %(at)d). Save it as UTF-8 CSV.")
                % {"path": path, "at": exc.start}
            ) from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
    columns = [ALIASES.get(c.strip(), c.strip()) for c in reader.fieldnames or []]
    for column in REQUIRED:
        if column not in columns:
            raise CommandError(
                _("The CSV file has no column “%(column)s” (its columns: %(found)s).")
                % {"column": column, "found": ", ".join(columns) or _("none")}
            )
    reader.fieldnames = columns
    messages, skipped, problems, ids = [], [], [], {}
    for number, row in enumerate(reader, start=2):
        try:
            message = _message(row)
        except _Skip:
            skipped.append(number)
            continue
        except _BadValue as bad:
            problems.append(
                _("row %(row)d, column “%(column)s”, value “%(value)s”: %(message)s")
                % {"row": number, "column": bad.column, "value": bad.value[:60], "message": bad.message}
            )
            continue
        if message.id in ids:
            problems.append(
                _("row %(row)d, column “id”, value “%(value)s”: the same id as row %(first)d.")
                % {"row": number, "value": message.id, "first": ids[message.id]}
            )
            continue
        ids[message.id] = number
        messages.append(message)
    if problems:
        shown = "\n".join(problems[:20])
        more = _("\n… and %(n)d more.") % {"n": len(problems) - 20} if len(problems) > 20 else ""
        raise CommandError(
            _("%(n)d rows are invalid; nothing was analysed:\n%(rows)s%(more)s")
            % {"n": len(problems), "rows": shown, "more": more}
        )
    if len({m.created_at.tzinfo is None for m in messages}) > 1:
        raise CommandError(_("created_at mixes times with and without a time zone; use one form."))
    return messages, skipped


class _Skip(Exception):
    pass


class _BadValue(Exception):
    def __init__(self, column: str, value: str, message: str) -> None:
        super().__init__(message)
        self.column, self.value, self.message = column, value, message


def _message(row: dict[str, str | None]) -> hotspots.Message:
    def value(column: str) -> str:
        return (row.get(column) or "").strip()

    if None in row:  # csv puts the cells beyond the header under the key None
        raise _BadValue("id", value("id"), _("the row has more cells than the header."))
    if not value("id"):
        raise _BadValue("id", "", _("the id is empty."))
    if not value("created_at"):
        raise _Skip
    return hotspots.Message(
        id=value("id"),
        title=value("title"),
        detail=value("detail"),
        created_at=_moment(value("created_at")),
        user=value("user") or None,
        supports=_count(value("supports"), "supports"),
        opposes=_count(value("opposes"), "opposes"),
    )


_UNPADDED = re.compile(r"([-\s:]|^\d{4}-)(\d)(?!\d)")


def _moment(value: str) -> dt.datetime:
    # "2019/2/28 9:05:05", as a spreadsheet writes it, is read as 2019-02-28 09:05:05.
    padded = _UNPADDED.sub(lambda m: m.group(1) + m.group(2).zfill(2), value.replace("/", "-"))
    try:
        return dt.datetime.fromisoformat(padded)
    except ValueError:
        raise _BadValue(
            "created_at", value, _("not a date or time (YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]).")
        ) from None


def _count(value: str, column: str) -> int:
    if not value:
        return 0
    try:
        number = int(float(value)) if value.replace(".", "", 1).isdigit() else int(value)
    except ValueError:
        raise _BadValue(column, value, _("not a whole number.")) from None
    if number < 0:
        raise _BadValue(column, value, _("a count cannot be negative."))
    return number


def date(value: str) -> dt.date:  # named for argparse's message: "invalid date value: '2019-13-01'"
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value}") from None


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _within(day: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)

"""A requester's personal data (个人信息): masked by default, revealed only with a right, always audited.

Handling units see the name and phone masked (张* / 138****1234) unless the case needs contact; the
identity of someone who reports wrongdoing (举报), or asked for confidentiality, is never shown to
units. Centre staff may reveal. Every reveal writes a `PersonalDataAccess` row.

Finding cases by a full phone number tells a user no more than an audited reveal would
(`cases_of_caller`): only call-taking roles look up, only among the cases whose requester they may
reveal, every look-up is recorded and rate-limited per user, and what it finds is audited as a reveal.

Phone numbers have one normal form (`normal_phone`: digits, full-width folded, separators out, the
+86 prefix dropped), in which cases store them, so that a look-up matches however the number was
typed; and one rule finds them in free text (`mask_numbers`) whatever separators a person typed.
See docs/privacy.md for what is audited and what is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils.translation import gettext as _

from minyi.access.cases import acts_for_a_unit_of, can_see, cases_visible_to, units_acted_for
from minyi.access.models import PersonalDataAccess, RequesterLookup
from minyi.cases.models import Case
from minyi.core import clock
from minyi.core.errors import InvalidInput, NotFound, NotPermitted, TooManyRequests
from minyi.org.models import User
from minyi.org.roles import CALL_TAKING_ROLES, CENTRE_ROLES

# --- phone numbers -------------------------------------------------------------------------------

# What people put between the digits of a number: spaces, dashes of every width, dots, underscores,
# slashes, brackets, middle dots, in their ASCII and full-width forms.
SEPARATORS = (
    " \t\u00a0\u3000"  # spaces
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"  # hyphen, dashes, minus, full-width hyphen
    "_\uff3f.\uff0e\u3002/\uff0f\\\uff3c"  # underscore, dot, full stop, slash, backslash
    "()\uff08\uff09[]\u3010\u3011"  # brackets
    "\u00b7\u30fb\u3001"  # middle dots, enumeration comma
)
# Numbers in free text. A person (or someone dodging a filter) may put anything between the digits
# of a number: spaces of every width, dashes, dots, slashes, brackets, stars, arrows, invisible
# characters; and write the digits full-width, Arabic-Indic, mathematical or circled, or as Chinese
# numerals (幺三八…). So the text is scanned, not matched by a pattern: a run of digits whose gaps
# are at most MAX_GAP characters of punctuation, symbols or spaces (never a letter or a Chinese
# character: "3号楼2单元1101" is an address), invisible characters ignored, is a number.
MIN_DIGITS = 7  # a local landline has 7; a mobile 11, with 86 13; an ID number 15 or 18
MAX_GAP = 3  # " - " between groups
CHINESE_DIGITS = dict(
    zip("〇零一幺二两三四五六七八九壹贰叁肆伍陆柒捌玖", "0012234567889123456789", strict=True)
)
ID_CHECK = frozenset("XxＸｘ")
NUMBER_MASK = "***"
# Dates and times are no phone numbers, nor parts of one: they are taken out before the scan, so
# "电话138.1234.5678，2026-11-25起" keeps its date. An amount with thousands separators (1,234,567)
# is no phone number either.
_D = "[0-9\uff10-\uff19]"
_DATE_SEP = "[-./\uff0d\uff0e\uff0f]"
_TIME = rf"{_D}{{1,2}}[:\uff1a]{_D}{{2}}(?:[:\uff1a]{_D}{{2}})?"
DATES_AND_TIMES = re.compile(
    rf"(?<![0-9\uff10-\uff19])(?:(?:[12\uff11\uff12]{_D}{{3}}{_DATE_SEP}{_D}{{1,2}}{_DATE_SEP}{_D}{{1,2}})"
    rf"(?:\s*{_TIME})?|{_TIME})(?![0-9\uff10-\uff19])"
)
# What the candidates above must be, read as ASCII, to count as a date or time (1300/0/00 is none).
VALID_DATE_OR_TIME = re.compile(
    r"(?:(?:19|20)[0-9]{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12][0-9]|3[01])"
    r"(?:\s*(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?)"
    r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
)
# Runs that are no phone number (digits ASCII, gaps as typed): an amount with thousands separators
# or with cents (1,234,567 / 12345678.90), a tracking number (202612-000071).
NOT_A_PHONE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+\.[0-9]{2}|[0-9]{6}-[0-9]{6}")
# Whole numbers: a mobile, a landline with its area code, a landline of the district without it,
# a 400/800 service line, or a foreign number after "+".
WHOLE_PHONE = re.compile(r"1[3-9][0-9]{9}|0[0-9]{9,11}|[2-9][0-9]{6,7}|[48]00[0-9]{7}|\+[0-9]{8,15}")
_PHONE = re.compile(r"\+?[0-9]+")


def _digit(ch: str) -> str | None:
    """The ASCII digit a character stands for, or None."""
    value = unicodedata.digit(ch, None)  # ASCII, full-width, Arabic-Indic, mathematical, circled …
    if value is not None and 0 <= value <= 9:
        return str(value)
    return CHINESE_DIGITS.get(ch)


def _ignorable(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Mn", "Me")  # zero-width, joiners, soft hyphen, marks


def _gap(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ" or ch in "\t\n\r"


def _letter(ch: str) -> bool:
    """A Latin letter: one of them between digit groups (138a1234b5678) is a separator too."""
    return ch.isascii() and ch.isalpha()


def _gap_before_digit(text: str, j: int, digit_at) -> tuple[str, int] | None:
    """The gap that starts at j, if at most MAX_GAP characters and a digit follows: (gap, next)."""
    gap, k = [], j
    if _letter(text[j]) and j + 1 < len(text) and digit_at(j + 1) is not None:
        return text[j], j + 1  # a single letter between digits
    while k < len(text) and (_gap(text[k]) or _ignorable(text[k])):
        if not _ignorable(text[k]):
            gap.append(text[k])
        if len(gap) > MAX_GAP:
            return None
        k += 1
    if gap and k < len(text) and digit_at(k) is not None:
        return "".join(gap), k
    return None


def _number_runs(text: str):
    """(start, end, digits, folded) of each run of digits with short gaps in `text`."""
    taken = {
        i
        for m in DATES_AND_TIMES.finditer(text)
        if VALID_DATE_OR_TIME.fullmatch(unicodedata.normalize("NFKC", m.group()))
        for i in range(*m.span())
    }

    def digit_at(k: int) -> str | None:
        return None if k in taken else _digit(text[k])

    i, n = 0, len(text)
    while i < n:
        if digit_at(i) is None:
            i += 1
            continue
        start = end = j = i
        digits, folded = [], []
        while j < n:
            digit = digit_at(j)
            if digit is not None:
                digits.append(digit)
                folded.append(digit)
                j = end = j + 1
            elif _ignorable(text[j]):
                j += 1
            elif (gap := _gap_before_digit(text, j, digit_at)) is not None:
                folded.append(unicodedata.normalize("NFKC", gap[0]))
                j = gap[1]
            else:
                break
        k = end
        while k < n and _ignorable(text[k]):
            k += 1
        if (
            k < n
            and text[k] in ID_CHECK
            and not (k + 1 < n and text[k + 1].isascii() and text[k + 1].isalpha())
        ):
            end = k + 1  # the check character of an ID number
        while start > 0 and text[start - 1] in "(（[【+＋":  # (0371)…, +86…: the sign goes with it
            start -= 1
        yield start, end, "".join(digits), "".join(folded)
        i = end


def mask_numbers(text: str) -> str:
    """Free text with every phone or ID number in it blanked ("***"), whatever was typed between
    its digits and however they were written (138.1234.5678, 138—1234—5678, (138)1234/5678,
    138<zero-width space>1234…, full-width, 幺三八…); dates and times are left alone. For text that
    leaves the circle of people who may see the requester."""
    text = text or ""
    pieces, last = [], 0
    for start, end, digits, folded in _number_runs(text):
        if len(digits) >= MIN_DIGITS and not NOT_A_PHONE.fullmatch(folded):
            pieces += [text[last:start], NUMBER_MASK]
            last = end
    return "".join(pieces) + text[last:]


def normal_phone(text: str) -> str:
    """The one stored form of a phone number: ASCII digits, no separators, the Chinese country
    prefix (+86, 0086) dropped (a landline gets its trunk 0 back), a foreign number keeps "+".
    Raises ValueError when the text holds anything but digits, separators and a leading "+"."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    compact = "".join(ch for ch in folded if ch not in SEPARATORS)
    if not compact:
        return ""
    if not _PHONE.fullmatch(compact):
        raise ValueError(compact)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix) and len(compact) > len(prefix) + 6:
            rest = compact[len(prefix) :]
            return rest if rest.startswith(("1", "0")) else "0" + rest
    return compact


def checked_phone(text: str) -> str:
    """A requester's phone number as registered: its normal form, or "" when none was given;
    InvalidInput saying what is wrong for anything that is not a whole phone number (a mistyped or
    cut-off number is no way to call the requester back, and no caller history would find it)."""
    try:
        number = normal_phone(text)
    except ValueError:
        raise InvalidInput(
            _("The phone number may hold only digits, spaces, “-” and a leading “+”."),
            field="requester_phone",
        ) from None
    if number and not WHOLE_PHONE.fullmatch(number):
        raise InvalidInput(
            _(
                "“%(number)s” is not a whole phone number: a mobile number has 11 digits, a landline "
                "its area code and number (such as 0371-66889700)."
            )
            % {"number": text.strip()[:40]},
            field="requester_phone",
        )
    return number


def whole_phone(text: str) -> str | None:
    """The normal form of a whole phone number typed in any way; None for anything else, such as
    the first digits of one."""
    try:
        number = normal_phone(text)
    except ValueError:
        return None
    return number if WHOLE_PHONE.fullmatch(number) else None


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """138****1234: the first three and last four of a mobile, two and two of a shorter number."""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 6:
        return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"
    return "*" * len(digits)


def mask_id_number(number: str) -> str:
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    if len(number) < 15:  # a passport or permit: 6 + 4 shown would be all of it (or overlap)
        return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}"  # the 15/18-character resident ID


@dataclass(frozen=True)
class Requester:
    name: str
    phone: str
    id_number: str
    masked: bool
    anonymous: bool


def may_reveal(user: User, case: Case) -> bool:
    """May this user see the requester's personal data in full (each time audited)?

    Centre staff may. Outside the centre only the units handling the case (lead or co-unit), only
    when the case needs contact, and never for a confidential case (every 举报 is confidential)."""
    if not isinstance(user, User) or not can_see(user, case):
        return False
    if user.has_role(*CENTRE_ROLES):
        return True
    return case.needs_contact and not case.is_confidential and acts_for_a_unit_of(user, case)


def requester_masked(case: Case) -> Requester:
    """Masked for display (张* / 138****1234); for people who may at least see the case."""
    return Requester(
        name=mask_name(case.requester_name),
        phone=mask_phone(case.requester_phone),
        id_number=mask_id_number(case.requester_id_number),
        masked=True,
        anonymous=case.is_anonymous,
    )


def requester_for(user: User, case: Case) -> Requester:
    """What a user sees of the requester without revealing: masked, and for a confidential case
    nothing at all outside the centre (even a masked name can identify a reporter to the unit)."""
    if case.is_confidential and not (isinstance(user, User) and user.has_role(*CENTRE_ROLES)):
        return Requester(name="", phone="", id_number="", masked=True, anonymous=case.is_anonymous)
    return requester_masked(case)


def requester_reveal(user: User, case: Case, *, purpose: str = "") -> Requester:
    """The requester's data in full, with an audit row; NotPermitted for those without the right."""
    if not can_see(user, case):
        raise NotFound(_("There is no such case, or it is outside your scope."))
    if not may_reveal(user, case):
        raise NotPermitted(_("You may not see this requester's personal data."))
    _audit(user, [case], fields="name,phone,id_number", purpose=purpose)
    return Requester(
        name=case.requester_name,
        phone=case.requester_phone,
        id_number=case.requester_id_number,
        masked=False,
        anonymous=case.is_anonymous,
    )


def _audit(user: User, cases: list[Case], *, fields: str, purpose: str) -> None:
    now = clock.now()
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(user=user, case=c, fields=fields, purpose=purpose[:200], created_at=now)
            for c in cases
        ]
    )


# --- finding cases by a requester's number -------------------------------------------------------


def revealable_cases(user: User) -> QuerySet[Case]:
    """The cases whose requester this user may reveal: `may_reveal` as a filter."""
    visible = cases_visible_to(user)
    if user.has_role(*CENTRE_ROLES):
        return visible
    units = units_acted_for(user, user.role_scopes)
    contact = Q(needs_contact=True, is_confidential=False)
    if units is None:
        return visible.filter(contact)
    co = Case.co_units.through.objects.filter(unit_id__in=units).values("case_id")
    return visible.filter(contact & (Q(lead_unit_id__in=units) | Q(pk__in=co)))


def may_look_up_callers(user) -> bool:
    """Caller history (来电历史) is for the roles whose job is taking calls."""
    return isinstance(user, User) and user.has_role(*CALL_TAKING_ROLES)


def cases_of_caller(user: User, *, phone: str, limit: int = 10) -> list[Case]:
    """The cases whose requester has this phone number, newest first: the caller's history.

    It tells the user no more than an audited reveal would: only call-taking roles may look up; a
    partial number finds nothing (no search by prefix); only cases whose requester the user may
    reveal are matched; every look-up is recorded and counted against the user's hourly limit of
    distinct numbers (TooManyRequests beyond it); every case found is audited as a reveal."""
    if not may_look_up_callers(user):
        raise NotPermitted(_("Only operators taking calls may look up a caller's earlier cases."))
    number = whole_phone(phone)
    if number is None:
        return []
    digest = hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        _count_lookup(user, digest)
        found = list(
            revealable_cases(user)
            .filter(requester_phone=number)
            .select_related("category", "lead_unit")
            .order_by("-received_at")[:limit]
        )
        RequesterLookup.objects.create(user=user, digest=digest, found=len(found), created_at=clock.now())
        _audit(user, found, fields="phone", purpose=_("caller history: looked up by phone"))
    return found


LOOKUP_WINDOW = dt.timedelta(hours=1)


def _count_lookup(user: User, digest: str) -> None:
    """Refuse a look-up of a new number once the user looked up MINYI_CALLER_LOOKUPS_PER_HOUR
    distinct numbers within the last hour (the same number again is free: the form asks as it is
    typed and corrected). The user's row is locked meanwhile, so two servers cannot both let the
    last one through."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    since = clock.now() - LOOKUP_WINDOW
    recent = RequesterLookup.objects.filter(user=user, created_at__gte=since)
    if recent.filter(digest=digest).exists():
        return
    numbers = recent.values("digest").annotate(first=Min("created_at"))
    if len(numbers) < settings.MINYI_CALLER_LOOKUPS_PER_HOUR:
        return
    retry_at = min(row["first"] for row in numbers) + LOOKUP_WINDOW
    raise TooManyRequests(
        _(
            "You looked up %(count)d different numbers within an hour, the most allowed: "
            "look up another one after %(time)s."
        )
        % {"count": len(numbers), "time": clock.local(retry_at).strftime("%H:%M")},
        retry_at=retry_at.isoformat(),
    )


def same_requester_cases(user: User, case: Case) -> QuerySet[Case]:
    """The other cases of this case's requester (same phone) that the user may see linked to it:
    only when the user may reveal this requester, and only among the cases whose requester they
    may reveal too — a link to a case the user may reveal would otherwise reveal this one."""
    if not case.requester_phone or not may_reveal(user, case):
        return Case.objects.none()
    return revealable_cases(user).filter(requester_phone=case.requester_phone).exclude(pk=case.pk)


# --- who raised a confidential case --------------------------------------------------------------


def hides_reporter(actor, case: Case) -> bool:
    """Must this reader get the case without anything that identifies who raised it? Everyone
    outside the centre but the one who registered it, for a confidential case (every 举报): the
    handling unit may be the one reported on. What is withheld: the requester (requester_for), who
    registered the case or acted for the requester in its timeline (`event_actor`), the channel
    (`shown_channel`: "grid worker" and the grid name the one person of that grid), the names of
    the files the requester's side sent (`attachment_name`), and the visit it was raised at
    (access/visits.py)."""
    if not case.is_confidential or not isinstance(actor, User):
        return case.is_confidential
    return not actor.has_role(*CENTRE_ROLES) and actor.pk != case.created_by_id


def searchable_for(actor) -> Q:
    """The cases whose withheld parts this reader may search, as a filter: a list narrowed by channel
    or by words must not sort out the confidential cases a grid worker raised, or confirm a guessed
    reporter's name or number in their text (`?q=李英露` answering one case, `?q=王大锤` none). All
    for the centre (and the system); else the cases that are not confidential or that the reader
    registered."""
    if not isinstance(actor, User) or actor.has_role(*CENTRE_ROLES):
        return Q()
    return Q(is_confidential=False) | Q(created_by_id=actor.pk)


def shown_channel(reader, case: Case) -> str:
    """The channel as this reader may know it: "" where it would point at who raised the case."""
    return "" if hides_reporter(reader, case) else case.channel


@dataclass(frozen=True)
class ShownActor:
    name: str
    unit: str = ""


def event_actor(reader, case: Case, event) -> ShownActor:
    """Who did this step of the timeline, as this reader may see it. For a confidential case outside
    the centre, the registration and every step of whoever registered it show no name: a grid
    worker or a visit secretary who reports wrongdoing registers the report themselves."""
    if hides_reporter(reader, case) and (
        event.operation == "create" or (event.actor_id is not None and event.actor_id == case.created_by_id)
    ):
        return ShownActor(_("withheld (confidential report)"))
    if event.actor_id is None:
        return ShownActor(event.actor_label)
    actor = event.actor
    return ShownActor(actor.full_name or actor.username, event.actor_unit.name if event.actor_unit_id else "")


def attachment_name(reader, case: Case, attachment) -> str:
    """The name of a file as this reader may see it. For a confidential case outside the centre,
    only the handling units' own files keep their names ("举报人张三身份证.jpg" would name the
    reporter); the others are called by their number."""
    if not hides_reporter(reader, case) or _of_a_handling_unit(case, attachment.uploaded_by):
        return attachment.name
    extension = attachment.name.rsplit(".", 1)[-1][:8] if "." in attachment.name else ""
    extension = extension if extension.isascii() and extension.isalnum() else ""
    number = _("attachment %(id)d") % {"id": attachment.pk}
    return f"{number}.{extension}" if extension else number


def _of_a_handling_unit(case: Case, user: User | None) -> bool:
    """Is this a member of the case's lead unit or a co-unit (and not the one who registered it)?"""
    if user is None or user.pk == case.created_by_id:
        return False
    return user.unit_id is not None and user.unit_id in {
        case.lead_unit_id,
        *(u.pk for u in case.co_units.all()),
    }


def without_reporter(case: Case, text: str) -> str:
    """Text of a confidential case with the reporter's traces taken out: the requester's name, the
    name of whoever registered it (a grid worker reporting in their own grid) and every phone or ID
    number (mask_numbers). A case's title is stored so from the start (cases.services); its
    description and notes are shown so outside the centre (`shown_text`)."""
    registrant = case.created_by.full_name if case.created_by_id else ""
    return redacted(text, case.requester_name, registrant)


def redacted(text: str, *names: str) -> str:
    """The text without these names (two characters or more) and without any phone or ID number."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, NUMBER_MASK)
    return mask_numbers(text)


def shown_text(reader, case: Case, text: str, *, author: User | None = None) -> str:
    """A text of the case (its description, a note) as this reader may read it: for a confidential
    case outside the centre, `without_reporter`, unless a handling unit wrote it (`author`)."""
    if not hides_reporter(reader, case) or _of_a_handling_unit(case, author):
        return text
    return without_reporter(case, text)

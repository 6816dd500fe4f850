"""Every write of a visit (走访记录) goes through this module.

`visit_record` is one transaction: everything is checked first (the campaign, the secretary's team
and area, the date, the household, each problem, and that the secretary may register a case at that
place), then the household is found or created, the visit written, and each problem raised becomes
a case through `cases.services.case_create` (channel "visit", registered by the secretary) linked
back to the visit. A refusal changes nothing, and so does a failure halfway (the transaction rolls
back every case already registered for the visit).

A form sent twice (a double tap, a retry on a slow connection) carries the same one-time token:
the second sending finds the visit of the first and records nothing, also when both arrive at
the same moment (the unique (secretary, token) constraint decides which one is stored).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minyi.access import cases as case_access
from minyi.access import visits as access
from minyi.cases.services import case_create, kept_confidential
from minyi.catalog.choices import Channel, DemandType, Urgency
from minyi.catalog.services import category_by_code
from minyi.core import clock
from minyi.core.errors import InvalidInput, MinyiError
from minyi.core.photos import Photo, photo_copy
from minyi.org.models import Area, User
from minyi.visits.addresses import MAX_LENGTH as ADDRESS_MAX
from minyi.visits.addresses import address_key, clean_address, has_door
from minyi.visits.models import ASSIGNABLE_LEVELS, Campaign, Household, Visit, VisitPhoto, VisitProblem

MAX_PROBLEMS = 10
MAX_PHOTOS = 6  # as a project's monthly report
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PEOPLE_MAX = 200
NOTES_MAX = 4000
PROBLEM_MAX = 2000
TITLE_LENGTH = 40


@dataclass(frozen=True)
class RaisedProblem:
    """What a household raised: its words, and how the case it becomes starts out."""

    text: str
    demand_type: str = DemandType.HELP
    urgency: str = Urgency.NORMAL
    category: str | None = None  # a category code, when the secretary knows it
    is_confidential: bool = False  # the household asked to stay unknown (every 举报 is confidential)

    @property
    def confidential(self) -> bool:
        return kept_confidential(self.demand_type, asked=self.is_confidential)


def visit_record(
    *,
    actor: User,
    campaign: Campaign | int,
    area: Area | int | str | None,
    address: str,
    visited_on: dt.date | str | None,
    people_met: str,
    notes: str = "",
    phone: str = "",
    problems: Sequence[RaisedProblem | str] = (),
    token: uuid.UUID | str | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Visit:
    """Record a visit to the household at `address` in `area` (a grid or community assigned to the
    actor's team); each problem becomes a case. Returns the visit; its `problems` hold the cases.

    `phone`: the household's contact phone, if given, for the cases' requester (the unit may need
    to call back); the requester's name is the people met.

    `token`: the one-time token of the form. If the actor recorded a visit with it already, that
    visit is returned (with `replayed` set) and nothing is written.

    `photos`: taken at the door; each is stored as its re-encoded copy without EXIF (core/photos.py,
    which refuses a file that does not decode as a photo), at most MAX_PHOTOS of PHOTO_MAX_BYTES."""
    campaign = _campaign(actor, campaign)
    token = _token(token)
    if token is not None:
        earlier = _recorded_with(actor, token)
        if earlier is not None:
            return earlier
    place = _area(area)
    assignment = access.check_record(actor, campaign, place)
    day = _date(visited_on, campaign)
    shown_address = clean_address(address)
    if not shown_address:
        raise InvalidInput(_("Give the household's address (building, unit, door number)."), field="address")
    if len(shown_address) > ADDRESS_MAX:
        raise InvalidInput(_("The address is too long: keep it under 200 characters."), field="address")
    if not has_door(shown_address):
        # Its normal form would be empty, and every such "address" of the grid one household.
        raise InvalidInput(
            _("“%(address)s” holds no letter or digit: give the household's building, unit and door number.")
            % {"address": shown_address},
            field="address",
        )
    people = (people_met or "").strip()
    if not people:
        raise InvalidInput(
            _("Say whom you met (for example “Mr Zhang, the householder, and his wife”)."), field="people_met"
        )
    if len(people) > PEOPLE_MAX:
        raise InvalidInput(_("“People met” is too long: keep it under 200 characters."), field="people_met")
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise InvalidInput(_("The notes are too long: keep them under 4000 characters."), field="notes")
    phone = (phone or "").strip()
    if phone and not phone.replace("-", "").replace(" ", "").lstrip("+").isdigit():
        raise InvalidInput(
            _("The phone number may hold only digits, spaces, “-” and a leading “+”."), field="phone"
        )
    raised = _problems(problems)
    checked_photos = _photos(photos)
    if raised:
        # The secretary registers the cases: their own right to register at this place is checked
        # now, before anything is written, not halfway through.
        case_access.check_create(actor, area=place)

    try:
        with transaction.atomic():
            household = _household(place, shown_address)
            # The visit is written before any case: a second sending of the same form that got past
            # the check above waits here for the first one's transaction and then fails on the
            # unique token, before it has registered a single case.
            visit = Visit.objects.create(
                campaign=campaign,
                team=assignment.team,
                household=household,
                secretary=actor,
                visited_on=day,
                people_met=people,
                notes=notes,
                created_at=clock.now(),
                token=token,
            )
            for photo in checked_photos:
                VisitPhoto.objects.create(
                    visit=visit,
                    file=photo,
                    name=photo.name[:200],
                    content_type=photo.content_type,
                    size=photo.size,
                )
            for position, problem in enumerate(raised, start=1):
                case = case_create(
                    actor=actor,
                    channel=Channel.VISIT,
                    demand_type=problem.demand_type,
                    urgency=problem.urgency,
                    title=_title(problem.text),
                    description=_description(visit, problem.text, confidential=problem.confidential),
                    area=place,
                    # A confidential problem (a 举报) must not lead the handling unit to the door
                    # it was raised at: the case is placed in the grid, without the address.
                    address="" if problem.confidential else shown_address,
                    # The people met are the requester: masked for units and audited when revealed
                    # (access/personal_data.py), and never written into the description.
                    requester_name=people[:50],
                    requester_phone=phone,
                    is_confidential=problem.is_confidential,
                    category=problem.category,
                    source_data={"visit": visit.pk, "campaign": campaign.pk},
                )
                VisitProblem.objects.create(visit=visit, position=position, text=problem.text, case=case)
    except IntegrityError:
        earlier = _recorded_with(actor, token) if token is not None else None
        if earlier is None:
            raise
        return earlier
    return visit


def _photos(photos: Sequence[UploadedFile]) -> list[Photo]:
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("You chose %(count)d photos; a visit keeps at most %(most)d: leave some out.")
            % {"count": len(photos), "most": MAX_PHOTOS},
            field="photos",
        )
    checked = []
    for number, photo in enumerate(photos, start=1):
        if photo.size > PHOTO_MAX_BYTES:
            raise InvalidInput(
                _("“%(name)s” is larger than %(mb)d MB: take the photo at a lower resolution.")
                % {"name": photo.name, "mb": PHOTO_MAX_BYTES // (1024 * 1024)},
                field="photos",
            )
        # Stored under a name of our own: a phone's file name may hold the date and the owner.
        checked.append(photo_copy(photo, field="photos", stem=f"photo-{number}"))
    return checked


def _token(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise InvalidInput(
            _("The form has expired or was changed: open “Record a visit” again and fill it in anew."),
            field="token",
        ) from None


def _recorded_with(actor: User, token: uuid.UUID) -> Visit | None:
    """The visit the actor recorded with this form token, marked as a replay."""
    visit = Visit.objects.filter(secretary=actor, token=token).first()
    if visit is not None:
        visit.replayed = True
    return visit


def _campaign(actor: User, campaign: Campaign | int) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    return access.access_campaign_by_id(actor, pk)


def _area(area: Area | int | str | None) -> Area:
    if isinstance(area, Area):
        place = area
    elif area in (None, ""):
        raise InvalidInput(_("Choose the community or grid of the household."), field="area")
    else:
        try:
            place = Area.objects.filter(pk=int(area), is_active=True).first()
        except (TypeError, ValueError):
            place = None
        if place is None:
            raise InvalidInput(
                _("There is no area %(id)s: choose the grid from the list.") % {"id": area}, field="area"
            )
    if place.level not in ASSIGNABLE_LEVELS:
        raise InvalidInput(
            _("Choose the community or grid of the household, not %(area)s.") % {"area": place.name},
            field="area",
        )
    return place


def _date(value: dt.date | str | None, campaign: Campaign) -> dt.date:
    if isinstance(value, dt.datetime):
        value = clock.local(value).date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise InvalidInput(_("Give the date of the visit (YYYY-MM-DD)."), field="visited_on")
    today = clock.local(clock.now()).date()
    if value > today:
        raise InvalidInput(
            _("The visit date %(date)s lies in the future: record a visit once it has taken place.")
            % {"date": value.isoformat()},
            field="visited_on",
        )
    if not campaign.starts_on <= value <= campaign.ends_on:
        raise InvalidInput(
            _("“%(campaign)s” runs from %(start)s to %(end)s: %(date)s lies outside it.")
            % {
                "campaign": campaign.name,
                "start": campaign.starts_on.isoformat(),
                "end": campaign.ends_on.isoformat(),
                "date": value.isoformat(),
            },
            field="visited_on",
        )
    return value


def _problems(problems: Sequence[RaisedProblem | str]) -> list[RaisedProblem]:
    if len(problems) > MAX_PROBLEMS:
        raise InvalidInput(
            _("At most %(n)d problems per visit: record the others at a second visit.") % {"n": MAX_PROBLEMS},
            field="problems",
        )
    raised = []
    for number, problem in enumerate(problems, start=1):
        if isinstance(problem, str):
            problem = RaisedProblem(text=problem)
        text = (problem.text or "").strip()
        if not text:
            raise InvalidInput(
                _("Problem %(n)d has no text: write what the household raised, or remove it.")
                % {"n": number},
                field="problems",
                position=number,
            )
        if "\x00" in text:  # the rows are no form field, so Django's own check does not see them
            raise InvalidInput(
                _("Problem %(n)d holds a NUL character: remove it.") % {"n": number},
                field="problems",
                position=number,
            )
        if len(text) > PROBLEM_MAX:
            raise InvalidInput(
                _("Problem %(n)d is too long: keep it under 2000 characters.") % {"n": number},
                field="problems",
                position=number,
            )
        if problem.demand_type not in DemandType.values:
            raise InvalidInput(
                _("Problem %(n)d: choose its type from the list.") % {"n": number},
                field="problems",
                position=number,
            )
        if problem.urgency not in Urgency.values:
            raise InvalidInput(
                _("Problem %(n)d: choose its urgency from the list.") % {"n": number},
                field="problems",
                position=number,
            )
        category = (problem.category or "").strip() or None
        if category:
            try:
                category_by_code(category)
            except MinyiError as exc:
                raise InvalidInput(
                    _("Problem %(n)d: %(message)s") % {"n": number, "message": exc.message},
                    field="problems",
                    position=number,
                ) from None
        raised.append(
            RaisedProblem(text, problem.demand_type, problem.urgency, category, bool(problem.is_confidential))
        )
    return raised


def _household(place: Area, address: str) -> Household:
    """The household at this address, created at its first visit. Two secretaries recording the
    same new door at once: the second insert meets the unique constraint and takes the first's."""
    key = address_key(address)
    found = Household.objects.filter(area=place, address_key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Household.objects.create(area=place, address=address, created_at=clock.now())
    except IntegrityError:
        return Household.objects.get(area=place, address_key=key)


def _title(text: str) -> str:
    first_line = text.splitlines()[0].strip()
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


def _description(visit: Visit, text: str, *, confidential: bool) -> str:
    # Every unit the case reaches reads its description: it names the visit by its number only.
    # The people met are the case's requester (masked, revealed with an audit row) and the door is
    # the case's address (left out for a confidential problem); those who may see the visit follow
    # the case page's link to it. A confidential problem (a 举报) names no visit at all: its number,
    # day or campaign would lead a unit that reads the visits of its area to the household or team.
    if confidential:
        return text  # not even the campaign: with the grid and the minute it names the visiting team
    return _("Raised at door-to-door visit no. %(visit)d (%(campaign)s) on %(date)s.\n%(text)s") % {
        "visit": visit.pk,
        "campaign": visit.campaign.name,
        "date": visit.visited_on.isoformat(),
        "text": text,
    }

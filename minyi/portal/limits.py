"""How often the portal may be used (群众端限流): sending demands and looking them up.

A limit per address alone would refuse whole neighbourhoods: Chinese mobile networks put a community
behind one carrier address (CGNAT), and a street reporting the same burst pipe would be turned away.
So a citizen's own limits are per browser (`ratelimit.browser_id`) and per phone number; the address
only has a ceiling high enough for a neighbourhood, which stops a script that drops its cookies.
Look-ups also count wrong query codes per tracking number, from every address together: tracking
number + query code is the citizen's key, and many addresses must not be able to guess one case's
code. All limits count per hour (`ratelimit.HOUR`) and lift at the start of the next hour.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minyi.access.personal_data import normal_phone
from minyi.cases.numbers import normal_tracking_number
from minyi.core import clock
from minyi.web import ratelimit
from minyi.web.ratelimit import HOUR, Limit, Refused

BROWSER, PHONE, ADDRESS, NUMBER = "browser", "phone", "address", "number"


def submission_refused(request: HttpRequest) -> Refused | None:
    """Count one demand of this browser and address; every attempt counts, refused ones too, since
    their uploads cost as much as accepted ones."""
    return ratelimit.charge(
        Limit(
            f"portal-submit:browser:{ratelimit.browser_id(request)}",
            settings.MINYI_PORTAL_SUBMISSIONS_PER_HOUR,
            BROWSER,
        ),
        Limit(
            f"portal-submit:address:{_address(request)}",
            settings.MINYI_PORTAL_SUBMISSIONS_PER_ADDRESS,
            ADDRESS,
        ),
    )


def phone_refused(phone: str) -> Refused | None:
    """Count one demand giving this phone number (none for an anonymous demand)."""
    try:
        digits = normal_phone(phone)  # the one stored form: +86 138-1234-1234 is 13812341234
    except ValueError:
        return None  # no phone number at all: the form refuses it
    if not digits:
        return None
    # The counter's key holds a keyed hash, not the number: personal data stays in the case.
    digest = salted_hmac("minyi.portal.limits.phone", digits).hexdigest()[:32]
    return ratelimit.charge(
        Limit(f"portal-submit:phone:{digest}", settings.MINYI_PORTAL_SUBMISSIONS_PER_PHONE, PHONE)
    )


def lookup_refused(request: HttpRequest) -> Refused | None:
    """Count one look-up of this browser and address."""
    return ratelimit.charge(
        Limit(
            f"portal-lookup:browser:{ratelimit.browser_id(request)}",
            settings.MINYI_PORTAL_LOOKUPS_PER_HOUR,
            BROWSER,
        ),
        Limit(
            f"portal-lookup:address:{_address(request)}", settings.MINYI_PORTAL_LOOKUPS_PER_ADDRESS, ADDRESS
        ),
    )


def code_guess_refused(request: HttpRequest, tracking_number: str, *, at: dt.datetime) -> Refused | None:
    """Count a query code given for this tracking number as wrong before it is compared, so that
    guesses sent at once cannot all slip under the limits; `code_was_right` takes it back. Two limits:
    from one address (MINYI_PORTAL_WRONG_CODES_PER_NUMBER_AND_ADDRESS), and from all addresses
    together (MINYI_PORTAL_WRONG_CODES_PER_NUMBER, much higher). Past the first, that address waits
    for the next hour, even with the right code; past the second, every new device does. So a
    stranger who knows a (sequential) tracking number cannot hold its requester out with a few wrong
    codes from a few addresses, and a network of addresses still gets a negligible share of the
    32⁶ ≈ 10⁹ codes."""
    window = ratelimit.window_start(at, HOUR)
    for key, most, who in (
        (
            _number_key(tracking_number, _address(request)),
            settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER_AND_ADDRESS,
            NUMBER,
        ),
        (_number_key(tracking_number), settings.MINYI_PORTAL_WRONG_CODES_PER_NUMBER, NUMBER),
    ):
        if not ratelimit.hit(key, limit=most, window=HOUR, at=at):
            return Refused(who, window + HOUR)
    return None


def code_was_right(request: HttpRequest, tracking_number: str, *, at: dt.datetime) -> None:
    ratelimit.refund(_number_key(tracking_number, _address(request)), window=HOUR, at=at)
    ratelimit.refund(_number_key(tracking_number), window=HOUR, at=at)


def refusal_message(refused: Refused) -> str:
    """What the citizen reads on the 429 page: which limit, and when to try again."""
    time = clock.local(refused.retry_at).strftime("%H:%M")
    messages = {
        BROWSER: _(
            "This browser has sent this form too often in the past hour. Please try again after %(time)s."
        ),
        PHONE: _(
            "Too many demands were sent with this phone number in the past hour. "
            "Please try again after %(time)s."
        ),
        ADDRESS: _(
            "Very many requests came from your network in the past hour. Please try again after "
            "%(time)s, or from another network (for example Wi-Fi instead of mobile data)."
        ),
        NUMBER: _(
            "Too many wrong query codes were entered for this tracking number in the past hour. "
            "Please try again after %(time)s with the query code shown when the demand was raised."
        ),
    }
    return messages[refused.who] % {"time": time}


def _address(request: HttpRequest) -> str:
    return ratelimit.client_ip(request) or "unknown"


def _number_key(tracking_number: str, address: str = "") -> str:
    # As the look-up reads it (access.cases.access_case_by_query_code), so no spelling escapes the
    # count: 202611000123 and ２０２６１１－０００１２３ are guesses at 202611-000123 too.
    key = f"portal-code:{normal_tracking_number(tracking_number)}"
    return f"{key}:{address}" if address else key

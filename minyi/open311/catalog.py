"""Services (Open311's word for our categories) and the attributes a request may carry.

A service is a category that is public and active, and whose ancestors are too (a hidden branch
hides its leaves). Its `group` is the top-level category, as citizens know the tree. Every service
has the same three optional attributes; they are declared here once and used both to describe the
service and to check a posted `attribute[code]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _

from minyi.catalog.choices import DemandType, Urgency
from minyi.catalog.models import Category
from minyi.core.errors import InvalidInput
from minyi.org.models import Area


class Service(NamedTuple):
    category: Category
    group: str  # the top-level category's name
    full_name: str  # "城乡建设 / 供热 / 供热不足"


def public_services() -> list[Service]:
    """Every service, in tree order."""
    categories = list(Category.objects.order_by("path", "sort_order"))
    by_id = {c.pk: c for c in categories}
    services = []
    for category in categories:
        line = [by_id[pk] for pk in category.ancestor_ids() if pk in by_id]
        if line and all(c.is_public and c.is_active for c in line):
            services.append(Service(category, line[0].name, " / ".join(c.name for c in line)))
    return services


def find_service(code: str) -> Service | None:
    return next((s for s in public_services() if s.category.code == code), None)


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str
    datatype: str  # string | singlevaluelist (GeoReport v2 datatypes)
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""


def attributes() -> list[Attribute]:
    return [
        Attribute(
            "demand_type",
            _("Type of demand (default: complaint)"),
            "singlevaluelist",
            tuple((v, str(label)) for v, label in DemandType.choices),
            DemandType.COMPLAINT,
        ),
        Attribute(
            "urgency",
            _("Urgency (default: normal)"),
            "singlevaluelist",
            tuple((v, str(label)) for v, label in Urgency.choices),
            Urgency.NORMAL,
        ),
        Attribute("area_code", _("Code of the community or grid where the problem is"), "string"),
    ]


def definition(category: Category) -> dict:
    """The service definition of GeoReport v2 (`services/{code}`)."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": False,
                "datatype_description": (
                    _("An area code, e.g. a community or grid code.") if a.datatype == "string" else ""
                ),
                "order": order,
                "description": a.description,
                "values": [{"key": key, "name": name} for key, name in a.choices],
            }
            for order, a in enumerate(attributes(), start=1)
        ],
    }


def check_attributes(given: dict[str, str]) -> dict[str, str]:
    """The posted attributes, checked: {code: value}, with the defaults of the lists filled in."""
    known = {a.code: a for a in attributes()}
    for code in given:
        if code not in known:
            raise InvalidInput(
                _("Unknown attribute “%(code)s”: the attributes are %(known)s.")
                % {"code": code, "known": ", ".join(known)},
                field=f"attribute[{code}]",
            )
    values: dict[str, str] = {}
    for code, attribute in known.items():
        value = given.get(code, attribute.default)
        if attribute.choices and value and value not in dict(attribute.choices):
            raise InvalidInput(
                _("attribute[%(code)s] “%(value)s” is not allowed; use one of: %(allowed)s.")
                % {"code": code, "value": value, "allowed": ", ".join(k for k, _label in attribute.choices)},
                field=f"attribute[{code}]",
            )
        if value:
            values[code] = value
    return values


def area_by_code(code: str, name: str) -> Area:
    area = Area.objects.filter(code=code, is_active=True).first()
    if area is None:
        raise InvalidInput(
            _("%(name)s “%(code)s” is no area code: give the code of a street, community or grid.")
            % {"name": name, "code": code},
            field=name,
        )
    return area

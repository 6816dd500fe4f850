"""The formats of a report, and what the files are called."""

from __future__ import annotations

from minyi.reports import pdf, xlsx

FORMATS = {"xlsx": xlsx.workbook, "pdf": pdf.document}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def district_name() -> str:
    """The district the reports are of: the root of the area tree (the demo's 民意区)."""
    from minyi.org.models import Area

    root = Area.objects.filter(parent__isnull=True).order_by("pk").values_list("name", flat=True).first()
    return root or ""

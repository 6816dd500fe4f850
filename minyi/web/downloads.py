"""The download of a case's attachment, the same for the console and the API.

Who may have which file is `access.cases.access_attachment_by_id`; the name it goes out under is
`access.personal_data.attachment_name` (a confidential case's files are not named after the reporter
outside the centre). A photo (stored as a clean re-encoded copy by core/photos.py) is shown as itself;
any other file only ever as a download, never rendered by the browser, under a policy that forbids
scripts either way.
"""

from __future__ import annotations

from django.http import FileResponse

from minyi.access import cases as access
from minyi.access.personal_data import attachment_name
from minyi.core.photos import ALL_FORMATS

INLINE_TYPES = frozenset(f.content_type for f in ALL_FORMATS)
POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def attachment_response(reader, attachment_id: int | str) -> FileResponse:
    """The file, if `reader` may have it (NotFound otherwise)."""
    item = access.access_attachment_by_id(reader, attachment_id)
    inline = item.content_type in INLINE_TYPES
    response = FileResponse(
        item.file.open("rb"), as_attachment=not inline, filename=attachment_name(reader, item.case, item)
    )
    response["Content-Type"] = item.content_type if inline else "application/octet-stream"
    response["Content-Security-Policy"] = POLICY
    return response

"""What the published OpenAPI schema says beyond each view's own description: the refusals any
operation may meet before its view runs, with their limits (drf-spectacular postprocessing hook).

- 411: a body sent in chunks without Content-Length (web/middleware.py), and 413: a JSON or form
  body over DATA_UPLOAD_MAX_MEMORY_SIZE (web/views.py), on every operation that takes a body;
- 414 and 431: a request line or headers over gunicorn's limits, answered in the API's format by
  minyi's gunicorn worker (web/server.py), on every operation.

And that an optional query parameter left empty (`?area=`, as a form sends it) counts as not given
(`allowEmptyValue`), which is what every view does with one. Repeated parameters (arrays) excepted:
an empty `status=` is refused as no status.
"""

from __future__ import annotations

from django.conf import settings

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_limits(result, generator, request, public):
    most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    refusals = {
        "414": "The request line (method, path and query) is longer than the server takes "
        "(4094 bytes with `minyi serve`): code `uri_too_long`.",
        "431": "The headers are larger than the server takes (100 headers of 8190 bytes with "
        "`minyi serve`): code `headers_too_large`.",
    }
    too_large = (
        f"The body's JSON or form fields are larger than {most} bytes (files sent as multipart "
        "attachments do not count): code `too_large`."
    )
    chunked = (
        "The body was sent in chunks (Transfer-Encoding: chunked) without a Content-Length, which "
        "this server cannot read: code `length_required`. Send the body with its Content-Length."
    )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                optional = parameter["in"] == "query" and not parameter.get("required")
                if optional and parameter.get("schema", {}).get("type") != "array":
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault("411", {"content": ERROR, "description": chunked})
                responses.setdefault("413", {"content": ERROR, "description": too_large})
            for status, description in refusals.items():
                responses.setdefault(status, {"content": ERROR, "description": description})
    return result

"""The import page of the console (/console/import/): for dispatchers and administrators.

Upload a file, choose a kept mapping (or upload one), validate: the page shows the problems per row
and column (the first 200) or the summary. Validating keeps the upload (in the default storage, so
any server of the site can finish it) and offers "Import this file"; importing straight away works
too. The rules are those of the command (transfer/importer.py): by default all or nothing; with
"skip invalid rows" the good rows are imported and the bad ones offered as an error file.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.console.views.common import staff_view
from minyi.core.errors import MinyiError
from minyi.org.roles import Role
from minyi.transfer import importer, mapping
from minyi.transfer.reader import FileProblem, file_format

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
SHOWN = 200
SESSION_KEY = "transfer_upload"
STORAGE_DIR = "imports"
# Who may load cases in bulk (the console menu shows the page to them).
IMPORT_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mapping = forms.ChoiceField(label=gettext_lazy("Mapping"), required=False)
    mapping_file = forms.FileField(
        label=gettext_lazy("Or your own mapping (TOML)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".toml"}),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Skip invalid rows (import the valid ones, download the invalid ones)"),
        required=False,
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].choices = [(name, name) for name in mapping.available()]
        self.fields["mapping"].initial = "default"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: split it.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        try:
            file_format(upload.name)
        except FileProblem as exc:
            raise forms.ValidationError(exc.message) from None
        return upload

    def clean_mapping_file(self):
        upload = self.cleaned_data.get("mapping_file")
        if upload is not None and upload.size > mapping.MAX_MAPPING_BYTES:
            raise forms.ValidationError(_("A mapping file may hold at most 64 KB."))
        return upload


def _upload_of(request, form: ImportForm) -> dict | None:
    """The file to work on: the one just sent (kept for a later import), or the one kept at the
    validation the form's token names."""
    upload = form.cleaned_data.get("file")
    if upload is not None:
        token = secrets.token_urlsafe(16)
        name = Path(upload.name).name
        stored = default_storage.save(
            f"{STORAGE_DIR}/{token}{Path(name).suffix.lower()}", ContentFile(upload.read())
        )
        mapping_upload = form.cleaned_data.get("mapping_file")
        kept = {
            "token": token,
            "path": stored,
            "name": name,
            "mapping": form.cleaned_data.get("mapping") or "default",
            "mapping_text": mapping_upload.read().decode("utf-8", "replace") if mapping_upload else "",
            "mapping_name": Path(mapping_upload.name).stem if mapping_upload else "",
        }
        _forget(request)
        request.session[SESSION_KEY] = kept
        return kept
    kept = request.session.get(SESSION_KEY)
    if kept and form.cleaned_data.get("token") == kept["token"] and default_storage.exists(kept["path"]):
        return kept
    return None


def _forget(request) -> None:
    kept = request.session.pop(SESSION_KEY, None)
    if kept and default_storage.exists(kept["path"]):
        default_storage.delete(kept["path"])


def _mapping(kept: dict) -> mapping.Mapping:
    if kept["mapping_text"]:
        return mapping.parse(kept["mapping_text"], name=kept["mapping_name"])
    return mapping.load(kept["mapping"])


@staff_view(*IMPORT_ROLES)
def import_page(request):
    context: dict = {"nav": "import", "shown": SHOWN, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method != "POST":
        context["form"] = ImportForm()
        return render(request, "transfer/import.html", context)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "transfer/import.html", context, status=400)
    kept = _upload_of(request, form)
    if kept is None:
        form.add_error("file", _("Choose the file to import."))
        return render(request, "transfer/import.html", context, status=400)
    importing = request.POST.get("action") == "import"
    skip_invalid = form.cleaned_data["skip_invalid"]
    try:
        chosen = _mapping(kept)
        with default_storage.open(kept["path"], "rb") as f:
            data = f.read()
        report = importer.run(data, kept["name"], chosen, skip_invalid=skip_invalid, dry_run=not importing)
    except MinyiError as exc:
        _forget(request)
        context["problem"] = exc.message
        return render(request, "transfer/import.html", context, status=400)
    context.update(report=report, errors=report.errors[:SHOWN], warnings=report.warnings[:SHOWN], kept=kept)
    context["mapping_name"] = chosen.name
    if importing:
        if report.invalid and skip_invalid:
            context["error_file"] = _keep_errors(request, report, kept)
        _forget(request)
        context["imported"] = True
        context["form"] = ImportForm()
    else:
        context["next_form"] = ImportForm(initial={"token": kept["token"], "skip_invalid": skip_invalid})
    status = 400 if importing and report.invalid and not skip_invalid else 200
    return render(request, "transfer/import.html", context, status=status)


def _keep_errors(request, report: importer.Report, kept: dict) -> str:
    fmt = report.table.format if report.table else "csv"
    name = Path(importer.error_file_name(kept["name"], fmt)).name
    buffer = io.BytesIO()
    importer.write_errors(report, buffer, fmt)
    stored = default_storage.save(
        f"{STORAGE_DIR}/{secrets.token_urlsafe(16)}.errors.{fmt}", ContentFile(buffer.getvalue())
    )
    request.session["transfer_errors"] = {"path": stored, "name": name}
    return reverse("transfer:errors")


@staff_view(*IMPORT_ROLES)
def error_file(request):
    """The invalid rows of the last import of this session, offered once and then deleted."""
    kept = request.session.get("transfer_errors")
    if not kept or not default_storage.exists(kept["path"]):
        raise Http404(_("There is no error file: import with “skip invalid rows” first."))
    fmt = Path(kept["name"]).suffix.lstrip(".")
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(fmt, "application/octet-stream")
    with default_storage.open(kept["path"], "rb") as f:
        body = f.read()
    default_storage.delete(kept["path"])  # offered once: the invalid rows hold personal data
    del request.session["transfer_errors"]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, kept["name"])
    return response

"""Requester phones in their one stored form (access.personal_data.normal_phone): digits only, the +86
prefix dropped, so that the caller history finds a case however its number was typed. Only rows
whose phone holds something besides digits are read; a number that cannot be read is left as it is.
The rule is copied here, as migrations must not change when the code does."""

import unicodedata

from django.db import migrations

SEPARATORS = set(
    " \t\u00a0\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d_\uff3f.\uff0e\u3002/\uff0f\\\uff3c"
    "()\uff08\uff09[]\u3010\u3011\u00b7\u30fb\u3001"
)


def _normal(text: str) -> str | None:
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", text).strip() if ch not in SEPARATORS)
    digits = compact[1:] if compact.startswith("+") else compact
    if not digits.isascii() or not digits.isdigit():
        return None
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix) and len(compact) > len(prefix) + 6:
            rest = compact[len(prefix) :]
            return rest if rest.startswith(("1", "0")) else "0" + rest
    return compact


def normalise(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.exclude(requester_phone="").exclude(requester_phone__regex=r"^[0-9]+$")
    for pk, phone in rows.values_list("pk", "requester_phone").iterator(chunk_size=2000):
        normal = _normal(phone)
        if normal is not None and normal != phone:
            Case.objects.filter(pk=pk).update(requester_phone=normal)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_text_search_bigrams")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]

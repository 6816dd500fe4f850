"""`minyi apikey create|list|revoke`: the keys other systems use for the API and Open311."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minyi.api import keys
from minyi.api.models import ApiKey
from minyi.core.errors import MinyiError


class Command(BaseCommand):
    help = "Create, list or revoke API keys. The key is printed once, at creation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it once.")
        create.add_argument("--name", required=True, help="A name for the integration, e.g. wechat-front.")
        create.add_argument("--channel", default="", help="The channel its cases come from (e.g. wechat).")
        create.add_argument("--unit", default="", help="Act for this handling unit (code or exact name).")
        create.add_argument(
            "--role",
            action="append",
            default=[],
            help="An extra role, optionally with a scope: leader, supervisor:all … (repeatable).",
        )
        sub.add_parser("list", help="List the keys (never the keys themselves).")
        rotate = sub.add_parser(
            "rotate", help="Replace a key (and its webhook secret); the account and its cases stay."
        )
        rotate.add_argument("name")
        revoke = sub.add_parser("revoke", help="Revoke a key: it stops working at once.")
        revoke.add_argument("name")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except MinyiError as exc:
            raise CommandError(exc.message) from None

    def _create(self, *, name, channel, unit, role, **_):
        key, raw = keys.create_key(
            name, channel=channel, unit=keys.find_unit(unit) if unit else None, roles=role
        )
        self._show(key, raw)

    def _show(self, key, raw):
        self.stdout.write(f"API key for {key.name} (id {key.prefix}); it is shown only now, keep it safe:")
        self.stdout.write(raw)
        if key.signing_secret:
            self.stdout.write(f"Webhook signing secret for channel {key.channel}:")
            self.stdout.write(key.signing_secret)
        roles = ", ".join(f"{r}:{s}" for r, s in key.user.role_scopes.items())
        self.stdout.write(f"Roles: {roles}")

    def _rotate(self, *, name, **_):
        key, raw = keys.rotate(name)
        self._show(key, raw)

    def _list(self, **_):
        for key in ApiKey.objects.select_related("unit"):
            state = "revoked" if key.revoked_at else "active"
            used = (
                timezone.localtime(key.last_used_at).strftime("%Y-%m-%d %H:%M") if key.last_used_at else "-"
            )
            self.stdout.write(
                f"{key.prefix}  {key.name:<24} {state:<8} channel={key.channel or '-'} "
                f"unit={key.unit or '-'} last used {used}"
            )

    def _revoke(self, *, name, **_):
        key = keys.revoke(name)
        self.stdout.write(f"Revoked {key.name} ({key.prefix}).")

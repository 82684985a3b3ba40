"""`manage.py signing_keys create ORG|--root`, `rotate ORG`, `revoke KID --reason …`, `list`.

`create` and `rotate` take `--algorithm EdDSA` for an organisation's credential key (release
notices, health-code tokens, passes); ES256, its documents' key, otherwise.

ORG is an organisation's id or code. Nothing secret is ever printed: kids, names, dates."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coordination.models import Organisation
from coordination.trust.models import SigningKey
from coordination.trust.services import SigningKeyError, key_create, key_revoke, key_rotate


def organisation_named(value: str) -> Organisation:
    found = Organisation.objects.filter(pk=int(value)) if value.isdigit() else Organisation.objects.filter(code=value)
    organisation = found.first()
    if organisation is None:
        raise CommandError(f"No organisation with id or code {value!r}.")
    return organisation


class Command(BaseCommand):
    help = "Create, rotate, revoke and list the signing keys of the root and the issuing organisations."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="a first key for an organisation, or the root")
        target = create.add_mutually_exclusive_group(required=True)
        target.add_argument("organisation", nargs="?", help="organisation id or code")
        target.add_argument("--root", action="store_true", help="the Office's root key")
        rotate = commands.add_parser("rotate", help="a new current key; the old one verifies until it expires")
        rotate.add_argument("organisation", help="organisation id or code")
        for sub in (create, rotate):
            sub.add_argument(
                "--algorithm",
                choices=SigningKey.Algorithm.values,
                default=SigningKey.Algorithm.ES256,
                help="ES256: the documents' key (default); EdDSA: the credentials' key",
            )
        revoke = commands.add_parser("revoke", help="revoke a key: its documents report it revoked")
        revoke.add_argument("kid")
        revoke.add_argument("--reason", required=True)
        commands.add_parser("list", help="every key with its status (no private material)")

    def handle(self, *args, command, **options):
        try:
            if command == "create":
                if options["root"]:
                    key = key_create(root=True)
                else:
                    key = key_create(
                        organisation=organisation_named(options["organisation"]), algorithm=options["algorithm"]
                    )
                self.stdout.write(self.style.SUCCESS(f"created {self.describe(key)}"))
            elif command == "rotate":
                key = key_rotate(
                    organisation=organisation_named(options["organisation"]), algorithm=options["algorithm"]
                )
                self.stdout.write(self.style.SUCCESS(f"rotated: now {self.describe(key)}"))
            elif command == "revoke":
                key = key_revoke(kid=options["kid"], reason=options["reason"])
                self.stdout.write(self.style.SUCCESS(f"revoked {self.describe(key)}"))
            else:
                self.list_keys()
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc

    def describe(self, key: SigningKey) -> str:
        owner = "root" if key.is_root else f"{key.organisation.code} {key.organisation.name_zh}"
        valid_until = timezone.localtime(key.valid_until).strftime("%Y-%m-%d")
        return f"{key.kid} {key.algorithm} {owner}, {key.status()}, valid until {valid_until}"

    def list_keys(self) -> None:
        keys = SigningKey.objects.select_related("organisation").defer("private_key_encrypted")
        self.stdout.write(f"{'kid':16}  {'alg':5}  {'status':8}  {'current':7}  {'valid until':11}  owner")
        for key in keys:
            owner = "root" if key.is_root else f"{key.organisation.code} {key.organisation.name_zh}"
            current = "yes" if key.is_current else "no"
            valid_until = timezone.localtime(key.valid_until).strftime("%Y-%m-%d")
            self.stdout.write(
                f"{key.kid:16}  {key.algorithm:5}  {key.status():8}  {current:7}  {valid_until:11}  {owner}"
            )

"""`manage.py generate_scale_data`: a large, realistic, seeded data set for benchmarks.

    python manage.py generate_scale_data --filings 1000000 --notices 10000 --sheets 100000 [--seed 2020]

On top of the demo organisations and users (seed_demo's, created here if missing, plus one filer
per hospital and one reviewer per insurance centre that has none), it asks each registered
mechanism that declares a `scale` generator (its package's scale.py) for its count of cases,
spread over the `--days` before `--end` (today by default), in every state of its pattern:

- `--filings`: INS insurance filings,
- `--notices`: M3/M7/F4/F5 measure notices with their receipts,
- `--sheets`: M3 assignment sheets,

each flag named by its mechanism's generator (`generate.flag` in its scale.py), and `--cases
RESOURCE=N` for any mechanism by its API resource.

Nothing is written here by hand: the generators create their cases with the engine's
`cases_create_many` and move them on with `transitions_fire_each`, so every case, participant,
object-permission row, receipt, audit entry (a valid hash chain: `manage.py verify_audit`),
outbox event and inbox notice is what the engine writes for cases created and answered through
the API, and cannot drift from it. The same `--seed` and `--end` on the same starting database
give the same cases (ID and phone numbers are encrypted with random nonces: the plaintexts are
reproducible, the ciphertexts are not).

The events are left pending for the outbox to deliver, as the engine leaves them: a worker
started on the database delivers (or the relay picks up) what a real year would have sent.
"""

import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from coordination.models import Membership, Organisation, Region
from coordination.workflow import mechanisms

K = Organisation.Kind
R = Membership.Role

# Fewest creation moments a generator spreads its cases over (unless it has fewer cases), so a
# small data set still covers the whole span.
MIN_SLOTS = 12


def scale_flag(declaration) -> str:
    """The flag counting a mechanism's cases: its generator's `flag` (`generate.flag = "filings"`
    in its scale.py gives --filings), else its API resource."""
    return getattr(declaration.scale, "flag", None) or declaration.resource


def aware(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


@dataclass
class World:
    """What a mechanism's scale generator works with: the span its cases are created in, the
    batch size, the organisations with the user acting for each, and the cities per province.
    Generators create and transition their cases through the engine, one transaction per batch,
    and yield each batch's cases."""

    start: datetime
    end: datetime
    batch: int
    organisations: list[Organisation]
    users: dict[int, object]  # organisation id → its user (membership and organisation loaded)
    cities: dict[str, list[str]] = field(default_factory=dict)  # province code → city codes

    def of_kind(self, kind: str) -> list[Organisation]:
        return [org for org in self.organisations if org.kind == kind]

    def user(self, organisation: Organisation):
        return self.users[organisation.pk]

    def slots(self, count: int) -> Iterator[tuple[datetime, datetime, int]]:
        """The span cut into consecutive slots, each (its first moment, the next slot's, how many
        of the `count` cases are created in it): at most `batch` cases a slot and at least
        MIN_SLOTS slots (fewer with fewer cases), so the cases are spread over the whole span."""
        slots = max(math.ceil(count / self.batch), min(count, MIN_SLOTS))
        width = (self.end - self.start) / slots
        for n in range(slots):
            size = round(count * (n + 1) / slots) - round(count * n / slots)
            if size:
                yield self.start + width * n, self.start + width * (n + 1), size

    @staticmethod
    def moment(rng: random.Random, first: datetime, until: datetime) -> datetime:
        """A moment in [first, until), to the second."""
        seconds = max(int((until - first).total_seconds()) - 1, 0)
        return first + timedelta(seconds=rng.randint(0, seconds))

    def age_days(self, moment: datetime) -> float:
        return (self.end - moment).total_seconds() / 86400

    def at_most_now(self, moment: datetime) -> datetime:
        """A later step's moment, no later than the end of the span (no step is in the future)."""
        return min(moment, self.end)

    @staticmethod
    def weighted(rng: random.Random, table: dict):
        """A key of `table`, drawn with its value as weight."""
        return rng.choices(list(table), weights=list(table.values()))[0]

    @staticmethod
    def coverage(states, count: int, *, margin: int = 0) -> "Coverage":
        return Coverage(list(states), count, margin)


@dataclass
class Coverage:
    """The final states of `count` cases, drawn one case after another, with every one of
    `states` made to occur when there are enough cases: once the cases left are too few for the
    states not drawn yet, they take those (in the order given), so a small data set still covers
    every state while a large one is as drawn. With a `margin`, they take them that many cases
    earlier (for a state that needs a later case: a superseded notice's successor)."""

    missing: list
    left: int
    margin: int = 0

    def __call__(self, drawn: str) -> str:
        self.left -= 1
        if drawn in self.missing:
            self.missing.remove(drawn)
        elif self.missing and len(self.missing) + self.margin > self.left:
            drawn = self.missing.pop(0)
        return drawn


class Command(BaseCommand):
    help = "Append a large seeded data set of every mechanism that declares a scale generator, through the engine."

    def add_arguments(self, parser):
        # A flag per mechanism that declares a generator (--filings, --notices, --sheets…).
        for declaration in mechanisms.registered():
            if declaration.scale is not None:
                flag = scale_flag(declaration)
                parser.add_argument(
                    f"--{flag}",
                    type=int,
                    default=0,
                    dest=flag.replace("-", "_"),
                    help=f"{declaration.title()} ({declaration.resource})",
                )
        parser.add_argument(
            "--cases",
            action="append",
            default=[],
            metavar="RESOURCE=N",
            help="N cases of the mechanism of that API resource (repeatable)",
        )
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day of the data (today)")
        parser.add_argument("--days", type=int, default=365, help="days the data spans")
        parser.add_argument("--batch", type=int, default=1000, help="most cases written in one transaction")

    def handle(self, *args, **options):
        counts = self.counts(options)
        self.verbosity = options["verbosity"]
        end = options["end"] or timezone.localdate()
        # The span ends at the last full minute before now when `end` is today (open cases are recent).
        end = min(aware(end + timedelta(days=1)), timezone.now().replace(second=0, microsecond=0))
        world = self.prepare(start=end - timedelta(days=options["days"]), end=end, batch=max(options["batch"], 1))
        timings = {}
        for declaration in mechanisms.registered():
            count = counts.pop(declaration.resource, 0)
            if count <= 0:
                continue
            if declaration.scale is None:
                raise CommandError(f"{declaration.resource} declares no scale generator")
            rng = random.Random(f"{options['seed']}:{declaration.resource}")  # noqa: S311 - seeded, not secret
            started = time.perf_counter()
            done = 0
            for cases in declaration.scale(count, rng=rng, world=world):
                done += len(cases)
                elapsed = time.perf_counter() - started
                self.log(f"  {declaration.resource}: {done:>10,} / {count:,}  ({done / elapsed:,.0f}/s)")
            timings[declaration.resource] = round(time.perf_counter() - started, 1)
        if counts:
            raise CommandError(f"no mechanism has the resource {', '.join(sorted(counts))}")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        timings["analyze"] = round(time.perf_counter() - started, 1)
        self.stdout.write(self.style.SUCCESS(f"generated: {json.dumps(timings)} (seconds)"))

    def counts(self, options) -> dict[str, int]:
        counts = {
            declaration.resource: options[scale_flag(declaration).replace("-", "_")]
            for declaration in mechanisms.registered()
            if declaration.scale is not None and options[scale_flag(declaration).replace("-", "_")]
        }
        for item in options["cases"]:
            resource, _sep, number = item.partition("=")
            try:
                counts[resource.strip()] = int(number)
            except ValueError:
                raise CommandError(f"--cases takes RESOURCE=N, not {item!r}") from None
        return counts

    def log(self, message):
        if self.verbosity:
            self.stdout.write(message)
            self.stdout.flush()

    # --- organisations and people ---------------------------------------------------------------

    def prepare(self, *, start, end, batch) -> World:
        from coordination.demo import seed_organisations, seed_users

        with transaction.atomic():
            seed_users(seed_organisations())
            User = get_user_model()
            for org in Organisation.objects.filter(kind__in=[K.HOSPITAL, K.INSURANCE_CENTRE]).order_by("code"):
                role = R.HOSPITAL_FILER if org.kind == K.HOSPITAL else R.INSURANCE_REVIEWER
                if not Membership.objects.filter(organisation=org, role=role).exists():
                    user, _ = User.objects.get_or_create(
                        username=f"scale-{org.code}", defaults={"first_name": org.name_zh}
                    )
                    Membership.objects.get_or_create(user=user, defaults={"organisation": org, "role": role})
        organisations = list(Organisation.objects.select_related("region").order_by("code"))
        users = {}
        # The organisation's first member acts for it; its membership comes along (the engine reads it).
        people = get_user_model().objects.filter(is_active=True, membership__isnull=False)
        for user in people.select_related("membership__organisation__region").order_by("membership__id"):
            users.setdefault(user.membership.organisation_id, user)
        cities: dict[str, list[str]] = {}
        for city in Region.objects.cities().select_related("parent").order_by("code"):
            province = city.code if city.level == Region.Level.MUNICIPALITY else city.parent_id
            cities.setdefault(province, []).append(city.code)
        missing = [
            org.code
            for org in organisations
            if org.kind in (K.HOSPITAL, K.INSURANCE_CENTRE, K.LIAISON_OFFICE) and org.pk not in users
        ]
        if missing:
            raise CommandError(f"the demo organisations are incomplete (no user for {missing})")
        return World(start=start, end=end, batch=batch, organisations=organisations, users=users, cities=cities)

"""`manage.py generate_scale_data`: a large, realistic, seeded data set for benchmarks.

    python manage.py generate_scale_data --filings 1000000 --notices 10000 --sheets 100000 [--seed 2020]

On top of the demo organisations and users (seed_demo's, created here if missing, plus one filer
per hospital and one reviewer per insurance centre that has none), it appends:

- INS insurance filings from the four regions' hospitals to the other regions' insurance centres,
  spread over the year before `--end` (today by default), in every state (submitted, returned,
  approved, rejected, withdrawn; open ones are mostly recent), with valid ID numbers;
- M3/M7/F4/F5 measure notices from the liaison offices to the other regions' offices, with
  receipts (received, read, acknowledged), issued, closed, withdrawn or superseded;
- M3 assignment sheets between liaison offices, in every request–reply state.

Each case gets its participants, guardian's direct-table rows (what `participant_add` grants)
and an audit trail whose per-case hash chain is valid (`manage.py verify_audit`), hashed in
Python with `AuditEntry.computed_hash`. ID and phone numbers are encrypted per row through
`coordination.pii.crypto` (AES-GCM, random nonces: the plaintexts are reproducible, the
ciphertexts are not), with their keyed search hashes and masks.

Rows are written with PostgreSQL COPY in batches (guardian rows by INSERT … SELECT from the
participants), with foreign-key triggers skipped when the role may (superuser). The same
`--seed` and `--end` on the same starting database give the same data. PostgreSQL only.
"""

# ruff: noqa: S311, S608 - seeded (not secret) randomness; SQL built from model table names only

import hashlib
import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from coordination.pii import crypto, idcard
from coordination.calendar.working_days import same_working_day_deadline
from coordination.models import (
    AssignmentSheet,
    AuditEntry,
    InsuranceFiling,
    MeasureNotice,
    Membership,
    Organisation,
    Region,
)
from coordination.models.audit import GENESIS, canonical_json, sha256
from coordination.mechanisms.measure_notices.models import CATEGORIES_BY_MECHANISM
from coordination.workflow.access import ROLE_PERMISSIONS, codename
from coordination.workflow.engine import escalation_grace

K = Organisation.Kind
R = Membership.Role

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕文波斌宇浩凯鹏飞俊辉"
ICD_WEIGHTS = {
    "U07.1": 14,
    "U07.2": 6,
    "J12.8": 5,
    "J18.9": 10,
    "J44.1": 5,
    "J96.0": 2,
    "I21.9": 6,
    "I63.9": 8,
    "I10": 8,
    "E11.9": 7,
    "N18.5": 5,
    "C34.9": 6,
    "C16.9": 3,
    "C50.9": 4,
    "K35.8": 3,
    "S72.0": 3,
    "O80.9": 4,
    "A15.0": 1,
}
FILING_TYPES = {"emergency": 30, "referral": 35, "long_term_residence": 20, "temporary_work": 15}
FILING_TYPE_TITLES = {
    "emergency": "急诊抢救",
    "referral": "转诊转院",
    "long_term_residence": "异地长期居住",
    "temporary_work": "异地工作",
}
REJECTION_CODES = ["not_insured", "insurance_suspended", "already_filed", "not_eligible", "documents_invalid"]
CORRECTABLE = ["phone", "id_number", "diagnosis", "admission_date", "attachments"]
MOBILE_PREFIXES = ["138", "139", "137", "136", "135", "150", "151", "158", "159", "186", "187", "188", "189", "133"]


def weighted(rng: random.Random, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


def aware(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


class Chain:
    """The audit rows of one case, hashed as engine.audit_append would."""

    def __init__(self, ct_id: int, object_id: int):
        self.ct_id, self.object_id, self.rows, self.prev = ct_id, object_id, [], GENESIS

    def add(self, at, actor, organisation, transition, from_state, to_state, payload=None, comment=""):
        payload = payload or {}
        entry = AuditEntry(
            content_type_id=self.ct_id,
            object_id=self.object_id,
            seq=len(self.rows) + 1,
            at=at,
            actor_id=actor,
            organisation_id=organisation,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            payload_hash=sha256(canonical_json(payload)),
            prev_hash=self.prev,
        )
        entry.hash = self.prev = entry.computed_hash()
        self.rows.append(
            (
                self.object_id,
                entry.seq,
                at,
                transition,
                from_state,
                to_state,
                comment,
                canonical_json(payload),
                entry.payload_hash,
                entry.prev_hash,
                entry.hash,
                actor,
                self.ct_id,
                organisation,
            )
        )


AUDIT_COLUMNS = (
    "object_id, seq, at, transition, from_state, to_state, comment, payload, payload_hash, prev_hash, hash,"
    " actor_id, content_type_id, organisation_id"
)
PARTICIPANT_COLUMNS = (
    "object_id, role, joined_at, receipt_state, read_at, acknowledged_at, objection, content_type_id, organisation_id"
)

FILING_COLUMNS = (
    "id, reference, title, created_at, updated_at, time_limit, due_at, escalate_at, reminded_at, escalated_at,"
    " version, return_reason, closed_at, state, decided_at, fields_to_correct, resubmissions,"
    " hospital_reference, patient_name, id_number, id_number_hash, id_number_masked, sex, birth_date,"
    " insurance_type, filing_type, admission_date, phone, phone_hash, phone_masked, effective_from, valid_until,"
    " reject_reason_code, receipt_digest, receipt_pdf, receipt_sha256, created_by_id, diagnosis_id,"
    " insuring_centre_id, insuring_city_id, insuring_region_id, mechanism_id, originator_id, treating_city_id,"
    " treating_region_id"
)
NOTICE_COLUMNS = (
    "id, reference, title, created_at, updated_at, time_limit, due_at, escalate_at, reminded_at, escalated_at,"
    " version, state, edition, closed_at, category, summary, body, effective_from, effective_until,"
    " contact_officer, created_by_id, mechanism_id, originator_id, supersedes_id"
)
SHEET_COLUMNS = (
    "id, reference, title, created_at, updated_at, time_limit, due_at, escalate_at, reminded_at, escalated_at,"
    " version, state, result, replied_at, return_reason, closed_at, matter, reply_due, created_by_id,"
    " mechanism_id, originator_id"
)


class Command(BaseCommand):
    help = "Append a large seeded data set (filings, measure notices, assignment sheets) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--filings", type=int, default=0)
        parser.add_argument("--notices", type=int, default=0)
        parser.add_argument("--sheets", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day of the data (today)")
        parser.add_argument("--days", type=int, default=365, help="days the data spans")
        parser.add_argument("--batch", type=int, default=50_000)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data writes with COPY: PostgreSQL only.")
        self.batch = options["batch"]
        self.verbosity = options["verbosity"]
        end = options["end"] or timezone.localdate()
        # The span ends at the last full minute before now when `end` is today (open cases are recent).
        self.end = min(aware(end + timedelta(days=1)), timezone.now().replace(second=0, microsecond=0))
        self.start = self.end - timedelta(days=options["days"])
        self.prepare()
        self.timings = {}
        for kind, count, method in (
            ("filings", options["filings"], self.filings),
            ("notices", options["notices"], self.notices),
            ("sheets", options["sheets"], self.sheets),
        ):
            if count > 0:
                started = time.perf_counter()
                method(count, random.Random(f"{options['seed']}:{kind}"))
                self.timings[kind] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.timings["analyze"] = round(time.perf_counter() - started, 1)
        self.stdout.write(self.style.SUCCESS(f"generated: {json.dumps(self.timings)} (seconds)"))

    def log(self, message):
        if self.verbosity:
            self.stdout.write(message)
            self.stdout.flush()

    # --- organisations, people, lookups ---------------------------------------------------------

    def prepare(self):
        from coordination.demo import seed_organisations, seed_users

        with transaction.atomic():
            orgs = seed_organisations()
            seed_users(orgs)
            User = get_user_model()
            for org in Organisation.objects.filter(kind__in=[K.HOSPITAL, K.INSURANCE_CENTRE]).order_by("code"):
                role = R.HOSPITAL_FILER if org.kind == K.HOSPITAL else R.INSURANCE_REVIEWER
                if not Membership.objects.filter(organisation=org, role=role).exists():
                    user, _ = User.objects.get_or_create(
                        username=f"scale-{org.code}", defaults={"first_name": org.name_zh}
                    )
                    Membership.objects.get_or_create(user=user, defaults={"organisation": org, "role": role})
        self.orgs = {o.code: o for o in Organisation.objects.select_related("region")}
        self.user_of = {}
        for m in Membership.objects.order_by("id"):
            self.user_of.setdefault(m.organisation_id, m.user_id)
        self.abbr = {r.code: r.abbr for r in Region.objects.provincial()}
        self.cities = {}
        for city in Region.objects.cities().select_related("parent").order_by("code"):
            province = city.code if city.level == Region.Level.MUNICIPALITY else city.parent_id
            self.cities.setdefault(province, []).append(city.code)
        self.hospitals = [o for o in self.orgs.values() if o.kind == K.HOSPITAL]
        self.hospitals.sort(key=lambda o: o.code)
        self.centres = {o.region_id: o for o in self.orgs.values() if o.kind == K.INSURANCE_CENTRE}
        self.liaison = sorted((o for o in self.orgs.values() if o.kind == K.LIAISON_OFFICE), key=lambda o: o.code)
        self.groups = {o.pk: o.group_id for o in self.orgs.values()}
        missing = [o.code for o in [*self.hospitals, *self.liaison, *self.centres.values()] if o.pk not in self.user_of]
        if missing or len(self.centres) != 4 or len(self.liaison) != 4:
            raise CommandError(f"the demo organisations are incomplete (no user for {missing})")

    # --- writing ---------------------------------------------------------------------------------

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
            return cursor.fetchone()[0] + 1

    def reference_start(self, code: str) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT region_abbr, year, last FROM coordination_referencesequence WHERE code = %s", [code])
            return {(abbr, year): last for abbr, year, last in cursor.fetchall()}

    def reference(self, counters: dict, abbr: str, code: str, created_at: datetime) -> str:
        year = timezone.localtime(created_at).year
        counters[(abbr, year)] = n = counters.get((abbr, year), 0) + 1
        return f"{abbr}-{code}-{year}-{n:06d}"

    def save_references(self, code: str, counters: dict):
        with connection.cursor() as cursor:
            for (abbr, year), last in counters.items():
                cursor.execute(
                    "INSERT INTO coordination_referencesequence (region_abbr, code, year, last) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (region_abbr, code, year) DO UPDATE SET last = greatest("
                    "coordination_referencesequence.last, EXCLUDED.last)",
                    [abbr, code, year, last],
                )

    def copy(self, table: str, columns: str, rows):
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, model, columns, cases, participants, audit):
        """One batch, in one transaction: cases, participants, guardian rows, audit entries."""
        ct = ContentType.objects.get_for_model(model)
        perm_ids = dict(Permission.objects.filter(content_type=ct).values_list("codename", "id"))
        guardian_table = f"{model._meta.db_table}groupobjectpermission"
        grants = [
            (role, perm_ids[codename(model, action)])
            for role, actions in ROLE_PERMISSIONS.items()
            for action in actions
        ]
        low, high = cases[0][0], cases[-1][0]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")  # consistent by construction
            cursor.execute("SET LOCAL synchronous_commit = off")
            self.copy(model._meta.db_table, columns, cases)
            self.copy("coordination_participant", PARTICIPANT_COLUMNS, participants)
            values = ", ".join(cursor.mogrify("(%s, %s)", grant) for grant in grants)
            # What sync_group_permissions grants: each role's permissions to the organisation's group.
            cursor.execute(
                f"INSERT INTO {guardian_table} (content_object_id, group_id, permission_id)"
                f" SELECT DISTINCT p.object_id, o.group_id, g.perm FROM coordination_participant p"
                f" JOIN coordination_organisation o ON o.id = p.organisation_id"
                f" JOIN (VALUES {values}) AS g(role, perm) ON g.role = p.role"
                f" WHERE p.content_type_id = %s AND p.object_id BETWEEN %s AND %s ORDER BY 1, 2, 3",
                [ct.pk, low, high],
            )
            self.copy("coordination_auditentry", AUDIT_COLUMNS, audit)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                f"(SELECT max(id) FROM {model._meta.db_table}))"
            )

    def run(self, label, model, columns, count, make):
        """Generate `count` cases of `model` in batches; `make(i, case_id, created_at)` returns
        (case row, participant rows, Chain)."""
        first = self.next_id(model)
        span = (self.end - self.start).total_seconds()
        started = time.perf_counter()
        done = 0
        while done < count:
            size = min(self.batch, count - done)
            cases, participants, audit = [], [], []
            for i in range(done, done + size):
                created_at = self.start + timedelta(seconds=int(span * (i + 0.5) / count))
                case, parts, chain = make(i, first + i, created_at)
                cases.append(case)
                participants.extend(parts)
                audit.extend(chain.rows)
            self.write(model, columns, cases, participants, audit)
            done += size
            elapsed = time.perf_counter() - started
            self.log(f"  {label}: {done:>10,} / {count:,}  ({done / elapsed:,.0f}/s)")

    # --- insurance filings ---------------------------------------------------------------------

    def filings(self, count, rng):
        ct = ContentType.objects.get_for_model(InsuranceFiling).pk
        counters = self.reference_start("INS")
        open_keys = set()
        emergency_limit = settings.INSURANCE_EMERGENCY_TIME_LIMIT
        cutoff = timezone.localtime(self.end)

        cut = settings.INSURANCE_SAME_DAY_CUTOFF
        cut = cut if isinstance(cut, dt_time) else dt_time.fromisoformat(str(cut))

        @cache
        def working_day_due(local_day: date, before_cutoff: bool):
            hour = 9 if before_cutoff else 23
            return same_working_day_deadline(
                timezone.make_aware(datetime.combine(local_day, datetime.min.time()).replace(hour=hour))
            )

        def due_for(filing_type, entered):
            if filing_type == "emergency":
                return entered + emergency_limit
            local = timezone.localtime(entered)
            return working_day_due(local.date(), local.time() < cut)

        def make(i, pk, created_at):
            hospital = self.hospitals[rng.randrange(len(self.hospitals))]
            insuring_region = rng.choice([code for code in self.abbr if code != hospital.region_id])
            centre = self.centres[insuring_region]
            city = rng.choice(self.cities[insuring_region])
            filing_type = weighted(rng, FILING_TYPES)
            diagnosis = weighted(rng, ICD_WEIGHTS)
            if filing_type == "emergency" and rng.random() < 0.5:
                diagnosis = rng.choice(["U07.1", "U07.2"])
            age_days = (cutoff - created_at).total_seconds() / 86400
            roll = rng.random()
            if age_days < 2:
                state = "submitted" if roll < 0.45 else "returned" if roll < 0.55 else "approved" if roll < 0.9 else ""
            else:
                state = "submitted" if roll < 0.004 else "returned" if roll < 0.01 else ""
            if not state:
                roll = rng.random()
                state = "approved" if roll < 0.88 else "rejected" if roll < 0.95 else "withdrawn"
            cycled = state == "submitted" and rng.random() < 0.1  # returned once, corrected, resubmitted
            born = date(1935, 1, 1) + timedelta(days=rng.randrange(80 * 365))
            while True:
                seq = rng.randrange(1000)
                first17 = f"{city[:4]}{rng.choice(['02', '04', '05', '06', '11'])}{born:%Y%m%d}{seq:03d}"
                key = (first17, insuring_region, hospital.pk)
                if state not in ("submitted", "returned") or key not in open_keys:
                    break
            if state in ("submitted", "returned"):
                open_keys.add(key)
            number = idcard.with_check_character(first17)
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            admitted = timezone.localtime(created_at).date() - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3)))
            hospital_user, centre_user = self.user_of[hospital.pk], self.user_of[centre.pk]
            chain = Chain(ct, pk)
            chain.add(created_at, hospital_user, hospital.pk, "create", "", "submitted")
            t = created_at
            due = escalate = decided = closed = effective_from = valid_until = None
            return_reason, reject_code, receipt_digest, to_correct = "", "", "", []
            resubmissions, version = 0, 1
            entered = created_at
            if state == "returned" or cycled:
                t += timedelta(minutes=rng.randrange(20, 240))
                to_correct = sorted(rng.sample(CORRECTABLE, rng.choice((1, 1, 2))))
                return_reason = "请核实并补充：" + "、".join(to_correct)
                payload = {"return_reason": return_reason, "fields_to_correct": to_correct}
                chain.add(t, centre_user, centre.pk, "return_for_correction", "submitted", "returned", payload)
                version += 1
                entered = t
            if cycled:
                t += timedelta(minutes=rng.randrange(10, 120))
                payload = {"corrected": to_correct, "resubmission": 1}
                chain.add(t, hospital_user, hospital.pk, "resubmit", "returned", "submitted", payload)
                version, resubmissions, to_correct, entered = version + 1, 1, [], t
            if state == "submitted":
                due = due_for(filing_type, entered)
                escalate = due + escalation_grace(due, entered)
            elif state in ("approved", "rejected"):
                hours = rng.expovariate(1 / (1.5 if filing_type == "emergency" else 5))
                t = decided = created_at + timedelta(seconds=int(min(hours, 72) * 3600) + 60)
                version += 1
                if state == "approved":
                    effective_from = admitted
                    valid_until = admitted + timedelta(days=rng.choice((30, 90, 180, 365)))
                    payload = {"effective_from": effective_from.isoformat(), "valid_until": valid_until.isoformat()}
                    content = {
                        "reference": None,  # filled below
                        "patient_name": name,
                        "id_number": idcard.mask(number),
                        "insurance_type": None,
                        "filing_type": filing_type,
                        "diagnosis": diagnosis,
                        "hospital": hospital.name_zh,
                        "centre": centre.name_zh,
                        "effective_from": str(effective_from),
                        "valid_until": str(valid_until),
                        "decided_on": str(timezone.localdate(decided)),
                    }
                    chain.add(t, centre_user, centre.pk, "approve", "submitted", "approved", payload)
                else:
                    reject_code = rng.choice(REJECTION_CODES)
                    return_reason = "经核查，不符合异地就医备案条件。"
                    closed = decided
                    payload = {"reject_reason_code": reject_code, "return_reason": return_reason}
                    chain.add(t, centre_user, centre.pk, "reject", "submitted", "rejected", payload)
            elif state == "withdrawn":
                t = closed = created_at + timedelta(minutes=rng.randrange(5, 600))
                version += 1
                payload = {"reason": "患者已转回参保地治疗。"}
                chain.add(t, hospital_user, hospital.pk, "withdraw", "submitted", "withdrawn", payload)
            insurance_type = "employee" if rng.random() < 0.7 else "resident"
            reference = self.reference(counters, self.abbr[hospital.region_id], "INS", created_at)
            if state == "approved":
                content["reference"], content["insurance_type"] = reference, insurance_type
                canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                receipt_digest = hashlib.sha256(canonical.encode()).hexdigest()
            row = (
                pk,
                reference,
                f"医保异地备案（{FILING_TYPE_TITLES[filing_type]}）{diagnosis}",
                created_at,
                t,
                None,
                due,
                escalate,
                None,
                None,
                version,
                return_reason,
                closed,
                state,
                decided,
                json.dumps(to_correct),
                resubmissions,
                f"HIS-{hospital.pk:03d}-{pk:08d}",
                name,
                crypto.encrypt(number, purpose="insurance.id_number"),
                crypto.search_hash(number, purpose="insurance.id_number"),
                idcard.mask(number),
                idcard.sex_of(number),
                born,
                insurance_type,
                filing_type,
                admitted,
                crypto.encrypt(phone, purpose="insurance.phone"),
                crypto.search_hash(phone, purpose="insurance.phone"),
                idcard.mask_phone(phone),
                effective_from,
                valid_until,
                reject_code,
                receipt_digest,
                "",
                "",
                hospital_user,
                diagnosis,
                centre.pk,
                city,
                insuring_region,
                "INS",
                hospital.pk,
                hospital.city_id or hospital.region_id,
                hospital.region_id,
            )
            parts = [
                (pk, "originator", created_at, "", None, None, "", ct, hospital.pk),
                (pk, "responder", created_at, "", None, None, "", ct, centre.pk),
            ]
            return row, parts, chain

        self.run("filings", InsuranceFiling, FILING_COLUMNS, count, make)
        self.save_references("INS", counters)

    # --- measure notices ---------------------------------------------------------------------------

    def notices(self, count, rng):
        ct = ContentType.objects.get_for_model(MeasureNotice).pk
        counters = {code: self.reference_start(code) for code in MeasureNotice.reference_codes.values()}
        categories = dict(MeasureNotice.Category.choices)
        mechanisms = {"M3": 70, "M7": 15, "F4": 7, "F5": 8}
        cutoff = self.end
        previous_by_issuer: dict = {}

        def make(i, pk, created_at):
            issuer = self.liaison[rng.randrange(4)]
            mechanism = weighted(rng, mechanisms)
            category = rng.choice(CATEGORIES_BY_MECHANISM[mechanism])
            addressees = [o for o in self.liaison if o.pk != issuer.pk]
            issuer_user = self.user_of[issuer.pk]
            age_days = (cutoff - created_at).total_seconds() / 86400
            roll = rng.random()
            state = (
                "withdrawn"
                if roll < 0.03
                else "superseded"
                if roll < 0.08 and previous_by_issuer.get(issuer.pk)
                else "closed"
                if age_days > 3 or roll > 0.6
                else "issued"
            )
            supersedes = previous_by_issuer.get(issuer.pk) if rng.random() < 0.05 else None
            previous_by_issuer[issuer.pk] = pk
            chain = Chain(ct, pk)
            chain.add(created_at, issuer_user, issuer.pk, "create", "", "issued")
            due = created_at + timedelta(hours=24)
            parts = [(pk, "originator", created_at, "", None, None, "", ct, issuer.pk)]
            acks = []
            for org in addressees:
                if state == "closed" or (state in ("issued", "superseded") and rng.random() < 0.6):
                    read = created_at + timedelta(minutes=rng.randrange(2, 600))
                    acked = read + timedelta(minutes=rng.randrange(1, 240))
                    acks.append((acked, org))
                    parts.append((pk, "addressee", created_at, "acknowledged", read, acked, "", ct, org.pk))
                elif rng.random() < 0.5:
                    read = created_at + timedelta(minutes=rng.randrange(2, 600))
                    parts.append((pk, "addressee", created_at, "read", read, None, "", ct, org.pk))
                else:
                    parts.append((pk, "addressee", created_at, "received", None, None, "", ct, org.pk))
            acks.sort(key=lambda pair: pair[0])
            t = created_at
            for n, (acked, org) in enumerate(acks, 1):
                to_state = "closed" if state == "closed" and n == len(acks) else "issued"
                chain.add(acked, self.user_of[org.pk], org.pk, "acknowledge", "issued", to_state)
                t = acked
            closed = t if state == "closed" else None
            if state in ("withdrawn", "superseded"):
                t = closed = t + timedelta(hours=rng.randrange(1, 72))
                payload = {"reason": "措施已调整。"} if state == "withdrawn" else {}
                chain.add(
                    t,
                    issuer_user,
                    issuer.pk,
                    "withdraw" if state == "withdrawn" else "supersede",
                    "issued",
                    state,
                    payload,
                )
            effective_from = timezone.localtime(created_at).date()
            effective_until = (
                effective_from + timedelta(days=rng.choice((7, 14, 30, 60))) if rng.random() < 0.8 else None
            )
            label = categories[category]
            abbr = self.abbr[issuer.region_id]
            row = (
                pk,
                self.reference(
                    counters[MeasureNotice.reference_codes[mechanism]],
                    abbr,
                    MeasureNotice.reference_codes[mechanism],
                    created_at,
                ),
                f"{issuer.region.name}关于{label}的通报（第{pk}号）",
                created_at,
                t,
                None,
                due if state == "issued" else None,
                due + escalation_grace(due, created_at) if state == "issued" else None,
                None,
                None,
                len(chain.rows),
                state,
                1,
                closed,
                category,
                f"{label}：自{effective_from:%-m月%-d日}起执行，请相关地区做好衔接。",
                f"各有关地区：\n根据当前疫情防控形势，{issuer.name_zh}决定自{effective_from:%Y年%-m月%-d日}起实施{label}"
                "相关措施。请接报后及时签收，并将落实情况反馈。",
                effective_from,
                effective_until,
                "值班室 021-12345678",
                issuer_user,
                mechanism,
                issuer.pk,
                supersedes,
            )
            return row, parts, chain

        self.run("notices", MeasureNotice, NOTICE_COLUMNS, count, make)
        for code, counter in counters.items():
            self.save_references(code, counter)

    # --- assignment sheets ---------------------------------------------------------------------------

    def sheets(self, count, rng):
        ct = ContentType.objects.get_for_model(AssignmentSheet).pk
        counters = self.reference_start("ASG")
        cutoff = self.end
        # state: transitions from "submitted", each (name, who: o/r, to)
        paths = {
            "submitted": [],
            "accepted": [("accept", "r", "accepted")],
            "returned": [("return_for_correction", "r", "returned")],
            "replied": [("accept", "r", "accepted"), ("reply", "r", "replied")],
            "closed": [("accept", "r", "accepted"), ("reply", "r", "replied"), ("close", "o", "closed")],
            "refused": [("refuse", "r", "refused")],
            "withdrawn": [("withdraw", "o", "withdrawn")],
        }
        recent = {
            "submitted": 30,
            "accepted": 25,
            "returned": 8,
            "replied": 20,
            "closed": 10,
            "refused": 3,
            "withdrawn": 4,
        }
        old = {"submitted": 1, "accepted": 1, "returned": 1, "replied": 3, "closed": 86, "refused": 4, "withdrawn": 4}

        def make(i, pk, created_at):
            o = self.liaison[rng.randrange(4)]
            r = rng.choice([x for x in self.liaison if x.pk != o.pk])
            age_days = (cutoff - created_at).total_seconds() / 86400
            state = weighted(rng, recent if age_days < 3 else old)
            chain = Chain(ct, pk)
            users = {"o": (self.user_of[o.pk], o.pk), "r": (self.user_of[r.pk], r.pk)}
            chain.add(created_at, *users["o"], "create", "", "submitted")
            t, previous, result, replied, reason, closed = created_at, "submitted", "", None, "", None
            entered = created_at
            for name, who, to in paths[state]:
                t += timedelta(minutes=rng.randrange(10, 600))
                payload = {}
                if name == "reply":
                    result = payload["result"] = "已协调办结，相关人员与车辆已按约定放行。"
                    replied = t
                elif name in ("return_for_correction", "refuse", "withdraw"):
                    reason = payload["reason"] = "请补充车辆号牌、驾驶员信息及运输时段。"
                chain.add(t, *users[who], name, previous, to, payload)
                previous, entered = to, t
            if state in ("closed", "refused", "withdrawn"):
                closed = t
            due = entered + timedelta(hours=2) if state in ("submitted", "accepted") else None
            abbr = self.abbr[o.region_id]
            row = (
                pk,
                self.reference(counters, abbr, "ASG", created_at),
                f"省际协调事项 {abbr}→{self.abbr[r.region_id]} #{pk}",
                created_at,
                t,
                None,
                due,
                due + escalation_grace(due, entered) if due else None,
                None,
                None,
                len(chain.rows),
                state,
                result,
                replied,
                reason,
                closed,
                f"请{r.region.name}方面协助核查第 {pk} 号事项所涉跨省通勤人员的健康码状态及14天行程，"
                f"并对持{o.region.name}通行证的运输车辆予以放行，以便两地互认。",
                None,
                self.user_of[o.pk],
                "M3",
                o.pk,
            )
            parts = [
                (pk, "originator", created_at, "", None, None, "", ct, o.pk),
                (pk, "responder", created_at, "", None, None, "", ct, r.pk),
            ]
            return row, parts, chain

        self.run("sheets", AssignmentSheet, SHEET_COLUMNS, count, make)
        self.save_references("ASG", counters)

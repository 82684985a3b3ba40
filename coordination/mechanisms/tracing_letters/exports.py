"""A letter's persons as CSV: masked numbers, and every cell escaped so that no spreadsheet runs
it as a formula (a name typed as "=cmd|…" is exported as text)."""

import csv
import io

from django.utils.translation import gettext as _

from coordination.mechanisms.tracing_letters.importing import escape_cell


def persons_csv(letter) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("No."), _("Full name"), _("Identity document"), _("ID number"), _("Phone"), _("City"), _("Relation"),
         _("Exposure date"), _("Exposure place"), _("Follow-up"), _("Test result"), _("Note")]
    )  # fmt: skip
    for p in letter.persons.select_related("city").order_by("number"):
        writer.writerow(
            [
                escape_cell(value)
                for value in (
                    p.number, p.name, p.get_id_kind_display(), p.id_number_masked, p.phone_masked, p.city.name,
                    p.get_relation_display(), p.exposure_date.isoformat(), p.exposure_place, p.get_state_display(),
                    p.get_test_result_display(), p.note,
                )
            ]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")

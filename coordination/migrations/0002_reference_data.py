"""The GB/T 2260 regions of the Delta and the mechanism catalogue (shared/DESIGN.md §2–3)."""

from django.db import migrations

from coordination.reference_data import load_mechanisms, load_regions


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        migrations.RunPython(load_mechanisms, migrations.RunPython.noop),
    ]

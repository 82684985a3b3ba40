"""The ICD-10 codes hospitals file most (an administrator adds the rest)."""

from django.db import migrations

from coordination.mechanisms.insurance.icd10 import load_seed


class Migration(migrations.Migration):
    dependencies = [("insurance", "0001_initial")]

    operations = [migrations.RunPython(load_seed, migrations.RunPython.noop)]

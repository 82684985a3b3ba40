"""Model fields of the coordination app: personal numbers encrypted at rest."""

from django.db import models

from coordination.pii import crypto


class EncryptedCharField(models.TextField):
    """A string stored as AES-GCM ciphertext, bound to `purpose` (e.g. "insurance.id_number").

    In Python it is the plain string; the database holds only ciphertext, which is never
    equal for equal values, so the column cannot be searched or ordered: pair it with a
    keyed search hash (crypto.search_hash) kept in its own indexed column.
    """

    def __init__(self, *args, purpose: str = "", **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value, purpose=self.purpose)

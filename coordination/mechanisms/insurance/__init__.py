"""Cross-region medical-insurance filing (INS): validation of what hospitals send (ID numbers,
ICD-10 codes, attachments), the working-day calendar, and the encryption of personal numbers.
The mechanism's model is coordination/models/insurance.py, its services
coordination/services/insurance.py."""

"""Working days (the Office's calendar of holidays and make-up days) for every mechanism whose
deadlines count working days, and the Office's page that edits the calendar."""

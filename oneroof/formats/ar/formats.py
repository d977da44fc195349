# Arabic formats with Western digits and a point as decimal separator, the same as on printed
# tickets and receipts (docs/adr/0004-digits-and-direction.md). Dates keep Arabic month names.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 0  # Sunday

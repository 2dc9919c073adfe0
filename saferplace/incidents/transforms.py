"""Dates and times taken apart in SQL the database runs natively. Django's own `__hour`,
`__iso_week_day` and `TruncMonth` call a Python function per row on SQLite, which is what made
a filter by hours of the day take seconds over a million records; these are plain SQL on both
databases. Registered as lookups (`occurred_time__hour_of`, `occurred_on__weekday_of`,
`occurred_on__month_of`, `occurred_on__week_of`) so that the filters, which are kept as data in the audit trail, can
name them."""

from django.db.models import DateField, IntegerField, TimeField, Transform


class MonthStart(Transform):
    """The first day of a date's month."""

    lookup_name = "month_of"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, 'start of month')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(date_trunc('month', %(expressions)s) AS date)", **extra)


class WeekStart(Transform):
    """The Monday of a date's ISO week."""

    lookup_name = "week_of"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra):
        # To the Sunday that ends the week (the day itself on a Sunday), then back to its Monday.
        return self.as_sql(compiler, connection, template="date(%(expressions)s, 'weekday 0', '-6 days')", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(date_trunc('week', %(expressions)s) AS date)", **extra)


class IsoWeekday(Transform):
    """ISO day of the week of a date: 1 Monday … 7 Sunday."""

    lookup_name = "weekday_of"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "((CAST(strftime('%%%%w', %(expressions)s) AS INTEGER) + 6) %%%% 7 + 1)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(ISODOW FROM %(expressions)s) AS integer)", **extra)


class HourOf(Transform):
    """The hour of a time of day."""

    lookup_name = "hour_of"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%H', %(expressions)s) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(HOUR FROM %(expressions)s) AS integer)", **extra)


# The templates double "%" twice: once for this formatting, once because the SQL is run with
# parameters (Django's convention; SQLite's backend turns "%%" back into "%").
DateField.register_lookup(MonthStart)
DateField.register_lookup(WeekStart)
DateField.register_lookup(IsoWeekday)
TimeField.register_lookup(HourOf)

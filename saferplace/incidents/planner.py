"""Statistics for the database's query planner.

PostgreSQL keeps them itself (autovacuum's ANALYZE; `postgres_copy.incidents_analyze` after a
bulk load). SQLite keeps none unless asked, and without them it guesses that every index is as
selective as any other: it then reads the incidents near a point through the owner's index (all
of them) rather than through the locations in the cells around the point (a few thousand).
`planner_statistics_refresh` runs ANALYZE after every import and every `migrate`, reading at most `ANALYSIS_LIMIT`
rows of each index, so it takes a few milliseconds whatever the size of the store."""

from django.db import DEFAULT_DB_ALIAS, connections

ANALYSIS_LIMIT = 1000


def planner_statistics_refresh(using: str | None = None) -> None:
    """SQLite: ANALYZE every table, approximately (`PRAGMA analysis_limit`). Nothing on PostgreSQL."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")

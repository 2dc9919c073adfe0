"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the audit table.

On PostgreSQL these stop the application (or anyone using its database role) from quietly
rewriting history; `docs/operations.md` also shows how to take the UPDATE/DELETE privileges away
from the application's role entirely. On SQLite they stop accidental changes; the file's owner
can of course still edit it, which `saferplace audit verify` then detects."""

from contextlib import contextmanager

TABLE = "audit_auditentry"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION saferplace_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on {TABLE} is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER audit_entry_refuse_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION saferplace_audit_refuse_change();
CREATE OR REPLACE TRIGGER audit_entry_refuse_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION saferplace_audit_refuse_change();
"""

POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS audit_entry_refuse_update_delete ON {TABLE};
DROP TRIGGER IF EXISTS audit_entry_refuse_truncate ON {TABLE};
DROP FUNCTION IF EXISTS saferplace_audit_refuse_change();
"""

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_entry_refuse_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE on {TABLE} is refused.'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_entry_refuse_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE on {TABLE} is refused.'); END;""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_refuse_update;",
    "DROP TRIGGER IF EXISTS audit_entry_refuse_delete;",
]


def create_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_CREATE)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_CREATE:
                cursor.execute(statement)


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_DROP:
                cursor.execute(statement)


@contextmanager
def triggers_lifted(connection):
    """Lift the triggers for a deliberate maintenance step run by the database owner (the test
    suite's clean-up between tests, a retention purge). Not reachable from the web."""
    drop_triggers(connection)
    try:
        yield
    finally:
        create_triggers(connection)

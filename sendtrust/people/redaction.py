"""The one narrow path by which audit entries change: removing a pupil's names from them.

The audit log is append-only (model guards, database triggers, and in production a database
role without UPDATE). Erasure after the retention period must still remove the child's names
from what the log says while keeping every entry (who, what, when stay true). This module does
only that, for one pupil code at a time, and nothing else may:

- PostgreSQL: `people_redact_audit(code, label, names)` (migration people 0002), a function run
  as the table's owner that lifts the table's triggers for one UPDATE in this transaction.
- SQLite: the table's triggers are dropped and re-created, from their own stored SQL, around
  the same UPDATE in one transaction (SQLite's DDL is transactional too).
"""

from __future__ import annotations

from django.db import connection, transaction

REDACTED = "[removed]"


def redact_pupil(pupil_code, label: str, names: list[str]) -> int:
    """Replace the description of every audit entry about pupil_code with label, and each of
    names inside its detail with "[removed]"; return how many entries were redacted."""
    names = [n for n in {n.strip() for n in names} if len(n) > 1]
    # Longest first, so that "Ada Ash" goes before "Ada".
    names.sort(key=len, reverse=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT people_redact_audit(%s, %s, %s)",
                            [pupil_code, label, names])
                return cur.fetchone()[0]
        return _redact_sqlite(str(pupil_code).replace("-", ""), label, names)


def _redact_sqlite(code: str, label: str, names: list[str]) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["access_auditentry"],
        )
        triggers = cur.fetchall()
        for name, _ in triggers:
            cur.execute(f'DROP TRIGGER "{name}"')
        cur.execute(
            "UPDATE access_auditentry SET object_repr = %s WHERE pupil_code = %s", [label, code]
        )
        count = cur.rowcount
        for name in names:
            cur.execute(
                "UPDATE access_auditentry SET detail = replace(detail, %s, %s) "
                "WHERE pupil_code = %s AND instr(detail, %s) > 0",
                [name, REDACTED, code, name],
            )
        for _, sql in triggers:
            cur.execute(sql)
    return count

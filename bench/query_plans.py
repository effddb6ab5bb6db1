"""The plan of every statement a block of work issues: which indexes it uses, which big table it scans.

``match_speed.py --explain`` wraps one more run of matching in :func:`recorded`: each distinct
statement is explained once, on its connection just before it first runs and with its own
parameters (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), then listed with its plan. A
big table read whole is marked (SQLite: a SCAN of it or of one of its indexes; PostgreSQL: a
sequential scan; a PostgreSQL index-only scan without a condition reads the index whole too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

from store.models import Candidate

BIG_TABLES = ("candidate", "cluster_member", "cluster", "reviewer_decision")
# Partial indexes hold a few rows of a big table (the candidates not clustered yet): reading one whole is no full scan.
PARTIAL_INDEXES = sorted(
    str(index.name) for table in Candidate.metadata.tables.values() for index in table.indexes if index.dialect_options["sqlite"].get("where") is not None
)
# A table (or one of its indexes but a partial one) read from end to end, under its name or an alias (candidate_1).
_FULL_SCAN = {
    "sqlite": re.compile(rf"^SCAN ({'|'.join(BIG_TABLES)})(?:_\d+)?\b(?!.*USING INDEX ({'|'.join(PARTIAL_INDEXES)})\b)"),
    "postgresql": re.compile(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b"),
}
_EXPLAIN = {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN "}
_EXPLAINED = re.compile(r"^\s*(SELECT|UPDATE|DELETE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    statement: str
    lines: list[str]
    full_scans: list[str]  # the big tables read whole


@contextmanager
def recorded(engine: Engine) -> Iterator[list[Plan]]:
    """The plans of the statements ``engine`` runs inside the block, first occurrence of each."""
    dialect = engine.dialect.name
    plans: dict[str, Plan] = {}

    def explain(
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if statement in plans or not _EXPLAINED.match(statement):
            return
        probe = conn.connection.cursor()
        probe.execute(
            _EXPLAIN[dialect] + statement, parameters[0] if executemany else parameters
        )
        lines = [str(row[-1]) for row in probe.fetchall()]
        probe.close()
        scans = sorted(
            {
                m.group(1)
                for line in lines
                if (m := _FULL_SCAN[dialect].search(line.strip()))
            }
        )
        plans[statement] = Plan(statement, lines, scans)

    event.listen(engine, "before_cursor_execute", explain)
    found: list[Plan] = []
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", explain)
        found.extend(plans.values())


def report(plans: list[Plan]) -> str:
    """Each statement (shortened) with its plan; the ones reading a big table whole marked."""
    out = []
    for plan in plans:
        mark = (
            f"FULL SCAN of {', '.join(plan.full_scans)}"
            if plan.full_scans
            else "indexed"
        )
        out.append(f"-- {mark}\n{_short(plan.statement)}")
        out += [f"    {line}" for line in plan.lines]
    scanning = sum(bool(p.full_scans) for p in plans)
    out.append(f"{len(plans)} statements explained, {scanning} read a big table whole")
    return "\n".join(out)


def _short(statement: str, width: int = 400) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."

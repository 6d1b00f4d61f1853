"""The ledger's append on SQLite, on the driver's connection instead of SQLAlchemy's.

The statements are :mod:`serving.court.ledger`'s own Core statements, compiled once for the
engine's dialect, and every value goes through the bind processor of its column's type (the
JSON columns through the engine's ``json_serializer``, the time through SQLite's ``DATETIME``
format), so the row is the one the Core path writes, byte for byte. What is left out is the
execution layer around each statement (execution contexts, events, result objects): on a single
answer's entry it took 0.9 ms against 0.5 ms here, most of the rest being the fsync'd commit.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

#: An append's Core statements: head ``SELECT``, entry ``INSERT``, head ``UPDATE``.
Statements = tuple[ClauseElement, ClauseElement, ClauseElement]
#: Raised by the driver for a refused or failed write (busy past the timeout, disk full …).
DriverError = sqlite3.Error


@dataclass(frozen=True)
class _Prepared:
    """A statement compiled for SQLite, with the bind processor of each positional parameter."""

    sql: str
    names: tuple[str, ...]
    constants: Mapping[str, Any]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional parameters for ``values`` (the statement's own constants filled in)."""
        out = []
        for name, process in zip(self.names, self.processors, strict=True):
            value = self.constants[name] if name in self.constants else values[name]
            out.append(process(value) if process is not None else value)
        return out


def _prepare(statement: ClauseElement, dialect: Dialect) -> _Prepared:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    names = tuple(compiled.positiontup)
    binds = {name: compiled.binds[name] for name in names}
    processors = tuple(b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds.values())
    constants = {name: bind.value for name, bind in binds.items() if not bind.required}
    return _Prepared(compiled.string, names, constants, processors)


@dataclass(frozen=True)
class AppendPlan:
    """The three statements of an append: read the head, insert the entry, move the head."""

    head: _Prepared
    insert: _Prepared
    move_head: _Prepared


@functools.lru_cache(maxsize=8)  # one per engine's dialect: a server has one, a test run many
def _plan(dialect: Dialect, statements: Statements) -> AppendPlan:
    head, insert, move = (_prepare(statement, dialect) for statement in statements)
    return AppendPlan(head, insert, move)


def append_row(
    engine: Engine,
    statements: Statements,
    chain: Callable[[int, str], tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> None:
    """Run one append in a ``BEGIN IMMEDIATE`` transaction on a pooled driver connection.

    Args:
        engine: A SQLite engine made by :func:`serving.court.db.make_engine`.
        statements: The Core statements: head ``SELECT``, entry ``INSERT``, head ``UPDATE``.
        chain: Given the head's last id and hash, the entry's row (its columns) and the head's
            new values (``new_id``, ``new_hash``).

    Raises:
        sqlite3.Error: the write failed; the transaction was rolled back.
    """
    plan = _plan(engine.dialect, statements)
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.execute("BEGIN IMMEDIATE")
        try:
            head = driver.execute(plan.head.sql, plan.head.parameters({})).fetchone()
            if head is None:
                raise sqlite3.IntegrityError("the ledger head row is missing")
            row, new_head = chain(head[0], head[1])
            driver.execute(plan.insert.sql, plan.insert.parameters(row))
            driver.execute(plan.move_head.sql, plan.move_head.parameters(new_head))
            driver.execute("COMMIT")
        except BaseException:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise
    finally:
        connection.close()

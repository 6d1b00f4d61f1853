"""`courtval keys …` and `courtval ledger …`: the court store's administration commands.

``courtval.cli`` registers these functions (with its domain-error handling). Each command
migrates the store to the current schema first (``serving.court.admin``). A key's
secret is printed once, at creation; it is stored only as a hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from models.errors import DataError, InvalidInputError
from models.settings import get_settings


def _url() -> str:
    settings = get_settings()
    if settings.database_url is None:  # the default SQLite file lives under home
        settings.home.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url


@contextmanager
def _store_errors() -> Iterator[None]:
    """A database failure as one clear line (the URL without its password), not a traceback."""
    try:
        yield
    except SQLAlchemyError as exc:
        url = make_url(_url()).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise DataError(f"court store {url}: {reason}") from exc


def _hour_window(hours: str | None) -> dict[str, str] | None:
    """``"8-18"`` as ``{"start": "8", "end": "18"}`` (validated by the quota schema)."""
    if hours is None:
        return None
    start, sep, end = hours.partition("-")
    if not sep:
        raise InvalidInputError("hours", f"{hours!r}: write START-END, e.g. 8-18")
    return {"start": start.strip(), "end": end.strip()}


def create_key(
    owner: Annotated[str, typer.Option(help="The person answerable for the key.")],
    role: Annotated[str, typer.Option(help="judge | triage | data_scientist | auditor")],
    label: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
    per_day: Annotated[int | None, typer.Option(help="Requests per day (default: role's).")] = None,
    per_minute: Annotated[
        int | None, typer.Option(help="Requests per minute (default: role's).")
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option(help="Allowed hours START-END in the court's time zone, e.g. 8-18."),
    ] = None,
) -> None:
    """Create a key and print its secret (shown this once)."""
    from serving.court.admin import format_created, keys_create
    from serving.court.schemas import ApiKeyCreate

    try:
        spec = ApiKeyCreate.model_validate(
            {
                "owner": owner,
                "role": role,
                "label": label,
                "quota": {
                    "requests_per_day": per_day,
                    "requests_per_minute": per_minute,
                    "allowed_hours": _hour_window(hours),
                },
            }
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(field, first["msg"]) from exc
    with _store_errors():
        created = keys_create(_url(), spec)
    typer.echo(format_created(created))


def list_keys(
    active: Annotated[bool, typer.Option("--active", help="Leave out revoked keys.")] = False,
) -> None:
    """List the keys (never their secrets)."""
    from serving.court.admin import format_keys, keys_list

    with _store_errors():
        listing = keys_list(_url(), include_revoked=not active)
    typer.echo(format_keys(listing))


def revoke_key(
    key_id: Annotated[int, typer.Argument(help="The key's id (from `keys list`).")],
) -> None:
    """Revoke a key: it stops working at once; its ledger entries stay."""
    from serving.court.admin import format_keys, keys_revoke

    with _store_errors():
        revoked = keys_revoke(_url(), key_id)
    typer.echo(format_keys([revoked]))


def verify_ledger(
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            help="A head published earlier, as ID:HASH (this command prints the current one); "
            "repeatable. An entry whose hash differs breaks the chain there."
        ),
    ] = None,
) -> None:
    """Walk the hash chain; exit 1 and name the first broken entry if it does not hold."""
    from serving.court.admin import format_verify, ledger_verify
    from serving.court.schemas import LedgerAnchor

    try:
        anchors = [LedgerAnchor.parse(text) for text in anchor or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchor") from exc
    with _store_errors():
        result = ledger_verify(_url(), anchors)
    typer.echo(format_verify(result))
    if not result.ok:
        raise typer.Exit(1)


def backup_ledger(
    destination: Annotated[
        Path, typer.Argument(help="The copy to write (a new file; never overwritten).")
    ],
) -> None:
    """Copy the court store (ledger, keys, appraisal tasks) while the server runs, then walk
    the copy's hash chain; exit 1 if it does not hold. SQLite only (PostgreSQL: pg_dump)."""
    from serving.court.backup import backup_store, format_backup

    with _store_errors():
        report = backup_store(_url(), destination)
    typer.echo(format_backup(report))
    if not report.ledger.ok:
        raise typer.Exit(1)


def write_sales(kind: str, out: Path) -> int:
    """Write the recorded sales of ``kind`` to ``out`` (by its suffix); how many."""
    from models.table_io import write_table
    from serving.court.admin import open_store
    from serving.court.sales import sales_table

    if kind not in ("property", "vehicle"):
        raise InvalidInputError("kind", f"{kind!r}: property or vehicle")
    with _store_errors(), open_store(_url()) as session:
        table = sales_table(session, kind)
    try:
        out.write_bytes(write_table(table, out.suffix.lower()))
    except OSError as exc:
        raise DataError(f"{out}: cannot write ({exc.strerror})") from exc
    return len(table)


def print_demo_keys(database_url: str) -> None:
    """Issue fresh demo keys (one per role) and print them for the person at the console."""
    from serving.court.admin import demo_keys

    with _store_errors():
        issued = demo_keys(database_url)
    typer.echo("demo API keys (sign in at the web page with one; new ones at every start):")
    for role, created in issued.items():
        typer.echo(f"  {role.value:<15} {created.key.owner:<8} {created.secret.get_secret_value()}")

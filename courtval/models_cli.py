"""`courtval models …`: models as signed single files, for court networks without the registry,
the registered versions (``versions``), and the champion moved by hand (``promote``: a
rollback, with its reason on record).

``courtval.cli`` registers these functions (with its domain-error handling). On the training
network ``export`` writes a registered version to a bundle file; on the court network
``import`` verifies it (signature, size, SHA-256, then a trial load) and places it where the
server looks: ``<bundle_dir>/<kind>.cvbundle``. Both need ``COURTVAL_BUNDLE_SIGNING_KEY``, the
same secret on both networks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from models.errors import InvalidInputError, ModelIntegrityError, ModelNotFoundError
from models.settings import MODEL_KINDS, Settings, get_settings

# MLflow, joblib and the bundle code load inside the commands: `courtval --help` stays quick.


def _echo(line: dict[str, Any]) -> None:
    typer.echo(json.dumps(line, ensure_ascii=False))


def _kind_of(settings: Settings, name: str) -> str:
    """The kind a NAME argument means: a kind itself or a kind's registered model name."""
    if name in MODEL_KINDS:
        return name
    for kind in MODEL_KINDS:
        if settings.model_name(kind) == name:
            return kind
    names = [settings.model_name(kind) for kind in MODEL_KINDS]
    raise InvalidInputError(
        "NAME", f"{name!r} is neither a model kind {list(MODEL_KINDS)} nor a model name {names}"
    )


def export_model(
    name: Annotated[
        str, typer.Argument(help="A kind (property) or its registered name (courtval-property).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write.")],
    alias: Annotated[
        str | None, typer.Option(help="The alias to export (default: COURTVAL_CHAMPION_ALIAS).")
    ] = None,
) -> None:
    """Write the version holding ALIAS to one signed bundle file; prints a JSON summary."""
    from models.bundle_file import signing_key, write_bundle_file
    from models.registry import load_registered, require_tracking_store

    settings = get_settings()
    key = signing_key(settings)
    kind = _kind_of(settings, name)
    uri = settings.resolved_tracking_uri
    require_tracking_store(uri)
    loaded = load_registered(
        uri,
        settings.model_name(kind),
        alias or settings.champion_alias,
        settings.resolved_model_cache_dir,
        kind,
    )
    header = write_bundle_file(loaded, output, key, kind=kind)
    _echo({**header.summary(), "file": str(output)})


def _held_version(path: Path) -> str | None:
    """The version of the bundle file a new import replaces, if a readable one is there."""
    from models.bundle_file import inspect_bundle_file

    if not path.is_file():
        return None
    try:
        return inspect_bundle_file(path).version
    except ModelIntegrityError:
        return None


def import_model(
    file: Annotated[Path, typer.Argument(help="A bundle file from `courtval models export`.")],
) -> None:
    """Verify a bundle file, load it once, and make it its kind's bundle for the server."""
    from models.bundle_file import bundle_file_of, signing_key, verify_bundle_file

    settings = get_settings()
    bundle = verify_bundle_file(file, signing_key(settings))
    kind = bundle.header.kind
    if kind not in MODEL_KINDS:
        raise ModelIntegrityError(
            f"bundle {file} holds a {kind!r} model; courtval serves {list(MODEL_KINDS)}"
        )
    bundle.load()  # a payload that does not unpickle here must not replace a working one
    target = bundle_file_of(settings, kind)
    previous = _held_version(target)
    bundle.write_to(target)
    _echo({**bundle.header.summary(), "file": str(target), "previous_version": previous})


def list_models(
    verify: Annotated[
        bool, typer.Option("--verify", help="Also check signature and checksum (needs the key).")
    ] = False,
) -> None:
    """One JSON line per bundle file in the bundle directory (headers only, nothing loaded)."""
    from models.bundle_file import SUFFIX, inspect_bundle_file, signing_key, verify_bundle_file

    settings = get_settings()
    directory = settings.resolved_bundle_dir
    paths = sorted(directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []
    if not paths:
        typer.echo(f"no bundle files in {directory}", err=True)
    key = signing_key(settings) if verify else None
    for path in paths:
        line: dict[str, Any] = {"file": path.name}
        try:
            if key is None:
                header = inspect_bundle_file(path)
            else:
                header = verify_bundle_file(path, key).header
            line.update(header.summary())
            if key is not None:
                line["verified"] = True
        except ModelIntegrityError as exc:
            line["error"] = str(exc)
        _echo(line)


def list_versions(
    name: Annotated[
        str | None,
        typer.Argument(help="A kind or its registered name (default: every kind's model)."),
    ] = None,
) -> None:
    """One JSON line per registered version, oldest first: its aliases, run, training time,
    how it was or was not promoted, and its run's metrics; the numbers ``promote`` takes."""
    from models.registry import (
        client_for,
        redacted,
        require_tracking_store,
        version_info,
        version_run,
    )

    settings = get_settings()
    kinds = [_kind_of(settings, name)] if name is not None else list(MODEL_KINDS)
    uri = settings.resolved_tracking_uri
    require_tracking_store(uri)
    client = client_for(uri)
    found = 0
    for kind in kinds:
        model_name = settings.model_name(kind)
        versions = client.search_model_versions(f"name = '{model_name}'")
        aliases: dict[str, list[str]] = {}
        if versions:  # a search leaves a version's aliases out: the model holds them
            held = client.get_registered_model(model_name).aliases or {}
            for alias, number in held.items():
                aliases.setdefault(str(number), []).append(alias)
        for version in sorted(versions, key=lambda v: int(v.version)):
            run = version_run(client, version)
            info = version_info(version, run, None)
            run_promotion = run.data.tags.get("promotion") if run else None
            _echo(
                {
                    "kind": kind,
                    "name": model_name,
                    "version": info.version,
                    "aliases": sorted(aliases.get(info.version, [])),
                    "run_id": info.run_id,
                    "trained_at": info.trained_at.isoformat() if info.trained_at else None,
                    "promotion": (version.tags or {}).get("promotion") or run_promotion,
                    "metrics": info.metrics,
                }
            )
            found += 1
    if not found:
        typer.echo(f"no registered versions of {kinds} in {redacted(uri)}", err=True)


def promote_model(
    name: Annotated[
        str, typer.Argument(help="A kind (property) or its registered name (courtval-property).")
    ],
    version: Annotated[int, typer.Argument(min=1, help="The registered version to serve.")],
    reason: Annotated[
        str, typer.Option(help="Why, for the record: e.g. a rollback and its cause.")
    ],
) -> None:
    """Give VERSION the champion alias by hand: a rollback, or a model the promotion rule held
    back. The reason is kept on the version (tag ``promotion``); a running server takes the
    new champion at ``POST /v1/admin/reload``. Prints a JSON summary."""
    from mlflow.exceptions import MlflowException

    from models.registry import (
        champion_version,
        client_for,
        redacted,
        require_tracking_store,
    )

    settings = get_settings()
    kind = _kind_of(settings, name)
    model_name, alias = settings.model_name(kind), settings.champion_alias
    why = reason.strip()
    if not why:
        raise InvalidInputError("--reason", "say why the champion changes by hand")
    uri = settings.resolved_tracking_uri
    require_tracking_store(uri)  # and never a new, empty store made by mistake
    client = client_for(uri)
    try:
        client.get_model_version(model_name, str(version))
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":  # the registry, not the version
            raise ModelNotFoundError(f"MLflow registry {redacted(uri)}: {exc.message}") from exc
        raise ModelNotFoundError(f"{model_name} has no version {version}") from exc
    held = champion_version(client, model_name, alias)
    previous = str(held.version) if held is not None else None
    client.set_registered_model_alias(model_name, alias, str(version))
    note = f"by hand: {why} (was v{previous})" if previous else f"by hand: {why}"
    client.set_model_version_tag(model_name, str(version), "promotion", note)
    _echo(
        {
            "name": model_name,
            "alias": alias,
            "version": str(version),
            "previous_version": previous,
            "reason": why,
        }
    )

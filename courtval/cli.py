"""``courtval`` — generate data, train, evaluate, serve and benchmark.

Domain errors end the command with their message and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from courtval import court_cli, models_cli
from models.errors import CourtvalError
from models.settings import get_settings
from models.table_io import write_parquet
from training.kinds import KIND_INFO, KindInfo
from training.uncertainty import DEFAULT_RESAMPLES

app = typer.Typer(
    help="courtval: valuation and risk scoring for court enforcement (执行).", no_args_is_help=True
)
data_app = typer.Typer(help="Datasets.", no_args_is_help=True)
generate_app = typer.Typer(help="Generate synthetic datasets.", no_args_is_help=True)
train_app = typer.Typer(help="Train a model and register it in MLflow.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Cross-validate the estimator on real data.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print JSON figures.", no_args_is_help=True)
score_app = typer.Typer(help="Score a batch file with the champion model.", no_args_is_help=True)
app.add_typer(data_app, name="data")
data_app.add_typer(generate_app, name="generate")
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(bench_app, name="bench")
app.add_typer(score_app, name="score")
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
ledger_app = typer.Typer(help="The inquiry ledger.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(ledger_app, name="ledger")

console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

Seed = Annotated[int, typer.Option(help="Random seed: same seed, same data and metrics.")]


def _setup_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Dask reads its logging level from its configuration when it is first imported (after
    # this); an operator's own DASK_LOGGING__DISTRIBUTED wins.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")


def settings_problems(exc: ValidationError) -> str:
    """A settings error as one line naming each environment variable and why (not its
    value: it may be a key or a password)."""
    problems = [
        f"COURTVAL_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
        for error in exc.errors(include_url=False)
    ]
    return "bad setting: " + "; ".join(problems)


def domain_errors(func: F) -> F:
    """Turn a :class:`CourtvalError` into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _setup_logging()  # the first read of the settings
        except ValidationError as exc:
            console.print(f"[red]error:[/red] {settings_problems(exc)}")
            raise typer.Exit(2) from exc
        try:
            return func(*args, **kwargs)
        except CourtvalError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


def default_data(kind: str) -> Path:
    """Where `courtval data generate KIND` writes by default."""
    return get_settings().data_dir / KIND_INFO[kind].file_name


Dataset = Annotated[str | None, typer.Option(help="A named real dataset.")]
DataFile = Annotated[Path | None, typer.Option(help="Any CSV/Parquet/Excel file.")]
Target = Annotated[str | None, typer.Option(help="Target column (with --data).")]
Exclude = Annotated[str, typer.Option(help="Comma-separated columns to drop.")]
Folds = Annotated[int, typer.Option(min=2, max=20)]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Run the independent steps (evaluation folds, training steps, scoring chunks) on "
        "this Dask scheduler (tcp://host:8786); default: COURTVAL_DASK_SCHEDULER, else here."
    ),
]
LocalWorkers = Annotated[int, typer.Option(min=1, max=64, help="Local Dask worker processes.")]
Bootstrap = Annotated[
    int,
    typer.Option(
        min=0,
        max=100_000,
        help="Resamples of the out-of-fold rows for each figure's 95% interval (ci95; 0: none).",
    ),
]
Repeats = Annotated[
    int,
    typer.Option(
        min=1,
        max=50,
        help="Run the cross-validation on this many partitions (seeds SEED, SEED+1 …); "
        "`repeated` gives the figures' mean and spread over them.",
    ),
]
Out = Annotated[Path | None, typer.Option(help="Output: .parquet (default) or .csv.")]
TrainData = Annotated[Path | None, typer.Option(help="Training table (CSV/Parquet/Excel).")]
IfMissing = Annotated[bool, typer.Option("--if-missing", help="Do nothing when a champion exists.")]


@data_app.command("queue")
@domain_errors
def make_queue(
    data: Annotated[Path | None, typer.Option(help="Case records (default: generated).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="The queue's day, YYYY-MM-DD (default: the records' last).")
    ] = None,
    cases: Annotated[
        int, typer.Option(min=1, help="At most this many open cases (a fixed sample).")
    ] = 5000,
    out: Annotated[
        Path | None, typer.Option(help="Default: <queue dir>/queue-<day>.parquet.")
    ] = None,
) -> None:
    """Write the open cases of a day as a queue file the triage board offers (a demo of the
    court's nightly export)."""
    from courtval.triage_run import write_queue

    settings = get_settings()
    source = data or default_data("difficulty")
    written = write_queue(source, as_of, cases, out, settings.resolved_queue_dir)
    console.print(f"wrote {written}")


@generate_app.command("guide-prices")
@domain_errors
def generate_guide_price_table(
    seed: Annotated[int, typer.Option(help="The property data's seed (its market).")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Output: .csv (default), .xlsx or .parquet.")
    ] = None,
) -> None:
    """Synthetic government base prices (存量房计税基准价) of the generated property market, for
    COURTVAL_GUIDE_PRICE_FILE."""
    from models.table_io import save_table
    from training.generate.guide_prices import generate_guide_prices

    target = out or get_settings().data_dir / "guide_prices.csv"
    table = generate_guide_prices(seed)
    save_table(table, target)
    console.print(f"wrote {len(table)} guide prices to {target}")


@data_app.command("sales")
@domain_errors
def export_sales(
    kind: Annotated[str, typer.Argument(help="property or vehicle.")],
    out: Annotated[Path, typer.Option("--output", "-o", help=".parquet, .csv or .xlsx.")],
) -> None:
    """Write the sales judges recorded (POST /v1/inquiries/{id}/sale) as a training table in
    the generated data's columns, for `courtval train KIND --data FILE`."""
    from courtval.court_cli import write_sales

    count = write_sales(kind, out)
    console.print(f"wrote {count} recorded {kind} sales to {out}")


def _register(kind: str, info: KindInfo) -> None:
    """Add `data generate KIND`, `train KIND` and `evaluate KIND`."""

    @generate_app.command(info.dataset, help=f"Synthetic {info.description} (defects included).")
    @domain_errors
    def generate(
        rows: Annotated[int, typer.Option(min=100, help="Number of rows.")] = info.default_rows,
        seed: Seed = 0,
        out: Out = None,
    ) -> None:
        _generate(kind, rows, seed, out)

    @train_app.command(
        kind, help="Clean, train, evaluate on the latest months, log to MLflow, promote if better."
    )
    @domain_errors
    def train(
        data: TrainData = None,
        seed: Seed = 0,
        if_missing: IfMissing = False,
        scheduler: Scheduler = None,
    ) -> None:
        from courtval.training_run import run_training

        path = data or default_data(kind)
        run_training(
            kind, path, seed=seed, if_missing=if_missing, console=console, scheduler=scheduler
        )

    if info.evaluation == "generated":
        _register_generated_evaluation(kind, info)
        return

    @evaluate_app.command(
        kind,
        help=(
            "K-fold cross-validation of the estimator "
            f"(datasets: {', '.join(info.benchmarks)}); one JSON line."
        ),
    )
    @domain_errors
    def evaluate(
        dataset: Dataset = None,
        data: DataFile = None,
        target: Target = None,
        exclude: Exclude = "",
        folds: Folds = 5,
        seed: Seed = 0,
        bootstrap: Bootstrap = DEFAULT_RESAMPLES,
        repeats: Repeats = 1,
        scheduler: Scheduler = None,
    ) -> None:
        from courtval.training_run import run_evaluation

        result = run_evaluation(
            kind,
            dataset,
            data,
            target,
            exclude,
            folds=folds,
            seed=seed,
            bootstrap=bootstrap,
            scheduler=scheduler,
            repeats=repeats,
        )
        typer.echo(json.dumps(result, ensure_ascii=False))


def _register_generated_evaluation(kind: str, info: KindInfo) -> None:
    """`evaluate KIND` for a kind judged on generated data (a time split, model vs baseline)."""

    @evaluate_app.command(
        kind,
        help=(
            f"Generate {info.description}, train on the past, rank the held-out later cases; "
            "one JSON line: the model and the cash-ratio baseline, every metric higher = better."
        ),
    )
    @domain_errors
    def evaluate(
        rows: Annotated[int, typer.Option(min=1000, help="Cases generated.")] = info.default_rows,
        seed: Seed = 0,
        bootstrap: Bootstrap = DEFAULT_RESAMPLES,
    ) -> None:
        from courtval.triage_run import run_difficulty_evaluation

        result = run_difficulty_evaluation(
            rows=rows, seed=seed, bootstrap=bootstrap, console=console
        )
        typer.echo(json.dumps(result, ensure_ascii=False))


def _generate(kind: str, rows: int, seed: int, out: Path | None) -> None:
    from training.tasks import kind_spec

    path = out or default_data(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = kind_spec(kind).generate(rows, seed)
    if path.suffix.lower() == ".csv":
        generated.frame.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        write_parquet(generated.frame, path)
    generated.planted.to_csv(path.with_suffix(".planted.csv"), index=False)
    console.print(
        f"wrote {len(generated.frame):,} rows to {path} "
        f"({len(generated.planted):,} planted defects listed beside it)"
    )


for _kind, _info in KIND_INFO.items():
    _register(_kind, _info)


@app.command("calendar")
@domain_errors
def calendar(
    file: Annotated[
        Path | None,
        typer.Option(help="A holiday file to check (default: COURTVAL_HOLIDAY_FILE)."),
    ] = None,
) -> None:
    """Check the working-day calendar: the years it knows, a holiday file's years, and whether
    the year needed now is among them (exit 1 when it is not; 2 for a bad file)."""
    from models.clock import china_today
    from models.court import calendar_warning, covered_years, supplement_calendar
    from serving.holidays import read_holiday_file

    path = file or get_settings().holiday_file
    years = read_holiday_file(path)
    supplement_calendar(years)
    for year, arrangement in sorted(years.items()):
        typer.echo(
            f"{path}: {year}: {len(arrangement.holidays)} days off, "
            f"{len(arrangement.workdays)} weekend days worked"
        )
    known = covered_years()
    typer.echo(f"working days known for {known[0]}–{known[-1]}")
    warning = calendar_warning(china_today())
    if warning:
        console.print(f"[yellow]warning:[/yellow] {warning}")
        raise typer.Exit(1)
    typer.echo("the calendar covers the years needed now")


@app.command("serve")
@domain_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default: COURTVAL_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: COURTVAL_PORT.")] = None,
    demo_keys: Annotated[
        bool,
        typer.Option(
            "--demo-keys",
            help="Issue one fresh demo key per role and print them (a demonstration machine "
            "only; `make run` does this). Earlier demo keys are revoked.",
        ),
    ] = False,
) -> None:
    """Serve the API and the judges' web page (loads the champion models at start-up)."""
    import logging.config

    from serving.app import create_app
    from serving.logs import logging_config
    from serving.observability import run_server
    from serving.state import load_champions

    settings = get_settings()
    logging.config.dictConfig(logging_config(settings))  # model loading logs in the same format
    store = load_champions(settings)  # fail here, with a clear message, before binding
    application = create_app(settings, loader=lambda _: store)
    if demo_keys:
        court_cli.print_demo_keys(settings.resolved_database_url)
    console.print(
        f"serving on http://{host or settings.host}:{port or settings.port} "
        "(web page at /, API docs at /docs)"
    )
    # SIGTERM: stop accepting, finish requests in flight (shutdown_grace_seconds), exit 0.
    run_server(application, settings, host=host or settings.host, port=port or settings.port)


@bench_app.command("serve")
@domain_errors
def bench_serve(
    kind: Annotated[
        list[str] | None, typer.Option(help="Valuation kinds to time (default: all of them).")
    ] = None,
    property_rows: Annotated[int, typer.Option(min=1000, help="Property rows.")] = 50_000,
    vehicle_rows: Annotated[int, typer.Option(min=1000, help="Vehicle rows.")] = 100_000,
    requests: Annotated[int, typer.Option(min=10, help="HTTP requests timed per kind.")] = 2_000,
    seed: Seed = 0,
) -> None:
    """Time the fast path, the full answer, HTTP and batch per kind; prints one JSON line."""
    from courtval.bench import run_serving_benchmark
    from training.tasks import VALUATION_KINDS, valuation_task

    kinds = kind or list(VALUATION_KINDS)
    for name in kinds:
        valuation_task(name, get_settings())
    rows = {"property": property_rows, "vehicle": vehicle_rows}
    figures = run_serving_benchmark(kinds=kinds, rows=rows, requests=requests, seed=seed)
    typer.echo(json.dumps(figures))


@score_app.command("cases")
@domain_errors
def score_cases(
    input: Annotated[Path, typer.Option("--input", help="Cases: Parquet, CSV or Excel.")],
    output: Annotated[Path, typer.Option("--output", help="Ranked cases: .parquet or .csv.")],
    as_of: Annotated[
        str | None, typer.Option(help="Day of scoring, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """The nightly batch: rank a case file with the difficulty champion (lanes, reasons,
    alerts; bundles and 执转破 candidates in files beside the output)."""
    from courtval.triage_run import run_case_scoring

    run_case_scoring(input, output, as_of=as_of, console=console)


@score_app.command("debtors")
@domain_errors
def score_debtors(
    input: Annotated[
        Path,
        typer.Option(
            "--input", help="Debtors: Parquet, CSV or Excel, columns named by the API's fields."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", help="Scored debtors: .parquet or .csv.")],
    reasons: Annotated[
        bool, typer.Option("--reasons", help="Reason codes per debtor (about 4 times slower).")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Score the valid rows and list the bad ones in OUTPUT's .rejected file "
            "(default: a bad cell stops the run, nothing written).",
        ),
    ] = False,
    chunk_rows: Annotated[
        int, typer.Option(min=100, max=1_000_000, help="Rows per step (per task on a cluster).")
    ] = 20_000,
    scheduler: Scheduler = None,
) -> None:
    """The triage system's nightly file: every debtor's probability of paying, expected
    recovery, tier, leads and relief hint from the capacity model in service (the identity
    number only as its keyed hash)."""
    from courtval.debtor_scoring import run_debtor_scoring

    run_debtor_scoring(
        input,
        output,
        reasons=reasons,
        skip_invalid=skip_invalid,
        chunk_rows=chunk_rows,
        scheduler=scheduler,
        console=console,
    )


@bench_app.command("folds")
@domain_errors
def bench_folds(
    rows: Annotated[int, typer.Option(min=1000, help="Generated property sales.")] = 20_000,
    folds: Folds = 5,
    workers: LocalWorkers = 2,
    seed: Seed = 0,
) -> None:
    """Time an evaluation's folds and a training fit here and on a local Dask cluster; one
    JSON line."""
    from courtval.bench_folds import run_folds_benchmark

    figures = run_folds_benchmark(rows=rows, folds=folds, workers=workers, seed=seed)
    typer.echo(json.dumps(figures))


@bench_app.command("debtors")
@domain_errors
def bench_debtors(
    rows: Annotated[int, typer.Option(min=1000, help="Generated debtors to score.")] = 200_000,
    train_rows: Annotated[int, typer.Option(min=2000, help="Debtors to train on.")] = 10_000,
    workers: LocalWorkers = 2,
    chunk_rows: Annotated[int, typer.Option(min=100, help="Rows per task.")] = 20_000,
    seed: Seed = 0,
) -> None:
    """Time `courtval score debtors` here and on a local Dask cluster; one JSON line
    (self-contained: own data and store)."""
    from courtval.bench_debtors import run_debtors_benchmark

    figures = run_debtors_benchmark(
        rows=rows, train_rows=train_rows, workers=workers, chunk_rows=chunk_rows, seed=seed
    )
    typer.echo(json.dumps(figures))


@bench_app.command("triage")
@domain_errors
def bench_triage(
    http_cases: Annotated[int, typer.Option(min=1000, help="Cases in the HTTP request.")] = 100_000,
    cli_cases: Annotated[int, typer.Option(min=1000, help="Cases in the CLI batch.")] = 1_000_000,
    train_cases: Annotated[int, typer.Option(min=5000, help="Cases to train on.")] = 50_000,
    seed: Seed = 0,
) -> None:
    """Rank cases over HTTP and through `courtval score cases`; one JSON line with
    http_100k_s, cli_1m_s and cli_1m_peak_mib (self-contained: own data, store and server)."""
    from courtval.bench_triage import run_triage_benchmark

    figures = run_triage_benchmark(
        http_cases=http_cases, cli_cases=cli_cases, train_cases=train_cases, seed=seed
    )
    typer.echo(json.dumps(figures))


keys_app.command("create")(domain_errors(court_cli.create_key))
keys_app.command("list")(domain_errors(court_cli.list_keys))
keys_app.command("revoke")(domain_errors(court_cli.revoke_key))
ledger_app.command("verify")(domain_errors(court_cli.verify_ledger))
ledger_app.command("backup")(domain_errors(court_cli.backup_ledger))
models_app = typer.Typer(
    help="Models as signed files (export, import, list), the registered versions (versions), "
    "and the champion by hand (promote).",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")
models_app.command("export")(domain_errors(models_cli.export_model))
models_app.command("import")(domain_errors(models_cli.import_model))
models_app.command("list")(domain_errors(models_cli.list_models))
models_app.command("versions")(domain_errors(models_cli.list_versions))
models_app.command("promote")(domain_errors(models_cli.promote_model))

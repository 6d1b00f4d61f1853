"""The one settings object. Environment variables ``COURTVAL_*`` (or a ``.env`` file) override.

Built by :func:`get_settings` (cached), never at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.capacity.vocabulary import CaseCause, CreditorType
from models.court.quota import QuotaLimits

#: The model kinds courtval trains and serves.
MODEL_KINDS: tuple[str, ...] = ("property", "vehicle", "capacity", "difficulty")


#: A Dask scheduler's address: scheme://host:port.
DASK_ADDRESS = r"^(tcp|tls|ucx|ws|wss)://[^\s/:]+:[0-9]{1,5}$"


class Settings(BaseSettings):
    """Run-time configuration of courtval; every field is a ``COURTVAL_<NAME>`` variable."""

    model_config = SettingsConfigDict(
        env_prefix="COURTVAL_", env_file=".env", extra="forbid", frozen=True
    )

    home: Path = Field(
        default=Path("var"),
        description="Working directory for generated data, the MLflow store and logs.",
    )
    data_dir: Path = Field(default=Path("data"), description="Where generated datasets go.")
    tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking URI; default: a SQLite store sqlite:///<home>/mlflow.db.",
    )
    artifact_root: str | None = Field(
        default=None,
        description="Where new MLflow experiments keep artifacts; default <home>/mlartifacts.",
    )
    experiment: str = Field(default="courtval", description="MLflow experiment name.")
    champion_alias: str = Field(default="champion", min_length=1)
    promotion_confidence: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="A new model takes the champion alias only if its metric is lower on the "
        "evaluation rows and stays lower in at least this share of paired bootstrap resamples "
        "of them (0: the point comparison alone).",
    )
    promotion_resamples: int = Field(
        default=1000,
        ge=0,
        le=100_000,
        description="Paired bootstrap resamples for promotion (0: the point comparison alone).",
    )
    property_model_name: str = Field(default="courtval-property", min_length=1)
    vehicle_model_name: str = Field(default="courtval-vehicle", min_length=1)
    capacity_model_name: str = Field(default="courtval-capacity", min_length=1)
    difficulty_model_name: str = Field(default="courtval-difficulty", min_length=1)
    train_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Threads that fit a model's independent steps at once (the capacity heads "
        "and their members, in training and in `courtval evaluate capacity`); the fitted "
        "model and the figures are the same whatever it is. LightGBM runs one thread per "
        "call while steps run at once.",
    )
    dask_scheduler: str | None = Field(
        default=None,
        pattern=DASK_ADDRESS,
        description="Address of a running Dask scheduler (tcp://host:8786) on which "
        "`courtval evaluate` fits its cross-validation folds, `courtval train` its independent "
        "steps and `courtval score debtors` its chunks, one task each, when one machine is not "
        "enough; unset: here. `--scheduler` overrides it.",
    )
    dask_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds to wait for the Dask scheduler and for its first worker.",
    )
    serve_kinds: tuple[str, ...] = Field(
        default=MODEL_KINDS,
        min_length=1,
        description="Model kinds the server loads at start-up (JSON list in the environment).",
    )
    model_cache_dir: Path | None = Field(
        default=None,
        description="Where downloaded model bundles are cached; default <home>/models.",
    )
    host: str = Field(default="127.0.0.1")
    port: int = Field(default=8000, ge=1, le=65535)
    batch_limit: int = Field(default=10_000, ge=1, description="Max items in one batch request.")
    reports_per_zip: int = Field(
        default=100,
        ge=1,
        le=1_000,
        description="Most inquiry reports in one ZIP download (GET /v1/inquiries/reports.zip); "
        "a PDF report takes about 60 ms and 75 kB.",
    )
    inquiry_batch_limit: int = Field(
        default=1_000,
        ge=1,
        description="Max items in one inquiry batch (/batch-inquiries), each recorded as an "
        "inquiry of its own with the full answer.",
    )
    comparables: int = Field(default=5, ge=0, le=50, description="Comparable sales returned.")
    comparables_months: int = Field(
        default=24, ge=1, description="How far back a sale may lie to count as a comparable."
    )
    contributions: int = Field(default=5, ge=0, le=20, description="Top contributions returned.")
    curve_history_months: int = Field(
        default=24,
        ge=1,
        le=120,
        description="Month-ends of a vehicle's or a property's price history.",
    )
    curve_projection_months: int = Field(
        default=6, ge=0, le=24, description="Month-ends a vehicle's price is projected ahead."
    )
    tier_able_probability: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="能够履行 when P(full performance in 6 months) is at least this.",
    )
    tier_partial_share: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="Else (not 执行难) 部分履行 when the expected recovered share is >= this.",
    )
    tier_hidden_probability: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="Else 执行难 when the hidden-capacity probability is at least this "
        "(checked before 部分履行); failing all three: 执行不能.",
    )
    capacity_reasons: int = Field(default=4, ge=0, le=4, description="Reason codes returned.")
    capacity_leads: int = Field(default=5, ge=0, le=20, description="Asset leads returned.")
    lead_flights: int = Field(
        default=4, ge=1, description="Flights in 12 months that make spending a lead."
    )
    lead_hotel_nights: int = Field(
        default=10, ge=1, description="Hotel nights in 12 months that make spending a lead."
    )
    lead_spend: float = Field(
        default=20_000,
        gt=0,
        description="Luxury or online spending (CNY, 12 months) that makes spending a lead.",
    )
    relief_creditor_types: tuple[CreditorType, ...] = Field(
        default=(CreditorType.INDIVIDUAL,),
        description="Creditor types a relief hint can apply to (JSON list).",
    )
    relief_causes: tuple[CaseCause, ...] = Field(
        default=(CaseCause.PERSONAL_INJURY, CaseCause.WAGES, CaseCause.SUPPORT),
        description="Case causes a relief hint can apply to (JSON list).",
    )
    statutory_months: float = Field(
        default=6, gt=0, le=24, description="法定期限 of an enforcement case, in months."
    )
    alert_seize_days: int = Field(
        default=15, ge=1, description="五超: assets found but not seized within this many days."
    )
    alert_measure_days: int = Field(
        default=30,
        ge=0,
        description="五超: a seizure or freezing measure expiring within this many days "
        "(or already expired) without disposal.",
    )
    alert_payout_days: int = Field(
        default=30,
        ge=1,
        description="五超: enforcement money not paid out to the creditor within this many days.",
    )
    alert_archive_days: int = Field(
        default=30, ge=1, description="五超: a closed case not archived within this many days."
    )
    second_investigation_months: float = Field(
        default=2.5, gt=0, description="Open longer than this (months) -> second investigation."
    )
    lane_fast_probability: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="简案 candidates: P(closed with payment within the statutory period) >= this.",
    )
    lane_complex_probability: float = Field(
        default=0.15,
        gt=0,
        lt=1,
        description="繁案 when P(closed with payment within the statutory period) < this.",
    )
    fast_track_capacity: int = Field(
        default=2_000,
        ge=0,
        description="Cases the fast-track team takes per ranking: the easiest candidates fill "
        "the 简案 lane up to this number (Haidian: 100+ cases per person per month).",
    )
    bankruptcy_min_cases: int = Field(
        default=5, ge=2, description="执转破: a company debtor with at least this many cases …"
    )
    bankruptcy_unpaid_share: float = Field(
        default=0.5,
        ge=0,
        lt=1,
        description="… of which more than this share are 终本 or open and unpaid.",
    )
    bundle_min_cases: int = Field(
        default=2, ge=2, description="捆绑执行: cases sharing a debtor, creditor or asset."
    )
    triage_reasons: int = Field(default=4, ge=0, le=4, description="Reasons returned per case.")
    rank_limit: int = Field(default=100_000, ge=1, description="Max cases in one ranking request.")
    database_url: str | None = Field(
        default=None,
        description="The court store (API keys, the inquiry ledger): a SQLAlchemy URL, e.g. "
        "postgresql+psycopg://user@host/courtval; default: SQLite at <home>/court.db.",
    )
    report_font_path: Path | None = Field(
        default=None,
        description="A TrueType font with Chinese glyphs for PDF reports; default: the first "
        "found of the Debian CJK fonts (fonts-wqy-zenhei …) or fontconfig's choice.",
    )
    identity_hash_key: SecretStr | None = Field(
        default=None,
        description="Key of the identity-number hash; default: a random key kept in "
        "<home>/secrets/identity.key (created on first use, mode 0600).",
    )
    court_timezone: str = Field(
        default="Asia/Shanghai",
        description="Time zone of quota days and allowed hours (an IANA name).",
    )
    holiday_file: Path | None = Field(
        default=None,
        description="A JSON file with the State Council's holiday arrangement (放假安排) of "
        "years chinese-calendar lacks, as the court copies it from the notice: "
        '{"2027": {"holidays": ["2027-01-01", "2027-02-06/2027-02-12"], "workdays": '
        '["2027-02-14"]}} (see models.court.calendar). Read at the server\'s start and again by '
        "POST /v1/admin/reload, which also settles the dates that waited for it.",
    )
    guide_price_file: Path | None = Field(
        default=None,
        description="The government's base prices (政府指导价, e.g. the tax bureau's 存量房计税"
        "基准价) as a CSV, Excel or Parquet file with the columns 街道/镇, 小区, 物业类型 (blank: "
        "every type), 基准单价（元/㎡）, 执行日期 and 发布机关及文件 (see "
        "models.property.guide_prices). Each property answer then carries the 政府基准价法 "
        "figure. Read when the server starts (a bad file stops it) and again when the file "
        "changes (a bad copy keeps the last good table).",
    )
    quota_judge: QuotaLimits = Field(
        default=QuotaLimits(requests_per_day=500, requests_per_minute=30),
        description="A judge key's limits (JSON); a key may override them.",
    )
    quota_triage: QuotaLimits = Field(
        default=QuotaLimits(requests_per_day=50_000, requests_per_minute=600),
        description="A triage-system key's limits (JSON).",
    )
    quota_data_scientist: QuotaLimits = Field(
        default=QuotaLimits(requests_per_day=2_000, requests_per_minute=60),
        description="A data scientist key's limits (JSON).",
    )
    quota_auditor: QuotaLimits = Field(
        default=QuotaLimits(requests_per_day=5_000, requests_per_minute=120),
        description="An auditor key's limits (JSON).",
    )
    key_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a checked key is trusted without a database read; a revoked key "
        "stops working within this time (0: check every request).",
    )
    ledger_inline_bytes: int = Field(
        default=2_000_000,
        ge=1_000,
        description="Inputs or outputs larger than this (as JSON) are recorded in the ledger "
        "as their SHA-256 and item count, not in full (bulk triage queues).",
    )
    bundle_dir: Path | None = Field(
        default=None,
        description="Signed single-file model bundles (`courtval models import`) and the last "
        "good model of each kind; default: <home>/bundles.",
    )
    bundle_signing_key: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key that signs exported bundles and verifies imported ones; "
        "the same on the training and the court network. Export and import refuse without it.",
    )
    model_source: Literal["auto", "registry", "bundles"] = Field(
        default="auto",
        description="Where the server loads models: the MLflow registry, the bundle directory, "
        "or auto (the registry, falling back to the bundle directory when unreachable).",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Server logs: one JSON object per line, or plain text."
    )
    shutdown_grace_seconds: float = Field(
        default=30.0, ge=0, description="On SIGTERM, how long requests in flight may finish."
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs the web page's session cookies; default: a random key kept "
        "in <home>/secrets/session.key (created on first use, mode 0600).",
    )
    session_hours: float = Field(
        default=8.0, gt=0, le=24 * 7, description="How long a web sign-in lasts (hours)."
    )
    queue_dir: Path | None = Field(
        default=None,
        description="Enforcement queues the triage board offers to rank (CSV, Excel, Parquet, "
        "JSON Lines files, e.g. the nightly export); default: <data_dir>/queues.",
    )
    upload_limit_mb: float = Field(
        default=50.0, gt=0, description="Largest file the web page accepts (MB)."
    )
    job_ttl_minutes: float = Field(
        default=60.0, gt=0, description="How long a batch file's results stay downloadable."
    )
    log_level: str = Field(default="INFO")

    @model_validator(mode="after")
    def _check_paths(self) -> Settings:
        if self.home.exists() and not self.home.is_dir():
            raise ValueError(f"COURTVAL_HOME={self.home} exists and is not a directory")
        return self

    @field_validator("serve_kinds")
    @classmethod
    def _known_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(kinds) - set(MODEL_KINDS))
        if unknown:
            raise ValueError(f"unknown model kinds {unknown}; choose from {list(MODEL_KINDS)}")
        return kinds

    def model_name(self, kind: str) -> str:
        """The registered model name of a kind (``property``, ``vehicle``)."""
        names = {
            "property": self.property_model_name,
            "vehicle": self.vehicle_model_name,
            "capacity": self.capacity_model_name,
            "difficulty": self.difficulty_model_name,
        }
        if kind not in names:
            raise ValueError(f"unknown model kind {kind!r}; choose from {sorted(names)}")
        return names[kind]

    @property
    def resolved_tracking_uri(self) -> str:
        """The MLflow tracking URI, defaulting to a SQLite file under ``home``."""
        return self.tracking_uri or f"sqlite:///{(self.home / 'mlflow.db').resolve()}"

    @property
    def resolved_artifact_root(self) -> str:
        """Artifact location for experiments created by courtval."""
        return self.artifact_root or (self.home / "mlartifacts").resolve().as_uri()

    @property
    def resolved_database_url(self) -> str:
        """The court store's URL, defaulting to a SQLite file under ``home``."""
        return self.database_url or f"sqlite:///{(self.home / 'court.db').resolve()}"

    @property
    def identity_key_file(self) -> Path:
        """Where the generated identity-hash key lives when none is configured."""
        return self.home / "secrets" / "identity.key"

    @property
    def session_key_file(self) -> Path:
        """Where the generated session-signing key lives when none is configured."""
        return self.home / "secrets" / "session.key"

    @property
    def resolved_queue_dir(self) -> Path:
        """Directory of queue files the triage board lists."""
        return self.queue_dir or self.data_dir / "queues"

    @property
    def resolved_bundle_dir(self) -> Path:
        """Directory of imported bundles and last-good copies of the served models."""
        return self.bundle_dir or self.home / "bundles"

    def quota(self, role: str) -> QuotaLimits:
        """The limits of a role (``judge``, ``triage``, ``data_scientist``, ``auditor``)."""
        limits: QuotaLimits = getattr(self, f"quota_{role}")
        return limits

    @property
    def resolved_model_cache_dir(self) -> Path:
        """Local directory for model bundles downloaded from the registry."""
        return self.model_cache_dir or self.home / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()

"""Usage limits of an API key (Wenling's safeguards): requests per day and minute, and hours.

The role's limits come from the settings (``COURTVAL_QUOTA_<ROLE>``); a key may override any of
them (:class:`serving.court.schemas.QuotaOverride`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

_STRICT = ConfigDict(extra="forbid", frozen=True)


class HourWindow(BaseModel):
    """Hours of the day (the court's time zone) in which a key may be used: ``start <= h < end``."""

    model_config = _STRICT

    start: int = Field(ge=0, le=23, description="First allowed hour, 0-23.")
    end: int = Field(ge=1, le=24, description="First hour no longer allowed, 1-24.")

    @model_validator(mode="after")
    def _ordered(self) -> HourWindow:
        if self.end <= self.start:
            raise ValueError(
                f"allowed hours {self.start}-{self.end}: end must be after start "
                "(windows across midnight are not supported)"
            )
        return self

    def allows(self, hour: int) -> bool:
        """Whether ``hour`` (0-23) lies in the window."""
        return self.start <= hour < self.end


class QuotaLimits(BaseModel):
    """A role's limits; ``hours=None`` allows every hour."""

    model_config = _STRICT

    requests_per_day: int = Field(ge=1, le=10_000_000, description="Requests per calendar day.")
    requests_per_minute: int = Field(ge=1, le=1_000_000, description="Requests per minute.")
    allowed_hours: HourWindow | None = Field(default=None, description="Allowed hours, or any.")

"""What the capacity answer needs from the settings, gathered once per request path."""

from __future__ import annotations

from dataclasses import dataclass

from models.capacity.vocabulary import CaseCause, CreditorType
from models.settings import Settings


@dataclass(frozen=True)
class CapacityOptions:
    """Tier thresholds, how many reasons and leads, the lead and relief criteria."""

    able_probability: float = 0.6
    partial_share: float = 0.3
    hidden_probability: float = 0.5
    reasons: int = 4
    leads: int = 5
    lead_flights: int = 4
    lead_hotel_nights: int = 10
    lead_spend: float = 20_000.0
    relief_creditor_types: tuple[str, ...] = (CreditorType.INDIVIDUAL,)
    relief_causes: tuple[str, ...] = (
        CaseCause.PERSONAL_INJURY,
        CaseCause.WAGES,
        CaseCause.SUPPORT,
    )
    #: Key of the identity-number hash; None: identity numbers are refused a hash (dropped).
    identity_key: bytes | None = None

    @classmethod
    def from_settings(cls, settings: Settings, identity_key: bytes | None) -> CapacityOptions:
        """The options the settings give, with the resolved identity-hash key."""
        return cls(
            able_probability=settings.tier_able_probability,
            partial_share=settings.tier_partial_share,
            hidden_probability=settings.tier_hidden_probability,
            reasons=settings.capacity_reasons,
            leads=settings.capacity_leads,
            lead_flights=settings.lead_flights,
            lead_hotel_nights=settings.lead_hotel_nights,
            lead_spend=settings.lead_spend,
            relief_creditor_types=tuple(settings.relief_creditor_types),
            relief_causes=tuple(settings.relief_causes),
            identity_key=identity_key,
        )

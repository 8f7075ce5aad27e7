"""Is serverless a fit for this workload? A rule-based check over the chapter's criteria (lessons 10, 11).

Pure Python; returns pydantic models; never prints. Costs come from
serverless_tutor.pricing, the cold-start share from serverless_tutor.sim's closed form.
"""

from serverless_tutor.fit.assess import (
    PRESETS,
    Assessment,
    FitPreset,
    FitWorkload,
    Reason,
    assess,
    preset,
)

__all__ = ["PRESETS", "Assessment", "FitPreset", "FitWorkload", "Reason", "assess", "preset"]

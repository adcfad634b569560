"""tendlc: contract testing and pre-submit validation for US 10DLC registration APIs.

>>> import tendlc
>>> body = "<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
>>> report = tendlc.validate("bandwidth.campaignImports.create", body)
>>> report.valid
True
"""

from __future__ import annotations

from .catalog import Body, Operation, UnknownOperationError, get_operation, operations
from .parsing import Limits
from .validation import Issue, Report, validate

__version__ = "0.1.0"

__all__ = [
    "Body",
    "Issue",
    "Limits",
    "Operation",
    "Report",
    "UnknownOperationError",
    "__version__",
    "get_operation",
    "operations",
    "validate",
]

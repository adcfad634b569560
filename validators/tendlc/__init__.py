"""tendlc: contract testing and pre-submit validation for US 10DLC registration APIs.

>>> import tendlc
>>> body = "<ImportedCampaign><CampaignId>CJEUMDK</CampaignId></ImportedCampaign>"
>>> report = tendlc.validate("bandwidth.campaignImports.create", body)
>>> report.valid
True

The names below are imported on first use, so that ``import tendlc`` (and the pytest plugin,
which every pytest run of a project with tendlc installed loads) costs almost nothing.
"""

from importlib import import_module as _import_module

from ._errors import (
    ContractError,
    InvalidArgument,
    TendlcError,
    UnknownOperationError,
    UnknownProviderError,
)

# Not typing.TYPE_CHECKING: importing typing would double the cost of ``import tendlc``.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._catalog import Body, Operation, get_operation, operations
    from ._parsing import Limits
    from ._validation import (
        Check,
        CheckContext,
        Issue,
        Report,
        Severity,
        check,
        prepare,
        registered_checks,
        unregister_check,
        validate,
    )

__version__ = "0.1.0"

__all__ = [
    "Body",
    "Check",
    "CheckContext",
    "ContractError",
    "InvalidArgument",
    "Issue",
    "Limits",
    "Operation",
    "Report",
    "Severity",
    "TendlcError",
    "UnknownOperationError",
    "UnknownProviderError",
    "__version__",
    "check",
    "get_operation",
    "operations",
    "prepare",
    "registered_checks",
    "unregister_check",
    "validate",
]

_LAZY = {
    "Body": "._catalog",
    "Operation": "._catalog",
    "get_operation": "._catalog",
    "operations": "._catalog",
    "Limits": "._parsing",
    "Check": "._validation",
    "CheckContext": "._validation",
    "Issue": "._validation",
    "Report": "._validation",
    "Severity": "._validation",
    "check": "._validation",
    "prepare": "._validation",
    "registered_checks": "._validation",
    "unregister_check": "._validation",
    "validate": "._validation",
}
del TYPE_CHECKING


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tendlc' has no attribute {name!r}")
    value = getattr(_import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

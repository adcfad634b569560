"""The shared layer: jobs every other layer needs, with no third-party import at load time.

JSON Pointers and local ``$ref`` handling, where JSON Schema keeps its subschemas, YAML files
(safe loader), and the contracts'
annotation vocabulary (``t:*`` in XSD, ``x-*`` in JSON Schema, the ``t:when`` grammar), and
finding the project's tendlc table, and the on-disk cache of what is slow to derive from the
contracts.
"""

from ._annotations import (
    CONTRACT_NS,
    JSON_FIELD,
    JSON_INVALID,
    JSON_MESSAGE,
    JSON_RULE,
    JSON_TIME,
    AssertRule,
    Clause,
    TimeRule,
    assert_rule_of,
    assert_rules,
    json_time_rule,
    parse_when,
    xml_time_rule,
)
from ._copy import copied
from ._disk_cache import (
    CACHE_VARIABLE,
    cache_directory,
    cache_statistics,
    directory_digest,
    disk_cached,
    forget_directory_digests,
)
from ._identity import identity_cached
from ._pointer import (
    MISSING,
    delete_at,
    escape,
    get_at,
    json_pointer,
    put_at,
    reachable,
    ref_target,
    reference_to,
    resolve_ref,
    split_pointer,
    unescape,
    walk,
)
from ._project import find_config, read_toml
from ._schema import (
    DYNAMIC_KEYWORDS,
    SUBSCHEMA_KEYWORDS,
    SchemaMap,
    openapi_schema_roots,
    schema_map,
    subschemas,
)
from ._yaml import load_yaml

__all__ = [
    "CACHE_VARIABLE",
    "CONTRACT_NS",
    "DYNAMIC_KEYWORDS",
    "JSON_FIELD",
    "JSON_INVALID",
    "JSON_MESSAGE",
    "JSON_RULE",
    "JSON_TIME",
    "MISSING",
    "SUBSCHEMA_KEYWORDS",
    "AssertRule",
    "Clause",
    "SchemaMap",
    "TimeRule",
    "assert_rule_of",
    "assert_rules",
    "cache_directory",
    "cache_statistics",
    "copied",
    "delete_at",
    "directory_digest",
    "disk_cached",
    "escape",
    "find_config",
    "forget_directory_digests",
    "get_at",
    "identity_cached",
    "json_pointer",
    "json_time_rule",
    "load_yaml",
    "openapi_schema_roots",
    "parse_when",
    "put_at",
    "reachable",
    "read_toml",
    "ref_target",
    "reference_to",
    "resolve_ref",
    "schema_map",
    "split_pointer",
    "subschemas",
    "unescape",
    "walk",
    "xml_time_rule",
]

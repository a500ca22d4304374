"""loc: lines of control for Ukraine -- control areas, lines of contact, freezes, zones,
diffs and versioned offline maps.

Geometry is lon/lat (OGC:CRS84) everywhere in the API; areas are computed in an equal-area
CRS and lengths and buffers in a conformal CRS (see :mod:`loc.geo`). The public functions
below are loaded on first use, so ``import loc`` (and the ``loc`` command's help) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_API = {
    # errors
    "LocError": "loc.errors", "LocWarning": "loc.errors",
    # model and reference data
    "Snapshot": "loc.model", "from_geometries": "loc.model",
    "MISSION_REGIONS": "loc.reference.regions", "region": "loc.reference.regions",
    "region_key": "loc.reference.regions", "region_keys": "loc.reference.regions",
    "regions": "loc.reference.regions",
    "settlements": "loc.reference.settlements", "settlements_in": "loc.reference.settlements",
    "sample_paths": "loc.reference.sample",
    # reading and the store
    "read": "loc.io.inputs", "read_series": "loc.io.inputs", "sample": "loc.io.readers",
    "read_incidents": "loc.io.incidents", "load_agreement": "loc.io.agreements",
    "read_agreement": "loc.io.agreements", "Terms": "loc.io.agreements",
    "import_snapshots": "loc.io.store", "list_snapshots": "loc.io.store",
    "read_store": "loc.io.store",
    # analyses
    "stats": "loc.analysis.stats",
    "line_of_contact": "loc.analysis.line", "split_by_region": "loc.analysis.line",
    "line_history": "loc.analysis.history",
    "FREEZE_LABEL": "loc.analysis.freeze", "Freeze": "loc.analysis.freeze",
    "freeze": "loc.analysis.freeze",
    "buffer_zone": "loc.analysis.zones", "people_in": "loc.analysis.zones",
    "protected_sites": "loc.analysis.zones", "withdrawal_belts": "loc.analysis.zones",
    "Changes": "loc.analysis.diff", "diff": "loc.analysis.diff",
    "timeline": "loc.analysis.timeline",
    "movement": "loc.analysis.movement", "movement_series": "loc.analysis.movement",
    "sector_summary": "loc.analysis.movement",
    "Comparison": "loc.analysis.compare", "compare": "loc.analysis.compare",
    "Report": "loc.analysis.compliance", "check": "loc.analysis.compliance",
    "check_series": "loc.analysis.compliance", "classify": "loc.analysis.compliance",
    "Verification": "loc.analysis.verify", "verify_agreement": "loc.analysis.verify",
    # outputs
    "render": "loc.outputs.render",
}

__all__ = [
    "__version__",
    "Changes",
    "Comparison",
    "FREEZE_LABEL",
    "Freeze",
    "LocError",
    "LocWarning",
    "MISSION_REGIONS",
    "Report",
    "Snapshot",
    "Terms",
    "Verification",
    "buffer_zone",
    "check",
    "check_series",
    "classify",
    "compare",
    "diff",
    "freeze",
    "from_geometries",
    "import_snapshots",
    "line_history",
    "line_of_contact",
    "list_snapshots",
    "load_agreement",
    "movement",
    "movement_series",
    "people_in",
    "protected_sites",
    "read",
    "read_agreement",
    "read_incidents",
    "read_series",
    "read_store",
    "region",
    "region_key",
    "region_keys",
    "regions",
    "render",
    "sample",
    "sample_paths",
    "sector_summary",
    "settlements",
    "settlements_in",
    "split_by_region",
    "stats",
    "timeline",
    "verify_agreement",
    "withdrawal_belts",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from loc.analysis.compare import Comparison, compare
    from loc.analysis.compliance import Report, check, check_series, classify
    from loc.analysis.diff import Changes, diff
    from loc.analysis.freeze import FREEZE_LABEL, Freeze, freeze
    from loc.analysis.history import line_history
    from loc.analysis.line import line_of_contact, split_by_region
    from loc.analysis.movement import movement, movement_series, sector_summary
    from loc.analysis.stats import stats
    from loc.analysis.timeline import timeline
    from loc.analysis.verify import Verification, verify_agreement
    from loc.analysis.zones import buffer_zone, people_in, protected_sites, withdrawal_belts
    from loc.errors import LocError, LocWarning
    from loc.io.agreements import Terms, load_agreement, read_agreement
    from loc.io.incidents import read_incidents
    from loc.io.inputs import read, read_series
    from loc.io.readers import sample
    from loc.io.store import import_snapshots, list_snapshots, read_store
    from loc.model import Snapshot, from_geometries
    from loc.outputs.render import render
    from loc.reference.regions import MISSION_REGIONS, region, region_key, region_keys, regions
    from loc.reference.sample import sample_paths
    from loc.reference.settlements import settlements, settlements_in


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'loc' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

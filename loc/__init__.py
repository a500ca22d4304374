"""loc: lines of control for Ukraine -- control areas, lines of contact, freezes, zones,
diffs and versioned offline maps.

Geometry is lon/lat (OGC:CRS84) everywhere in the API; areas are computed in an equal-area
CRS and lengths and buffers in a conformal CRS (see :mod:`loc.crs`).
"""

from loc.compare import Comparison, compare
from loc.compliance import Report, check, check_series, classify, read_incidents
from loc.diff import Changes, diff
from loc.errors import LocError
from loc.freeze import FREEZE_LABEL, Freeze, freeze
from loc.line import line_of_contact, split_by_region
from loc.movement import movement, movement_series, sector_summary
from loc.regions import MISSION_REGIONS, region, region_key, regions
from loc.sample import sample, sample_paths
from loc.settlements import settlements, settlements_in
from loc.snapshot import LocWarning, Snapshot, from_geometries, read
from loc.store import import_snapshots, list_snapshots, read_store
from loc.timeline import timeline
from loc.zones import buffer_zone, load_agreement, people_in, protected_sites, withdrawal_belts

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "compare",
    "import_snapshots",
    "list_snapshots",
    "read_store",
    "Report",
    "check",
    "check_series",
    "classify",
    "read_incidents",
    "movement",
    "movement_series",
    "sector_summary",
    "buffer_zone",
    "load_agreement",
    "people_in",
    "protected_sites",
    "withdrawal_belts",
    "Changes",
    "diff",
    "timeline",
    "FREEZE_LABEL",
    "Freeze",
    "freeze",
    "line_of_contact",
    "split_by_region",
    "MISSION_REGIONS",
    "LocError",
    "LocWarning",
    "Snapshot",
    "__version__",
    "from_geometries",
    "read",
    "region",
    "region_key",
    "regions",
    "sample",
    "sample_paths",
    "settlements",
    "settlements_in",
]

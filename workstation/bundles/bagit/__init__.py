"""BagIt 1.0 (RFC 8493) bags: write one atomically, verify anyone's, unpack a hostile one safely.

Evidence bundles travel as bags, so a partner can check them with standard tools; and a
bag we receive is read as hostile input (links, traversal, bombs) until it has been checked.
"""

from workstation.bundles.bagit.model import (
    DEFAULT_LIMITS,
    BagError,
    BagInfo,
    BagLimits,
    BagReport,
    BagResult,
)
from workstation.bundles.bagit.names import (
    collision_key,
    decode_manifest_path,
    encode_manifest_path,
    human_size,
    path_problem,
    shown,
)
from workstation.bundles.bagit.unpack import unpack_bag
from workstation.bundles.bagit.verify import SUPPORTED_ALGORITHMS, inspect_bag, verify_bag
from workstation.bundles.bagit.writer import BAGIT_TXT, BagWriter

__all__ = [
    "BAGIT_TXT",
    "DEFAULT_LIMITS",
    "SUPPORTED_ALGORITHMS",
    "BagError",
    "BagInfo",
    "BagLimits",
    "BagReport",
    "BagResult",
    "BagWriter",
    "collision_key",
    "decode_manifest_path",
    "encode_manifest_path",
    "human_size",
    "inspect_bag",
    "path_problem",
    "shown",
    "unpack_bag",
    "verify_bag",
]

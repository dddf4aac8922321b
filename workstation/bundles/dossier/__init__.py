"""The dossier PDF of an evidence bundle: what a partner state's analyst reads first.

The bundle exporter fills a ``Dossier`` (plain data, no database) and calls
``write_report``; the PDF quotes every mark, shows every region as a crop and
carries the releasability marking on every page, in any script the sources use.
"""

from workstation.bundles.dossier.layout import (
    BODY_BOTTOM,
    BODY_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
)
from workstation.bundles.dossier.model import (
    Dossier,
    DossierCategory,
    DossierEntity,
    DossierFinding,
    DossierMark,
    DossierPair,
    DossierSource,
    ReportError,
)
from workstation.bundles.dossier.report import write_report
from workstation.bundles.dossier.sections import PASSAGE_WITHHELD, REGION_WITHHELD

__all__ = [
    "BODY_BOTTOM",
    "BODY_TOP",
    "MARGIN_X",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "PASSAGE_WITHHELD",
    "REGION_WITHHELD",
    "Dossier",
    "DossierCategory",
    "DossierEntity",
    "DossierFinding",
    "DossierMark",
    "DossierPair",
    "DossierSource",
    "ReportError",
    "write_report",
]

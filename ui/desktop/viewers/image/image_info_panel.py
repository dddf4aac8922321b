"""The facts a reviewer checks beside an image: size, format, capture time, camera, position.

Shows the metadata the import recorded for an image source (``Source.metadata``); it reads
nothing from the file itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workstation.geo.labels import centre_of, decimal_label
from workstation.sources.imagery import format_decimal_position, format_latitude, format_longitude

# (key, label) of each row, in the order shown.
ROWS = (
    ("size", "Size"),
    ("format", "Format"),
    ("captured", "Captured"),
    ("camera", "Camera"),
    ("description", "Description"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("decimal", "Decimal"),
    ("altitude", "Altitude"),
    ("position", "Position"),
    ("georeference", "Georeference"),
    ("scale", "Scale"),
    ("centre", "Centre"),
    ("sensor", "Sensor"),
    ("provider", "Provider"),
)
_ORIGINS = {
    "file": "from the file's GeoTIFF tags",
    "world-file": "from a world file",
    "hand": "by hand",
    "gsd": "a scale alone",
}


class ImageInfoPanel(QWidget):
    """EXIF and GPS facts of one image source, with a button to copy its coordinates.

    Args:
        parent: The parent widget.

    Signals:
        coordinatesCopied(str): The decimal coordinates were put on the clipboard.
    """

    coordinatesCopied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._decimal = ""
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._values: dict[str, QLabel] = {}
        for key, label in ROWS:
            value = QLabel(self)
            value.setObjectName(key)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self._form.addRow(f"{label}:", value)
            self._values[key] = value
        self.copy_button = QPushButton("Copy coordinates", self)
        self.copy_button.setToolTip("Copy the position as decimal degrees (latitude, longitude)")
        self.copy_button.clicked.connect(self.copy_coordinates)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.clear()

    def clear(self) -> None:
        """Show no image."""
        self.set_metadata(None)

    def set_metadata(
        self, metadata: Mapping[str, Any] | None, georeference: Mapping[str, Any] | None = None
    ) -> None:
        """Show the facts of an image source.

        Args:
            metadata: The source's metadata ('width', 'height', 'format', 'frames',
                'captured', 'captured_exif', 'camera_make', 'camera_model',
                'description', 'gps' {'lat', 'lon', 'alt'}); None for no image.
            georeference: The source's georeference as ``show --json`` gives it
                (origin, crs, gsd_metres, residual_metres, footprint, captured,
                sensor, provider), or None.
        """
        facts = _facts(metadata or {})
        centre = _georeference_facts(georeference, facts)
        for key, _label in ROWS:
            self._set_row(key, facts.get(key))
        gps = (metadata or {}).get("gps")
        lat, lon = _position(gps)
        if (lat is None or lon is None) and centre is not None:
            lon, lat = centre  # no camera position: the centre of the georeferenced picture
        self._decimal = (
            format_decimal_position(lat, lon) if lat is not None and lon is not None else ""
        )
        self.copy_button.setEnabled(bool(self._decimal))
        captured_exif = (metadata or {}).get("captured_exif")
        self._values["captured"].setToolTip(
            f"As the camera wrote it: {captured_exif}" if captured_exif else ""
        )

    def shown_facts(self) -> dict[str, str]:
        """The rows on show, by key (as in ROWS), with their text."""
        return {key: label.text() for key, label in self._values.items() if not label.isHidden()}

    @property
    def coordinates(self) -> str:
        """The position as 'lat, lon' in decimal degrees; empty when none is recorded."""
        return self._decimal

    def copy_coordinates(self) -> None:
        """Put the decimal coordinates on the clipboard."""
        if not self._decimal:
            return
        QGuiApplication.clipboard().setText(self._decimal)
        self.coordinatesCopied.emit(self._decimal)

    def _set_row(self, key: str, text: str | None) -> None:
        value = self._values[key]
        value.setText(text or "")
        self._form.setRowVisible(value, bool(text))


def _facts(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Row texts for the facts present in ``metadata``."""
    facts: dict[str, str] = {}
    if not metadata:
        return facts
    width, height = metadata.get("width"), metadata.get("height")
    if isinstance(width, int) and isinstance(height, int):
        megapixels = width * height / 1e6
        size = f"{width:,} × {height:,} px ({megapixels:,.1f} MP)"
        frames = metadata.get("frames")
        if isinstance(frames, int) and frames > 1:
            size += f", {frames} frames"
        facts["size"] = size
    if metadata.get("format"):
        facts["format"] = str(metadata["format"])
    captured = _captured(metadata.get("captured"))
    if captured:
        facts["captured"] = captured
    camera = _camera(metadata.get("camera_make"), metadata.get("camera_model"))
    if camera:
        facts["camera"] = camera
    if metadata.get("description"):
        facts["description"] = str(metadata["description"])
    lat, lon = _position(metadata.get("gps"))
    if lat is not None and lon is not None:
        facts["latitude"] = format_latitude(lat)
        facts["longitude"] = format_longitude(lon)
        facts["decimal"] = format_decimal_position(lat, lon)
        alt = metadata["gps"].get("alt")
        if isinstance(alt, int | float):
            where = "above" if alt >= 0 else "below"
            facts["altitude"] = f"{abs(alt):,.1f} m {where} sea level"
    else:
        facts["position"] = "not recorded"
    return facts


def _georeference_facts(
    g: Mapping[str, Any] | None, facts: dict[str, str]
) -> tuple[float, float] | None:
    """Add the georeference's rows to ``facts``; return its centre (lon, lat) when located."""
    if not g:
        return None
    crs = g.get("crs")
    how = _ORIGINS.get(str(g.get("origin")), str(g.get("origin")))
    if g.get("origin") == "hand" and g.get("control_points"):
        how += f" from {len(g['control_points'])} points"
    facts["georeference"] = f"{crs}, {how}" if crs and len(crs) < 40 else how
    gsd, residual = g.get("gsd_metres"), g.get("residual_metres")
    if isinstance(gsd, int | float):
        scale = f"{gsd:.3g} m per pixel"
        if isinstance(residual, int | float):
            scale += f", residual {residual:.2g} m"
        facts["scale"] = scale
    for key in ("sensor", "provider"):
        if g.get(key):
            facts[key] = str(g[key])
    if "captured" not in facts and g.get("captured"):
        facts["captured"] = _captured(g["captured"])
    footprint = g.get("footprint")
    if not footprint:
        return None
    facts.pop("position", None)
    lon, lat = centre_of(footprint)
    facts["centre"] = decimal_label(lon, lat)
    return lon, lat


def _position(gps: object) -> tuple[float | None, float | None]:
    if not isinstance(gps, Mapping):
        return None, None
    lat, lon = gps.get("lat"), gps.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None, None


def _captured(value: object) -> str:
    """'2024-03-01 03:34:56 UTC', or the camera's clock when it recorded no time zone."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M:%S} (camera clock, time zone unknown)"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _camera(make: object, model: object) -> str:
    make_text = str(make).strip() if make else ""
    model_text = str(model).strip() if model else ""
    if make_text and model_text.lower().startswith(make_text.lower()):
        return model_text
    return " ".join(part for part in (make_text, model_text) if part)


__all__ = ["ROWS", "ImageInfoPanel"]

"""The frozen application's entry point: the ``workstation`` command, GUI and CLI in one.

``workstation`` with no command opens the desktop app, as the console script
does; ``workstation selftest-gui LIBRARY`` opens the window offscreen on a
library and closes it (what the offline proof and a support call use). Before
Qt loads, fonts for Korean, Japanese and Chinese (Droid Sans Fallback, the font
PyMuPDF carries inside libmupdf, written once to the user's cache) and Cyrillic
(DejaVu Sans, shipped beside the program) are added to fontconfig's search after
the system's own, so titles never show as boxes on a bare machine.
The OCR models shipped beside the program (``ocr-models/``) are used when the
system has not got them all.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">{system}</include>
  <dir>{fonts}</dir>
  <dir>{cjk}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""
CJK_FONT = "DroidSansFallback.ttf"


def bundle_dir() -> Path:
    """Where the frozen app's data lives (PyInstaller's _internal), or this folder."""
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))


def write_cjk_font(folder: Path) -> None:
    """PyMuPDF's built-in CJK font as a file fontconfig can read, once.

    libmupdf carries Droid Sans Fallback (Hangul, kana, simplified and traditional
    Han, 3.6 MB), which the dossier uses through PyMuPDF; Qt gets the same bytes
    instead of a second CJK font shipped in the app (Noto Sans CJK, 19.5 MB).
    """
    font = folder / CJK_FONT
    if font.is_file():
        return
    import pymupdf  # lazy: only on the first start (the app imports it anyway)

    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (CJK_FONT + ".partial")
    try:
        partial.write_bytes(pymupdf.Font("cjk").buffer)
        partial.replace(font)  # never a half-written font under the name fontconfig reads
    finally:
        partial.unlink(missing_ok=True)


def use_bundled_fonts(bundle: Path) -> None:
    """Point fontconfig (and Qt's fallback) at the shipped fonts after the system's."""
    fonts = bundle / "fonts"
    if not fonts.is_dir() or sys.platform != "linux":
        return
    os.environ.setdefault("QT_QPA_FONTDIR", str(fonts))  # Qt without fontconfig
    if "FONTCONFIG_FILE" in os.environ:
        return
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache = cache_home / "evidence-workstation" / "fontconfig"
    cjk = cache_home / "evidence-workstation" / "fonts"
    system = os.environ.get("FONTCONFIG_SYSTEM_FILE", "/etc/fonts/fonts.conf")
    conf = cache / "fonts.conf"
    text = FONTS_CONF.format(system=system, fonts=fonts, cjk=cjk, cache=cache)
    try:
        write_cjk_font(cjk)
        cache.mkdir(parents=True, exist_ok=True)
        if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
            conf.write_text(text, encoding="utf-8")
    except OSError:
        return  # a read-only home: the system's fonts only
    os.environ["FONTCONFIG_FILE"] = str(conf)


def shipped_models(bundle: Path) -> Path | None:
    """The OCR models that came with the app (``ocr-models/`` beside the program),
    else any inside the bundle."""
    program = Path(sys.executable).resolve().parent
    for folder in (program / "ocr-models", bundle / "tessdata"):
        if any(folder.glob("*.traineddata")):
            return folder
    return None


def use_shipped_models(bundle: Path) -> None:
    """Point the OCR engine (TESSDATA_PREFIX) at the shipped models unless told otherwise
    or the system has every one of them (Debian's tesseract-ocr-* packages)."""
    shipped = shipped_models(bundle)
    if shipped is None or os.environ.get("TESSDATA_PREFIX"):
        return
    from workstation.ocr.engine import tessdata_dir  # lazy: after the font set-up

    system = tessdata_dir()  # the first system folder with models, as `uv run` finds it
    if all((system / model.name).is_file() for model in shipped.glob("*.traineddata")):
        return
    os.environ["TESSDATA_PREFIX"] = str(shipped)


def use_xcb_without_wayland(bundle: Path) -> None:
    """The Linux build ships Qt's X11 platform and not Wayland's: name xcb (XWayland on a
    Wayland desktop) unless told otherwise, so Qt does not first look for Wayland's and
    print that it could not find it."""
    platforms = bundle / "PySide6" / "Qt" / "plugins" / "platforms"
    if (platforms / "libqxcb.so").is_file() and not (platforms / "libqwayland.so").is_file():
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")


def main() -> int:
    use_bundled_fonts(bundle_dir())
    use_shipped_models(bundle_dir())
    argv = sys.argv[1:]
    if argv[:1] == ["selftest-gui"]:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import smoke_gui  # lazy: only for the self-test

        return smoke_gui.main(argv[1:])
    use_xcb_without_wayland(bundle_dir())
    from ui.cli.main import main as cli_main  # lazy: after the font set-up

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())

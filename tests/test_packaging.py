"""The packaging helpers that run inside the app or decide what ships (issue 15).

The frozen app's launcher adds a CJK font (PyMuPDF's own, written out once) and
the shipped Cyrillic one after the system's, so a machine with no such fonts
shows Korean, Japanese and Chinese titles instead of boxes;
the wheelhouse builds a wheel only for what PyPI publishes without one. It also
points the OCR engine at the models shipped beside the app when the system lacks
some, and the build's size cuts (patchelf padding, Qt's ICU data) leave working
libraries.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.scans import make_scanned_image
from workstation.ocr import engine

PACKAGING = ROOT / "packaging"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Which families Qt offers for CJK and Cyrillic text, in a fresh process.
PROBE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import launcher
if sys.argv[2] != "-":
    launcher.use_bundled_fonts(Path(sys.argv[2]))
from PySide6.QtGui import QFontDatabase, QGuiApplication
app = QGuiApplication([])
ws = QFontDatabase.WritingSystem
print(json.dumps({
    "korean": QFontDatabase.families(ws.Korean),
    "japanese": QFontDatabase.families(ws.Japanese),
    "simplified": QFontDatabase.families(ws.SimplifiedChinese),
    "traditional": QFontDatabase.families(ws.TraditionalChinese),
    "cyrillic": QFontDatabase.families(ws.Cyrillic),
}))
"""


def _families(tmp_path: Path, bundle: Path | None, env: dict[str, str]) -> dict[str, list[str]]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    full.update(QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=str(tmp_path / "cache"), **env)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(PACKAGING), str(bundle) if bundle else "-"],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.skipif(
    sys.platform != "linux" or not DEJAVU.is_file(),
    reason="needs Linux with fonts-dejavu-core (.ci/run installs it)",
)
def test_shipped_fonts_cover_cjk_and_cyrillic_on_a_machine_with_none(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "fonts").mkdir(parents=True)
    (bundle / "fonts" / DEJAVU.name).symlink_to(DEJAVU)
    bare = tmp_path / "no-fonts.conf"
    bare.write_text(f"<fontconfig><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>\n")

    # A machine with no fonts at all: Qt has nothing for Korean (boxes) ...
    without = _families(tmp_path, None, {"FONTCONFIG_FILE": str(bare)})
    assert without["korean"] == []
    # ... and the launcher's set-up brings the shipped ones in after the (empty) system's.
    with_fonts = _families(tmp_path, bundle, {"FONTCONFIG_SYSTEM_FILE": str(bare)})
    for script in ("korean", "japanese", "simplified", "traditional"):
        assert "Droid Sans Fallback" in with_fonts[script], script
    assert "DejaVu Sans" in with_fonts["cyrillic"]
    # The CJK font is PyMuPDF's own bytes (the dossier's), written once, whole.
    written = tmp_path / "cache" / "evidence-workstation" / "fonts" / "DroidSansFallback.ttf"
    assert written.read_bytes() == pymupdf.Font("cjk").buffer
    assert [p.name for p in written.parent.iterdir()] == [written.name]
    conf = (tmp_path / "cache" / "evidence-workstation" / "fontconfig" / "fonts.conf").read_text()
    assert conf.index(str(bare)) < conf.index(str(bundle / "fonts"))


def test_launcher_leaves_a_chosen_fontconfig_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        import launcher  # lazy: packaging/ is not a package
    finally:
        sys.path.remove(str(PACKAGING))
    (tmp_path / "fonts").mkdir()
    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/my-fonts.conf")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    launcher.use_bundled_fonts(tmp_path)
    assert os.environ["FONTCONFIG_FILE"] == "/etc/my-fonts.conf"
    assert not (tmp_path / "cache").exists()


def test_the_wheelhouse_builds_only_what_has_no_wheel(tmp_path: Path) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        import requirements_split  # lazy: packaging/ is not a package
    finally:
        sys.path.remove(str(PACKAGING))
    exported = (
        "alembic==1.20.1 \\\n    --hash=sha256:aa\n    # via evidence-workstation\n"
        "pyvips==3.2.0 \\\n    --hash=sha256:bb\n"
        "pycparser==3.12 ; implementation_name != 'PyPy' \\\n    --hash=sha256:cc\n"
    )
    (tmp_path / "req.txt").write_text(exported)
    (tmp_path / "uv.lock").write_text(
        "version = 1\n"
        '[[package]]\nname = "alembic"\nversion = "1.20.1"\n'
        'sdist = { url = "a.tar.gz" }\nwheels = [{ url = "a.whl" }]\n'
        '[[package]]\nname = "pyvips"\nversion = "3.2.0"\nsdist = { url = "p.tar.gz" }\n'
        '[[package]]\nname = "pycparser"\nversion = "3.12"\nwheels = [{ url = "c.whl" }]\n'
    )
    code = requirements_split.main(
        [str(tmp_path / n) for n in ("uv.lock", "req.txt", "w.txt", "s.txt")]
    )
    assert code == 0
    assert (tmp_path / "s.txt").read_text() == "pyvips==3.2.0 \\\n    --hash=sha256:bb\n"
    wheels = (tmp_path / "w.txt").read_text()
    assert wheels.startswith("alembic==1.20.1 \\\n    --hash=sha256:aa\n")
    assert "pycparser==3.12" in wheels
    assert "pyvips" not in wheels


def _packaging_module(name: str) -> Any:
    sys.path.insert(0, str(PACKAGING))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(PACKAGING))


def _models(folder: Path, codes: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    for code in codes:
        (folder / f"{code}.traineddata").symlink_to(engine.tessdata_dir() / f"{code}.traineddata")
    return folder


@pytest.mark.skipif(
    not all((engine.tessdata_dir() / f"{c}.traineddata").is_file() for c in ("eng", "kor", "osd")),
    reason="needs Debian's tesseract-ocr-eng, -kor and -osd (.ci/run installs them)",
)
def test_launcher_reads_with_the_shipped_models_where_the_system_lacks_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launcher = _packaging_module("launcher")
    shipped = _models(tmp_path / "bundle" / "tessdata", ("eng", "kor", "osd"))
    monkeypatch.setenv("TESSDATA_PREFIX", "")  # so that what the launcher sets is undone
    monkeypatch.delenv("TESSDATA_PREFIX")
    # A laptop with tesseract-ocr-eng alone installed: its folder lacks Korean.
    system = _models(tmp_path / "system", ("eng",))
    monkeypatch.setattr(engine, "_TESSDATA_CANDIDATES", (str(system),))
    with pytest.raises(engine.OcrModelMissingError):
        engine.check_models(("kor",))

    launcher.use_shipped_models(tmp_path / "bundle")

    assert os.environ["TESSDATA_PREFIX"] == str(shipped)
    assert engine.check_models(("kor",))["kor"].startswith("kor.traineddata sha256:")
    scan = make_scanned_image(tmp_path, ["Port call at Nampo", "IMO 9379301"])
    with Image.open(scan) as picture:
        reading = engine.read_picture(picture, ("auto",), 200)
    assert "Nampo" in {word.text for word in reading.words}


def test_launcher_leaves_the_systems_models_or_a_chosen_folder_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launcher = _packaging_module("launcher")
    (tmp_path / "bundle" / "tessdata").mkdir(parents=True)
    (tmp_path / "bundle" / "tessdata" / "eng.traineddata").write_bytes(b"model")
    system = tmp_path / "system"
    system.mkdir()
    (system / "eng.traineddata").write_bytes(b"model")
    monkeypatch.setattr(engine, "_TESSDATA_CANDIDATES", (str(system),))
    monkeypatch.setenv("TESSDATA_PREFIX", "")  # so that what the launcher sets is undone
    monkeypatch.delenv("TESSDATA_PREFIX")
    launcher.use_shipped_models(tmp_path / "bundle")  # the system has them all
    assert "TESSDATA_PREFIX" not in os.environ
    monkeypatch.setenv("TESSDATA_PREFIX", "/srv/my-models")
    (system / "eng.traineddata").unlink()
    launcher.use_shipped_models(tmp_path / "bundle")  # the reviewer's own choice
    assert os.environ["TESSDATA_PREFIX"] == "/srv/my-models"


def test_compacted_wheel_libraries_are_smaller_and_still_run(tmp_path: Path) -> None:
    """tesserocr's bundled libraries carry patchelf's 2 MiB padding; without it (and
    their debug sections) Tesseract still loads and answers."""
    elf_compact = _packaging_module("elf_compact")
    import tesserocr  # lazy: only to find its wheel's libraries

    source = Path(tesserocr.__file__).parent.parent / "tesserocr.libs"
    copy = tmp_path / "tesserocr.libs"
    shutil.copytree(source, copy)
    before = {p.name: p.stat().st_size for p in copy.iterdir()}
    assert elf_compact.main([str(copy)]) == 0
    after = {p.name: p.stat().st_size for p in copy.iterdir()}
    assert all(after[name] <= before[name] for name in before)
    assert sum(before.values()) - sum(after.values()) > 5_000_000
    tesseract = next(copy.glob("libtesseract-*.so*"))
    probe = (
        "import ctypes, sys\n"
        "lib = ctypes.CDLL(sys.argv[1])\n"
        "lib.TessVersion.restype = ctypes.c_char_p\n"
        "print(lib.TessVersion().decode())\n"
        "print(sys.argv[1] in open('/proc/self/maps').read())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tesseract)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [tesserocr.tesseract_version().split()[1], "True"]


COLLATE = """
import json
from PySide6.QtCore import QCollator, QLocale
words = ["가나", "나비", "apple", "Banana", "яблоко", "ёж", "東京", "大阪", "北京", "上海",
         "ひらがな", "カタカナ", "Zebra", "Ä", "é"]
print(json.dumps({loc: sorted(words, key=QCollator(QLocale(loc)).sortKey)
                  for loc in ("en_US", "ru_RU", "ko_KR", "ja_JP", "zh_CN", "zh_TW", "de_DE")}))
print(open("/proc/self/maps").read().count("/trimmed/libicudata"))
"""


@pytest.mark.skipif(
    sys.platform != "linux" or not shutil.which("icupkg") or not shutil.which("gcc"),
    reason="needs Linux with icupkg (icu-devtools) and gcc (.ci/run installs them as root)",
)
def test_trimmed_icu_sorts_the_reviewers_languages_as_the_full_data_does(
    tmp_path: Path,
) -> None:
    trim_icu = _packaging_module("trim_icu")
    import PySide6  # lazy: only to find Qt's ICU

    full = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.[0-9]*"))
    trimmed = tmp_path / "trimmed"
    trimmed.mkdir()
    shutil.copy(full, trimmed)
    assert trim_icu.main([str(trimmed)]) == 0
    assert (trimmed / full.name).stat().st_size < full.stat().st_size / 2

    def collate(**env: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", COLLATE],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-2:]

    with_full, with_trimmed = collate(), collate(LD_LIBRARY_PATH=str(trimmed))
    assert with_full[1] == "0"
    assert with_trimmed[1] != "0"  # the trimmed one was loaded
    assert with_trimmed[0] == with_full[0]


PROJ_PROBE = """
import json, sys
import pyproj
pyproj.datadir.set_data_dir(sys.argv[1])
counts = {a: len(pyproj.database.query_crs_info(auth_name=a))
          for a in pyproj.database.get_authorities()}
wkt = {c: pyproj.CRS(c).to_wkt() for c in ("EPSG:32652", "EPSG:5179", "EPSG:6677", "EPSG:4490",
                                           "EPSG:3857", "ESRI:102100", "IGNF:LAMB93")}
there = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True)
print(json.dumps({"counts": counts, "wkt": wkt, "utm": there.transform(127.5, 38.9)}))
"""


def test_trimmed_proj_db_keeps_every_earth_crs(tmp_path: Path) -> None:
    """Only the IAU's planetary systems leave proj.db; every EPSG, ESRI and IGNF CRS a
    GeoTIFF or a reviewer can name resolves as before, transformations alike."""
    trim_proj = _packaging_module("trim_proj")
    import pyproj  # lazy: only to find its data

    full = Path(pyproj.datadir.get_data_dir())
    trimmed = tmp_path / "proj"
    shutil.copytree(full, trimmed)
    assert trim_proj.main([str(trimmed / "proj.db")]) == 0
    assert (trimmed / "proj.db").stat().st_size < (full / "proj.db").stat().st_size - 400_000

    def probe(folder: Path) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", PROJ_PROBE, str(folder)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    before, after = probe(full), probe(trimmed)
    assert before["counts"].pop("IAU_2015") > 2000
    assert after["counts"] == before["counts"]
    assert after["wkt"] == before["wkt"]
    assert after["utm"] == before["utm"]


def test_launcher_names_xcb_where_the_build_has_no_wayland(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launcher = _packaging_module("launcher")
    platforms = tmp_path / "PySide6" / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(b"")
    (platforms / "libqwayland.so").write_bytes(b"")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    launcher.use_xcb_without_wayland(tmp_path)  # Qt chooses between the two itself
    assert "QT_QPA_PLATFORM" not in os.environ
    (platforms / "libqwayland.so").unlink()
    launcher.use_xcb_without_wayland(tmp_path)  # the Linux build: X11 only
    assert os.environ["QT_QPA_PLATFORM"] == "xcb"
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    launcher.use_xcb_without_wayland(tmp_path)  # the reviewer's (or the self-test's) choice
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_trim_proj_says_so_in_one_line_when_there_is_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trim_proj = _packaging_module("trim_proj")
    assert trim_proj.main([str(tmp_path / "proj.db")]) == 1
    assert capsys.readouterr().err == f"trim_proj: no PROJ database at {tmp_path / 'proj.db'}\n"
    assert list(tmp_path.iterdir()) == []

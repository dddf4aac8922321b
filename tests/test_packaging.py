"""The packaging helpers that run inside the app or decide what ships (issue 15).

The frozen app's launcher adds the shipped CJK and Cyrillic fonts after the
system's, so a machine with no such fonts shows Korean titles instead of boxes;
the wheelhouse builds a wheel only for what PyPI publishes without one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGING = ROOT / "packaging"
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Which families Qt offers for Korean and Cyrillic text, in a fresh process.
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
    sys.platform != "linux" or not NOTO_CJK.is_file() or not DEJAVU.is_file(),
    reason="needs Linux with fonts-noto-cjk and fonts-dejavu-core (.ci/run installs them)",
)
def test_shipped_fonts_cover_korean_and_cyrillic_on_a_machine_with_none(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "fonts").mkdir(parents=True)
    (bundle / "fonts" / NOTO_CJK.name).symlink_to(NOTO_CJK)
    (bundle / "fonts" / DEJAVU.name).symlink_to(DEJAVU)
    bare = tmp_path / "no-fonts.conf"
    bare.write_text(f"<fontconfig><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>\n")

    # A machine with no fonts at all: Qt has nothing for Korean (boxes) ...
    without = _families(tmp_path, None, {"FONTCONFIG_FILE": str(bare)})
    assert without["korean"] == []
    # ... and the launcher's set-up brings the shipped ones in after the (empty) system's.
    with_fonts = _families(tmp_path, bundle, {"FONTCONFIG_SYSTEM_FILE": str(bare)})
    assert any(f.startswith("Noto Sans CJK") for f in with_fonts["korean"])
    assert "DejaVu Sans" in with_fonts["cyrillic"]
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

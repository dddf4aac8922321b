# Build the self-contained Windows x86-64 application (written and reviewed,
# NOT built on the Linux build machine; see packaging/README.md):
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build-windows.ps1
#     -> dist\evidence-workstation-<version>-windows-x86_64.zip (+ SHA256SUMS)
#
# Needs: Windows 10/11 x64, Python 3.11 to 3.13 and uv on PATH, a checkout.
# Fonts: Windows ships Malgun Gothic, Yu Gothic, Microsoft YaHei and Segoe UI
# (Cyrillic), which Qt finds itself, so none are bundled here.
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
$Version = (& uv run --frozen python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])").Trim()
$Parts = ($Version.Split(".") + @("0", "0", "0"))[0..3] -join ", "

# The version resource, with this release's numbers.
$Info = Get-Content "packaging\windows\version_info.txt" -Raw
$Info = $Info -replace "\(0, 1, 0, 0\)", "($Parts)" -replace "'0\.1\.0'", "'$Version'"
New-Item -ItemType Directory -Force -Path "build\windows" | Out-Null
Set-Content -Path "build\windows\version_info.txt" -Value $Info -Encoding UTF8
Copy-Item "build\windows\version_info.txt" "packaging\windows\version_info.build.txt"

$env:WORKSTATION_VERSION = $Version
& uv run --frozen --group package pyinstaller --noconfirm --clean --log-level WARN `
    --distpath build\windows\dist --workpath build\windows\work packaging\evidence-workstation.spec
if ($LASTEXITCODE -ne 0) { throw "pyinstaller failed" }
Remove-Item "packaging\windows\version_info.build.txt"

$App = "build\windows\dist\evidence-workstation"
$Plugins = "$App\_internal\PySide6\plugins"
foreach ($unused in "networkinformation", "tls", "sqldrivers", "qmltooling", "designer", "printsupport", "generic") {
    if (Test-Path "$Plugins\$unused") { Remove-Item -Recurse -Force "$Plugins\$unused" }
}

# The self-test, offscreen, before anything is shipped.
$Lib = Join-Path $env:TEMP ("workstation-build-" + [guid]::NewGuid())
$env:QT_QPA_PLATFORM = "offscreen"; $env:WORKSTATION_REVIEWER = "build"
& "$App\workstation.exe" --library $Lib demo --no-gui | Out-Null
if ($LASTEXITCODE -ne 0) { throw "the frozen app's demo failed" }
& "$App\workstation.exe" selftest-gui $Lib
if ($LASTEXITCODE -ne 0) { throw "the frozen app's window did not open" }
Remove-Item -Recurse -Force $Lib

New-Item -ItemType Directory -Force -Path dist | Out-Null
$Zip = "dist\evidence-workstation-$Version-windows-x86_64.zip"
Compress-Archive -Path $App -DestinationPath $Zip -Force
Write-Output "built $Zip; sign the dist folder with: uv run workstation --library RELEASE-LIB sign-release dist --key FP"

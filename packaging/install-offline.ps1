# Install Evidence Workstation on Windows from an offline wheelhouse into a fresh
# virtual environment: no index, no network, every wheel checked against its
# pinned SHA-256; then a self-test on a scratch demo library (demo, check,
# search, export, verify, the window offscreen). The same steps as
# install-offline.sh. Written and reviewed, not run here (no Windows machine):
# see packaging/README.md.
#
#   powershell -ExecutionPolicy Bypass -File install-offline.ps1 -Wheelhouse DIR
#       [-Venv DIR] [-Python py] [-Key RELEASE-KEY.pem]
param(
    [Parameter(Mandatory = $true)][string]$Wheelhouse,
    [string]$Venv = (Join-Path $env:LOCALAPPDATA "EvidenceWorkstation\venv"),
    [string]$Python = "py",
    [string]$Key = ""
)
$ErrorActionPreference = "Stop"
function Fail([string]$Message) { [Console]::Error.WriteLine("workstation install: $Message"); exit 1 }

$House = (Resolve-Path $Wheelhouse).Path
if (-not (Test-Path (Join-Path $House "requirements.txt")) -or -not (Test-Path (Join-Path $House "wheels"))) {
    Fail "$House is not a wheelhouse (no requirements.txt and wheels\)"
}

if ($Key) {
    $Sums = Join-Path $House "SHA256SUMS"
    $Sig = Join-Path $House "SHA256SUMS.sig"
    if (-not (Test-Path $Sums) -or -not (Test-Path $Sig)) { Fail "the wheelhouse is not signed; nothing installed" }
    # OpenSSL 3 (e.g. from Git for Windows) checks the Ed25519 signature.
    & openssl pkeyutl -verify -pubin -inkey $Key -rawin -in $Sums -sigfile $Sig | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail "the signature on SHA256SUMS is bad or made by another key; nothing installed" }
    $Listed = @{}
    foreach ($line in Get-Content $Sums) {
        $hash, $name = $line -split "  ", 2
        $file = Join-Path $House ($name -replace "/", "\")
        if (-not (Test-Path $file)) { Fail "$name is listed in SHA256SUMS and missing; nothing installed" }
        $actual = (Get-FileHash -Algorithm SHA256 $file).Hash.ToLower()
        if ($actual -ne $hash) { Fail "$name differs from SHA256SUMS; nothing installed" }
        $Listed[$name] = $true
    }
    foreach ($file in Get-ChildItem -Recurse -File $House) {
        $rel = $file.FullName.Substring($House.Length + 1) -replace "\\", "/"
        if ($rel -notlike "SHA256SUMS*" -and -not $Listed.ContainsKey($rel)) {
            Fail "$rel is not part of the release (not in SHA256SUMS); nothing installed"
        }
    }
}

$PyArgs = @()
if ($Python -eq "py") { $PyArgs = @("-3") }
& $Python @PyArgs -c "import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))"
if ($LASTEXITCODE -ne 0) { Fail "$Python is not Python 3.11 to 3.13" }

$New = "$Venv.new"
if (Test-Path $New) { Remove-Item -Recurse -Force $New }
New-Item -ItemType Directory -Force -Path (Split-Path $Venv) | Out-Null
& $Python @PyArgs -m venv $New
if ($LASTEXITCODE -ne 0) { Fail "could not create a virtual environment" }
foreach ($var in "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONSTRAINT") {
    Remove-Item "Env:$var" -ErrorAction SilentlyContinue
}
$Py = Join-Path $New "Scripts\python.exe"
& $Py -m pip --isolated install --quiet --no-index --find-links (Join-Path $House "wheels") `
    --require-hashes --only-binary=:all: -r (Join-Path $House "requirements.txt")
if ($LASTEXITCODE -ne 0) { Remove-Item -Recurse -Force $New; Fail "pip could not install from $House; nothing changed" }

$Scratch = Join-Path ([IO.Path]::GetTempPath()) ("workstation-selftest-" + [guid]::NewGuid())
$Ws = Join-Path $New "Scripts\workstation.exe"
$env:WORKSTATION_REVIEWER = "install-selftest"
$env:QT_QPA_PLATFORM = "offscreen"
$Lib = Join-Path $Scratch "lib"
$ok = $true
& $Ws --library $Lib demo --no-gui | Out-Null; $ok = $ok -and ($LASTEXITCODE -eq 0)
& $Ws --library $Lib check | Out-Null; $ok = $ok -and ($LASTEXITCODE -eq 0)
$hits = & $Ws --library $Lib search Rajin; $ok = $ok -and ($LASTEXITCODE -eq 0) -and ($hits -match "Rajin")
& $Ws --library $Lib export --out (Join-Path $Scratch "bundle.zip") | Out-Null; $ok = $ok -and ($LASTEXITCODE -eq 0)
& $Ws --library $Lib verify (Join-Path $Scratch "bundle.zip") | Out-Null; $ok = $ok -and ($LASTEXITCODE -in 0, 4)
& $Py (Join-Path $House "smoke_gui.py") $Lib; $ok = $ok -and ($LASTEXITCODE -eq 0)
Remove-Item -Recurse -Force $Scratch -ErrorAction SilentlyContinue
if (-not $ok) { Remove-Item -Recurse -Force $New; Fail "the self-test failed (demo, check, search, export, window); nothing changed" }

# Windows venvs' launchers (Scripts\*.exe) name their interpreter by path:
# reinstall the project's wheel alone in the final place to rewrite them.
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Move-Item $New $Venv
$Py = Join-Path $Venv "Scripts\python.exe"
$Pin = Join-Path ([IO.Path]::GetTempPath()) ("workstation-pin-" + [guid]::NewGuid() + ".txt")
Get-Content (Join-Path $House "requirements.txt") | Where-Object { $_ -like "evidence-workstation==*" } | Set-Content $Pin
& $Py -m pip --isolated install --quiet --no-index --find-links (Join-Path $House "wheels") `
    --require-hashes --no-deps --force-reinstall -r $Pin
Remove-Item $Pin
Write-Output "installed: Evidence Workstation in $Venv (self-test passed)"
Write-Output "run: $(Join-Path $Venv 'Scripts\workstation.exe')"

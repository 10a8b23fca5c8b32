# Bootstraps and runs the build project (build/_build.csproj) with the given arguments, like NUKE's build.ps1:
# uses the dotnet on PATH when it has the SDK global.json asks for, otherwise installs that SDK into .nuke/temp.
[CmdletBinding()]
Param(
    [Parameter(Position = 0, Mandatory = $false, ValueFromRemainingArguments = $true)]
    [string[]]$BuildArguments
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
Set-StrictMode -Version 2.0

$ScriptDir = Split-Path $MyInvocation.MyCommand.Path -Parent
$BuildProjectFile = Join-Path $ScriptDir "build/_build.csproj"
$BuildOutput = Join-Path $ScriptDir "build/bin/Debug"
$BuildDll = Join-Path $BuildOutput "_build.dll"
$TempDirectory = Join-Path $ScriptDir ".nuke/temp"
# Its own stamp (build.sh hashes differently): switching between the two scripts does not rebuild each time.
$Stamp = Join-Path $TempDirectory "build.ps1.stamp"
$DotNetGlobalFile = Join-Path $ScriptDir "global.json"
$DotNetInstallUrl = "https://dot.net/v1/dotnet-install.ps1"

$env:DOTNET_CLI_TELEMETRY_OPTOUT = 1
$env:DOTNET_NOLOGO = 1
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = 1
$env:NUKE_TELEMETRY_OPTOUT = 1
# The root is this script's folder, whatever the current directory (relative paths given stay relative to it).
$env:NUKE_ROOT_DIRECTORY = $ScriptDir

# Everything the build's output depends on: its sources and the files that steer MSBuild and the SDK.
function Get-Inputs {
    $files = foreach ($folder in "build", "source") {
        if (!(Test-Path (Join-Path $ScriptDir $folder) -PathType Container)) { continue }
        Get-ChildItem -Path (Join-Path $ScriptDir $folder) -Recurse -File |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    }
    $files = @($files)
    foreach ($name in "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "NuGet.config", "nuget.config") {
        $path = Join-Path $ScriptDir $name
        if (Test-Path $path -PathType Leaf) { $files += Get-Item $path }
    }
    return $files
}

# The stamp holds the SDK used and a hash of the input names (so a deleted or renamed file counts), and carries
# the time the last successful build started (so a file edited during that build counts too).
function Get-State([string]$DotNet, $Files) {
    $names = ($Files | ForEach-Object { $_.FullName } | Sort-Object) -join "`n"
    $bytes = [System.Text.Encoding]::UTF8.GetBytes("$DotNet`n$names")
    $hash = [System.Security.Cryptography.SHA256]::Create().ComputeHash($bytes)
    return [System.BitConverter]::ToString($hash).Replace("-", "")
}

function Test-UpToDate([string]$DotNet) {
    if (!(Test-Path $BuildDll) -or !(Test-Path $Stamp)) { return $false }
    $lines = @(Get-Content $Stamp)
    $files = Get-Inputs
    if ($lines.Count -lt 2 -or $lines[1] -ne (Get-State $DotNet $files)) { return $false }
    $built = (Get-Item $Stamp).LastWriteTimeUtc
    return -not ($files | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}

function Invoke-Build([string]$DotNet) {
    & $DotNet $BuildDll @BuildArguments
    exit $LASTEXITCODE
}

# Fast path: NUKE always runs `dotnet build` (seconds); we go straight to the built dll when nothing changed.
if (Test-Path $Stamp) {
    $stamped = @(Get-Content $Stamp)[0]
    if ($stamped -and (Test-Path $stamped -PathType Leaf) -and (Test-UpToDate $stamped)) {
        if ($stamped.StartsWith($TempDirectory)) { $env:DOTNET_ROOT = Split-Path $stamped -Parent }
        Invoke-Build $stamped
    }
}

# The SDK global.json asks for: major.minor of "version", any later patch or feature band (rollForward latestFeature).
$WantedVersion = (Get-Content $DotNetGlobalFile -Raw | ConvertFrom-Json).sdk.version
$WantedMajorMinor = $WantedVersion.Substring(0, $WantedVersion.LastIndexOf("."))

function Test-Sdk([string]$DotNet) {
    if (!$DotNet -or !(Test-Path $DotNet -PathType Leaf)) { return $false }
    $sdks = & $DotNet --list-sdks 2>$null
    return [bool]($sdks | Where-Object { $_.StartsWith("$WantedMajorMinor.") })
}

$onPath = Get-Command "dotnet" -ErrorAction SilentlyContinue
if ($onPath -and (Test-Sdk $onPath.Source)) {
    $DotNetExe = $onPath.Source
}
else {
    $DotNetDirectory = Join-Path $TempDirectory "dotnet-win"
    $DotNetExe = Join-Path $DotNetDirectory $(if ($IsWindows -or $env:OS -eq "Windows_NT") { "dotnet.exe" } else { "dotnet" })
    if (!(Test-Sdk $DotNetExe)) {
        Write-Output "Installing .NET SDK $WantedVersion into $DotNetDirectory"
        New-Item -ItemType Directory -Force -Path $TempDirectory | Out-Null
        $installer = Join-Path $TempDirectory "dotnet-install.ps1"
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        (New-Object System.Net.WebClient).DownloadFile($DotNetInstallUrl, $installer)
        & powershell -ExecutionPolicy ByPass -NoProfile -File $installer -InstallDir $DotNetDirectory -Version $WantedVersion -NoPath
    }
    $env:DOTNET_ROOT = $DotNetDirectory
}

if (!(Test-UpToDate $DotNetExe)) {
    New-Item -ItemType Directory -Force -Path $TempDirectory | Out-Null
    # Serialise bootstraps of the same checkout; the lock goes with the process, so a killed run never blocks the next.
    $lockPath = Join-Path $TempDirectory "bootstrap.lock"
    $lock = $null
    while (!$lock) {
        try { $lock = [System.IO.File]::Open($lockPath, "OpenOrCreate", "ReadWrite", "None") }
        catch [System.IO.IOException] { Start-Sleep -Milliseconds 200 }
    }
    try {
        if (!(Test-UpToDate $DotNetExe)) {
            $started = [DateTime]::UtcNow
            $log = Join-Path $TempDirectory "build.log"
            & $DotNetExe build $BuildProjectFile -nologo -clp:NoSummary -v:q -o $BuildOutput *> $log
            if ($LASTEXITCODE -ne 0) {
                Remove-Item $Stamp -ErrorAction SilentlyContinue
                Get-Content $log
                exit 1
            }
            $temporary = "$Stamp.$PID"
            Set-Content -Path $temporary -Value @($DotNetExe, (Get-State $DotNetExe (Get-Inputs)))
            # The stamp keeps the start time: anything edited while dotnet build ran is newer, so it is rebuilt next time.
            (Get-Item $temporary).LastWriteTimeUtc = $started
            Move-Item -Force $temporary $Stamp
        }
    }
    finally { $lock.Dispose() }
}

Invoke-Build $DotNetExe

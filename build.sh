#!/usr/bin/env bash
# Bootstraps and runs the build project (build/_build.csproj) with the given arguments, like NUKE's build.sh:
# uses the dotnet on PATH when it has the SDK global.json asks for, otherwise installs that SDK into .nuke/temp.
set -eo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
BUILD_OUTPUT="$SCRIPT_DIR/build/bin/Debug"
BUILD_DLL="$BUILD_OUTPUT/_build.dll"
TEMP_DIRECTORY="$SCRIPT_DIR/.nuke/temp"
STAMP="$TEMP_DIRECTORY/build.stamp"
DOTNET_GLOBAL_FILE="$SCRIPT_DIR/global.json"
DOTNET_INSTALL_URL="https://dot.net/v1/dotnet-install.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NUKE_TELEMETRY_OPTOUT=1
# The root is this script's folder, whatever the current directory (relative paths given stay relative to it).
export NUKE_ROOT_DIRECTORY="$SCRIPT_DIR"

# Everything the build's output depends on: its sources and the files that steer MSBuild and the SDK.
inputs() {
    for d in build source; do
        [ ! -d "$SCRIPT_DIR/$d" ] || find "$SCRIPT_DIR/$d" \( -name bin -o -name obj \) -prune -o -type f -print
    done
    for f in global.json Directory.Build.props Directory.Build.targets Directory.Packages.props NuGet.config nuget.config; do
        [ ! -f "$SCRIPT_DIR/$f" ] || echo "$SCRIPT_DIR/$f"
    done
}

# The stamp holds the SDK used and a checksum of the input names (so a deleted or renamed file counts), and
# carries the time the last successful build started (so a file edited during that build counts too).
state() { { echo "$1"; inputs | LC_ALL=C sort; } | cksum; }

up_to_date() {
    [ -f "$BUILD_DLL" ] && [ -f "$STAMP" ] || return 1
    [ "$(tail -n +2 "$STAMP")" = "$(state "$1")" ] || return 1
    [ -z "$(inputs | while IFS= read -r f; do [ "$f" -nt "$STAMP" ] && { echo "$f"; break; }; done)" ]
}

# Fast path: NUKE always runs `dotnet build` (seconds); we go straight to the built dll when nothing changed.
if [ -f "$STAMP" ]; then
    DOTNET_EXE=$(head -n 1 "$STAMP")
    if [ -x "$DOTNET_EXE" ] && up_to_date "$DOTNET_EXE"; then
        case "$DOTNET_EXE" in "$TEMP_DIRECTORY"/*) export DOTNET_ROOT="${DOTNET_EXE%/dotnet}" ;; esac
        exec "$DOTNET_EXE" "$BUILD_DLL" "$@"
    fi
fi

# The SDK global.json asks for: major.minor of "version", any later patch or feature band (rollForward latestFeature).
wanted_version=$(sed -n 's/.*"version"[^"]*"\([^"]*\)".*/\1/p' "$DOTNET_GLOBAL_FILE" | head -n1)
wanted_major_minor=${wanted_version%.*}

sdk_satisfies() {
    [ -x "$1" ] || return 1
    "$1" --list-sdks 2>/dev/null | awk '{print $1}' | grep -q "^${wanted_major_minor//./\\.}\."
}

DOTNET_EXE=$(command -v dotnet 2>/dev/null || true)
if [ -n "$DOTNET_EXE" ] && sdk_satisfies "$DOTNET_EXE"; then
    DOTNET_EXE=$(cd "$(dirname "$DOTNET_EXE")" && pwd)/$(basename "$DOTNET_EXE")
else
    DOTNET_DIRECTORY="$TEMP_DIRECTORY/dotnet-unix"
    DOTNET_EXE="$DOTNET_DIRECTORY/dotnet"
    if ! sdk_satisfies "$DOTNET_EXE"; then
        echo "Installing .NET SDK $wanted_version into $DOTNET_DIRECTORY"
        mkdir -p "$TEMP_DIRECTORY"
        curl -fsSL "$DOTNET_INSTALL_URL" -o "$TEMP_DIRECTORY/dotnet-install.sh"
        chmod +x "$TEMP_DIRECTORY/dotnet-install.sh"
        "$TEMP_DIRECTORY/dotnet-install.sh" --install-dir "$DOTNET_DIRECTORY" --version "$wanted_version" --no-path
    fi
    export DOTNET_ROOT="$DOTNET_DIRECTORY"
fi

if ! up_to_date "$DOTNET_EXE"; then
    mkdir -p "$TEMP_DIRECTORY"
    # Serialise bootstraps of the same checkout (two builds started at once); the kernel drops the lock of a killed run.
    exec 9>"$TEMP_DIRECTORY/bootstrap.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if ! up_to_date "$DOTNET_EXE"; then
        [ ! -t 2 ] || echo "Compiling the build project (first run, or build/ or source/ changed; takes a few seconds)..." >&2
        started="$TEMP_DIRECTORY/build.started.$$"
        touch "$started"
        if ! "$DOTNET_EXE" build "$BUILD_PROJECT_FILE" -nologo -clp:NoSummary -v:q -o "$BUILD_OUTPUT" >"$TEMP_DIRECTORY/build.log" 2>&1; then
            rm -f "$started" "$STAMP"
            cat "$TEMP_DIRECTORY/build.log"
            exit 1
        fi
        { echo "$DOTNET_EXE"; state "$DOTNET_EXE"; } >"$STAMP.$$"
        # The stamp keeps the start time: anything edited while dotnet build ran is newer, so it is rebuilt next time.
        touch -r "$started" "$STAMP.$$"
        mv -f "$STAMP.$$" "$STAMP"
        rm -f "$started"
    fi
    exec 9>&-
fi

exec "$DOTNET_EXE" "$BUILD_DLL" "$@"

#!/usr/bin/env bash
# Bootstraps and runs the build project (build/_build.csproj) with the given arguments, like NUKE's build.sh.
set -eo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
BUILD_DLL="$SCRIPT_DIR/build/bin/Debug/_build.dll"
TEMP_DIRECTORY="$SCRIPT_DIR/.nuke/temp"
DOTNET_GLOBAL_FILE="$SCRIPT_DIR/global.json"
DOTNET_INSTALL_URL="https://dot.net/v1/dotnet-install.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NUKE_TELEMETRY_OPTOUT=1

# The SDK global.json asks for: major.minor of "version" with roll-forward to any later feature band.
wanted_version=$(sed -n 's/.*"version"[^"]*"\([^"]*\)".*/\1/p' "$DOTNET_GLOBAL_FILE" | head -n1)
wanted_major_minor=${wanted_version%.*}

sdk_satisfies() {
    command -v "$1" >/dev/null 2>&1 || return 1
    "$1" --list-sdks 2>/dev/null | awk '{print $1}' | grep -q "^${wanted_major_minor//./\\.}\."
}

if sdk_satisfies dotnet; then
    DOTNET_EXE=$(command -v dotnet)
else
    DOTNET_DIRECTORY="$TEMP_DIRECTORY/dotnet-unix"
    DOTNET_EXE="$DOTNET_DIRECTORY/dotnet"
    if ! sdk_satisfies "$DOTNET_EXE"; then
        mkdir -p "$TEMP_DIRECTORY"
        curl -fsSL "$DOTNET_INSTALL_URL" -o "$TEMP_DIRECTORY/dotnet-install.sh"
        chmod +x "$TEMP_DIRECTORY/dotnet-install.sh"
        "$TEMP_DIRECTORY/dotnet-install.sh" --install-dir "$DOTNET_DIRECTORY" --version "$wanted_version" --no-path
    fi
    export DOTNET_ROOT="$DOTNET_DIRECTORY"
fi

# Fast path: NUKE always runs `dotnet build` (seconds); we skip it while the build's outputs are newer than
# every input (sources, project files, global.json).
needs_build() {
    [ -f "$BUILD_DLL" ] || return 0
    [ -n "$(find "$SCRIPT_DIR/build" "$SCRIPT_DIR/source" "$DOTNET_GLOBAL_FILE" "$SCRIPT_DIR/Directory.Build.props" \
        \( -name bin -o -name obj \) -prune -o -type f -newer "$BUILD_DLL" -print -quit 2>/dev/null)" ]
}

if needs_build; then
    # Serialise concurrent bootstraps of the same checkout (e.g. two builds started at once).
    mkdir -p "$TEMP_DIRECTORY"
    exec 9>"$TEMP_DIRECTORY/bootstrap.lock"
    flock 9
    if needs_build; then
        "$DOTNET_EXE" build "$BUILD_PROJECT_FILE" -nologo -clp:NoSummary -v:q -o "$SCRIPT_DIR/build/bin/Debug" >"$TEMP_DIRECTORY/build.log" 2>&1 \
            || { cat "$TEMP_DIRECTORY/build.log"; exit 1; }
        touch "$BUILD_DLL"
    fi
    flock -u 9
fi

exec "$DOTNET_EXE" "$BUILD_DLL" "$@"

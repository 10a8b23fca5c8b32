#!/usr/bin/env bash
# Bootstraps and runs the build project (build/_build.csproj) with the given arguments, like NUKE's build.sh:
# uses the dotnet on PATH when it has the SDK global.json asks for, otherwise installs that SDK into .nuke/temp.
set -eo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
BUILD_OUTPUT="$SCRIPT_DIR/build/bin/program"
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

# Everything the build's output depends on (its sources and the files that steer MSBuild and the SDK), listed with
# each file's size, modification and change time, as git's index compares them: an edit (even one that keeps the size
# and puts the mtime back), a rename, a new and a deleted file all change the listing. One find, so the check is cheap.
state() {
    local inputs=("$SCRIPT_DIR/build" "$SCRIPT_DIR/source" "$SCRIPT_DIR/global.json" "$SCRIPT_DIR/Directory.Build.props"
        "$SCRIPT_DIR/Directory.Build.targets" "$SCRIPT_DIR/Directory.Packages.props" "$SCRIPT_DIR/NuGet.config" "$SCRIPT_DIR/nuget.config")
    case "$OSTYPE" in
        linux*) find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type f -printf '%p %s %T@ %C@\n' 2>/dev/null || true ;;
        *) find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type f -exec stat -f '%N %z %Fm %Fc' {} + 2>/dev/null || true ;;
    esac
}

# The stamp is the dotnet used, then the listing taken before the last successful build started: a file edited
# while that build ran differs from it, so it is built again next time.
up_to_date() {
    local now
    now=$(state)
    [ -n "$now" ] && [ -f "$BUILD_DLL" ] && [ -f "$STAMP" ] && [ "$(<"$STAMP")" = "$1"$'\n'"$now" ]
}

# Fast path: NUKE always runs `dotnet build` (seconds); we go straight to the built program when nothing changed.
if [ -f "$STAMP" ]; then
    read -r DOTNET_EXE <"$STAMP"
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

# The build program is compiled ahead of time (ReadyToRun) for this machine, which halves its start-up; where the
# compiler package cannot be had (offline, another architecture), it is built as usual and JIT-compiled.
compile() {
    local rid
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) rid=linux-x64 ;; Linux-aarch64) rid=linux-arm64 ;; Darwin-arm64) rid=osx-arm64 ;; Darwin-x86_64) rid=osx-x64 ;;
    esac
    if [ -n "$rid" ] && "$DOTNET_EXE" publish "$BUILD_PROJECT_FILE" -nologo -clp:NoSummary -v:q -c Release -r "$rid" \
            --self-contained false -p:PublishReadyToRun=true -o "$BUILD_OUTPUT" >"$TEMP_DIRECTORY/build.log" 2>&1; then
        return 0
    fi
    "$DOTNET_EXE" build "$BUILD_PROJECT_FILE" -nologo -clp:NoSummary -v:q -o "$BUILD_OUTPUT" >>"$TEMP_DIRECTORY/build.log" 2>&1
}

if ! up_to_date "$DOTNET_EXE"; then
    mkdir -p "$TEMP_DIRECTORY"
    # Serialise bootstraps of the same checkout (two builds started at once); the kernel drops the lock of a killed run.
    exec 9>"$TEMP_DIRECTORY/bootstrap.lock"
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    if ! up_to_date "$DOTNET_EXE"; then
        [ ! -t 2 ] || echo "Compiling the build project (first run, or build/ or source/ changed; takes a minute or so)..." >&2
        listing=$(state)
        rm -f "$STAMP"
        if ! compile; then
            cat "$TEMP_DIRECTORY/build.log"
            exit 1
        fi
        printf '%s\n%s\n' "$DOTNET_EXE" "$listing" >"$STAMP.$$"
        mv -f "$STAMP.$$" "$STAMP"
    fi
    exec 9>&-
fi

exec "$DOTNET_EXE" "$BUILD_DLL" "$@"

#!/usr/bin/env bash
# Bootstraps and runs the build project (build/_build.csproj) with the given arguments, like NUKE's build.sh:
# uses the dotnet on PATH when it has the SDK global.json asks for, otherwise installs that SDK into .nuke/temp.
set -eo pipefail

# Run through a symbolic link (e.g. ~/bin/mkpanda -> checkout/build.sh), the root is the real script's folder.
SCRIPT_SOURCE=${BASH_SOURCE[0]}
while [ -L "$SCRIPT_SOURCE" ]; do
    SCRIPT_LINK_DIR=$(cd "$(dirname "$SCRIPT_SOURCE")" && pwd)
    SCRIPT_SOURCE=$(readlink "$SCRIPT_SOURCE")
    case "$SCRIPT_SOURCE" in /*) ;; *) SCRIPT_SOURCE="$SCRIPT_LINK_DIR/$SCRIPT_SOURCE" ;; esac
done
SCRIPT_DIR=$(cd "$(dirname "$SCRIPT_SOURCE")" && pwd)
BUILD_PROJECT_FILE="$SCRIPT_DIR/build/_build.csproj"
BUILD_OUTPUT="$SCRIPT_DIR/build/bin/program"
BUILD_DLL="$BUILD_OUTPUT/_build.dll"
TEMP_DIRECTORY="$SCRIPT_DIR/.nuke/temp"
STAMP="$TEMP_DIRECTORY/build.stamp"
COMPOSITE_STAMP="$TEMP_DIRECTORY/composite.stamp"
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
# while that build ran differs from it, so it is built again next time. (The listing may be given, if just taken.)
up_to_date() {
    local now=${2:-$(state)}
    [ -n "$now" ] && [ -f "$BUILD_DLL" ] && [ -f "$STAMP" ] && [ "$(<"$STAMP")" = "$1"$'\n'"$now" ]
}

# The composite program (see upgrade below): its stamp is its folder, then the listing it was compiled from.
composite_up_to_date() {
    local dir
    [ -f "$COMPOSITE_STAMP" ] && read -r dir <"$COMPOSITE_STAMP" && [ -x "$dir/_build" ] &&
        [ "$(<"$COMPOSITE_STAMP")" = "$dir"$'\n'"$1" ] && COMPOSITE_DIR=$dir
}

# Fast path: NUKE always runs `dotnet build` (seconds); we go straight to the built program when nothing changed,
# the composite one once it is there. The run holds its folder's lock (shared) so no upgrade deletes it meanwhile.
if [ -f "$STAMP" ] && [ -z "$PKGPANDA_COMPOSITE_JOB" ]; then
    read -r DOTNET_EXE <"$STAMP"
    listing=$(state)
    if [ -n "$listing" ] && [ "$PKGPANDA_COMPOSITE" != 0 ] && composite_up_to_date "$listing" && exec 7<"$COMPOSITE_DIR/_build" &&
        flock -s 7 2>/dev/null && [ -x "$COMPOSITE_DIR/_build" ]; then
        exec "$COMPOSITE_DIR/_build" "$@"
    fi
    exec 7<&-
    if [ -x "$DOTNET_EXE" ] && up_to_date "$DOTNET_EXE" "$listing"; then
        case "$DOTNET_EXE" in "$TEMP_DIRECTORY"/*) export DOTNET_ROOT="${DOTNET_EXE%/dotnet}" ;; esac
        exec "$DOTNET_EXE" "$BUILD_DLL" "$@"
    fi
fi

runtime_id() {
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) echo linux-x64 ;; Linux-aarch64) echo linux-arm64 ;; Darwin-arm64) echo osx-arm64 ;; Darwin-x86_64) echo osx-x64 ;;
    esac
}

# The upgrade, run detached after each quick compile: the same program compiled self-contained, as one composite
# ReadyToRun image with the .NET runtime, so the generic code it shares with the framework is not JIT-compiled at
# start and no framework is looked up (about a third less CPU for a no-op run). It takes minutes to compile and
# ~120 MB, so nobody waits for it: runs use it once it is there, only for the exact listing it was compiled from.
upgrade() {
    local rid listing src dir old
    rid=$(runtime_id)
    [ -n "$rid" ] && [ -f "$STAMP" ] || return 0
    exec 8>"$TEMP_DIRECTORY/composite.lock"
    flock 8 # one upgrade at a time: a newer one waits for the older, then finds whether it is still wanted
    listing=$(tail -n +2 "$STAMP")
    [ "$(state)" = "$listing" ] || return 0 # changed since the quick compile: the next one starts another upgrade
    ! composite_up_to_date "$listing" || return 0
    # A copy of the inputs, so the publish shares no obj/ folder with a quick compile that may start meanwhile.
    src="$TEMP_DIRECTORY/composite-src"
    rm -rf "$src" && mkdir -p "$src" || return 1
    (cd "$SCRIPT_DIR" && { find build source global.json Directory.Build.props Directory.Build.targets Directory.Packages.props NuGet.config nuget.config \
        \( -name bin -o -name obj \) -prune -o -type f -print 2>/dev/null || true; } | tar -cf - -T -) | tar -xf - -C "$src" || return 1
    [ "$(state)" = "$listing" ] || return 0 # changed while it was copied
    dir="$TEMP_DIRECTORY/composite-$$"
    rm -rf "$dir"
    # A program that does not even show its help is never used.
    if ! nice -n 10 "$DOTNET_EXE" publish "$src/build/_build.csproj" -nologo -clp:NoSummary -v:q -nodeReuse:false -c Release -r "$rid" \
            --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$dir" ||
        ! NUKE_ROOT_DIRECTORY="$src" "$dir/_build" --help >/dev/null; then
        rm -rf "$dir"
        return 1
    fi
    printf '%s\n%s\n' "$dir" "$listing" >"$COMPOSITE_STAMP.$$" && mv -f "$COMPOSITE_STAMP.$$" "$COMPOSITE_STAMP"
    # Older composites go once no run holds them (each run holds its program's lock, shared, while it lives).
    for old in "$TEMP_DIRECTORY"/composite-[0-9]*; do
        [ "$old" != "$dir" ] && [ -d "$old" ] || continue
        if [ -e "$old/_build" ]; then (exec 9<"$old/_build" && flock -x -n 9 && rm -rf "$old") 2>/dev/null || true; else rm -rf "$old"; fi
    done
}

# Starts the upgrade detached (it outlives this run and a Ctrl+C here; it holds none of our locks), unless it cannot
# pay off: on CI (one run per fresh machine; PKGPANDA_COMPOSITE=1 there asks for it), with PKGPANDA_COMPOSITE=0,
# or without flock and setsid (not Linux).
start_upgrade() {
    if [ "$PKGPANDA_COMPOSITE" = 0 ] || { [ -n "$CI" ] && [ "$PKGPANDA_COMPOSITE" != 1 ]; } || [ -z "$(runtime_id)" ] ||
        ! command -v flock >/dev/null 2>&1 || ! command -v setsid >/dev/null 2>&1; then
        return 0
    fi
    PKGPANDA_COMPOSITE_JOB=1 setsid "$BASH" "$SCRIPT_DIR/build.sh" </dev/null >"$TEMP_DIRECTORY/composite.log" 2>&1 7>&- 8>&- 9>&- &
}

if [ -n "$PKGPANDA_COMPOSITE_JOB" ]; then
    read -r DOTNET_EXE <"$STAMP" || exit 0
    case "$DOTNET_EXE" in "$TEMP_DIRECTORY"/*) export DOTNET_ROOT="${DOTNET_EXE%/dotnet}" ;; esac
    upgrade
    exit
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
    rid=$(runtime_id)
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
        echo "Compiling the build project (first run, or build/ or source/ changed; takes about half a minute)..." >&2
        listing=$(state)
        rm -f "$STAMP"
        if ! compile; then
            cat "$TEMP_DIRECTORY/build.log"
            exit 1
        fi
        printf '%s\n%s\n' "$DOTNET_EXE" "$listing" >"$STAMP.$$"
        mv -f "$STAMP.$$" "$STAMP"
        start_upgrade
    fi
    exec 9>&-
fi

exec "$DOTNET_EXE" "$BUILD_DLL" "$@"

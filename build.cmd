:; set -eo pipefail
:; SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
:; exec "$SCRIPT_DIR/build.sh" "$@"

@ECHO OFF
REM One entry point for every shell: bash reads the lines above (":" is a no-op there), cmd.exe skips them as labels.
powershell -ExecutionPolicy ByPass -NoProfile -File "%~dp0build.ps1" %*

#!/bin/sh
# tests/tools/check_includes.sh [ROOT]: the layering rule as a test (docs/design.md, "What the build enforces").
# Scans every .c/.h under ROOT's geo/, src/analysis/, src/output/ and src/cli/ (default ROOT: this checkout)
# for project includes (#include "..." and #include <geo/...> / <src/...>) and names, as FILE:LINE, each that
#   - climbs with "../" (the one crossing the include paths cannot refuse: it is found beside the file),
#   - names no file under ROOT (project headers are spelled from the root: "geo/ctx.h", "src/output/map.h"),
#   - reaches up the layers: geo/ may include geo/ only; src/analysis/ also geo/; src/output/ also
#     src/analysis/; src/cli/ any of the four.
# Exit 0 when clean, 1 when any include crosses a line, 2 on bad usage.
set -eu
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -d "$root/geo" ] || [ ! -d "$root/src" ]; then
    echo "check_includes: $root has no geo/ and src/" >&2
    exit 2
fi
cd "$root"

# rank PATH: the layer a project path belongs to (1 geo .. 4 cli), 0 for none.
rank() {
    case $1 in
        geo/*) echo 1 ;;
        src/analysis/*) echo 2 ;;
        src/output/*) echo 3 ;;
        src/cli/*) echo 4 ;;
        *) echo 0 ;;
    esac
}
allowed() {
    case $1 in
        1) echo "geo/" ;;
        2) echo "geo/ and src/analysis/" ;;
        3) echo "geo/, src/analysis/ and src/output/" ;;
        *) echo "geo/, src/analysis/, src/output/ and src/cli/" ;;
    esac
}

bad=0
files=0
includes=0
list=$(find geo src/analysis src/output src/cli -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
for f in $list; do
    files=$((files + 1))
    from=$(rank "$f")
    # FILE:LINE:PATH for each quoted include and each <geo/...> or <src/...> one.
    hits=$(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*("|<(geo|src)/)' "$f" |
           sed -E 's/^([0-9]+):[^"<]*["<]([^">]*)[">].*/\1:\2/') || true
    for h in $hits; do
        includes=$((includes + 1))
        line=${h%%:*}
        inc=${h#*:}
        case $inc in
            /*)
                echo "$f:$line: #include \"$inc\" is an absolute path (spell it from the root, e.g. \"geo/ctx.h\")"
                bad=$((bad + 1)); continue ;;
            ../*|*/../*|..)
                echo "$f:$line: #include \"$inc\" climbs with ../ (spell it from the root, e.g. \"geo/ctx.h\")"
                bad=$((bad + 1)); continue ;;
        esac
        if [ ! -f "$inc" ]; then
            echo "$f:$line: #include \"$inc\" names no file under the root (spell it from the root, e.g. \"geo/ctx.h\")"
            bad=$((bad + 1)); continue
        fi
        to=$(rank "$inc")
        if [ "$to" = 0 ] || [ "$to" -gt "$from" ]; then
            echo "$f:$line: #include \"$inc\" crosses a line: ${f%/*}/ may include $(allowed "$from") only"
            bad=$((bad + 1))
        fi
    done
done

if [ "$bad" -gt 0 ]; then
    echo "check_includes: $bad include(s) cross a line ($files files, $includes project includes)" >&2
    exit 1
fi
[ "$files" -gt 0 ] || { echo "check_includes: no .c/.h files under $root" >&2; exit 2; }
echo "check_includes: $files files, $includes project includes, none crosses a line"

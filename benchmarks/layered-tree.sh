# Sourced by the benchmarks: layered_tree DIR L W S writes a tree of L layers x W packages p<layer>-<i>, each
# requiring two packages of the layer below (p<l-1>-<i> and p<l-1>-<i+1 mod W>), each build script sleeping S seconds
# and writing its id into $PKG_PATH/lib.
layered_tree() {
    local dir=$1 layers=$2 width=$3 sleep=$4 l i
    for ((l = 0; l < layers; l++)); do
        for ((i = 0; i < width; i++)); do
            local name="p$l-$i" req=""
            if ((l > 0)); then
                local a="p$((l - 1))-$i" b="p$((l - 1))-$(((i + 1) % width))"
                req="\"$a\""; [ "$a" != "$b" ] && req="$req, \"$b\""
            fi
            mkdir -p "$dir/$name"
            echo "{\"requires\": [$req]}" >"$dir/$name/buildinfo.json"
            printf '#!/bin/sh\nset -e\nsleep %s\nmkdir -p "$PKG_PATH/lib"\necho "$PKG_ID" > "$PKG_PATH/lib/$PKG_NAME.id"\n' "$sleep" >"$dir/$name/build"
            chmod +x "$dir/$name/build"
        done
    done
}

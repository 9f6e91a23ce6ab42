#!/bin/sh
# The cost of reading a source's tags (SourceTags), side by side with the conversion: CPU seconds, alternately,
# on a 60 s 720p H.264/AAC MP4 with tags, of a separate `ffmpeg -f ffmetadata` run (what every job paid before
# its conversion until 2026-12-01; a loudness job and a split still do), of the conversion alone, and of the
# conversion that prints the tags itself as a second output (what a job runs now, Mp3Transcoder). Prints the
# median ratios tags/conversion and (conversion with tags)/conversion.
# usage: bench/tags-read.sh [runs] [ffmpeg]
set -eu
runs=${1:-5}
ffmpeg=${2:-ffmpeg}
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
cache="$here/.cache"
mkdir -p "$cache"
input="$cache/tagged-60s-720p.mp4"
if [ ! -f "$input" ]; then
    "$ffmpeg" -v error -y -f lavfi -i testsrc2=duration=60:size=1280x720:rate=30 -f lavfi -i sine=duration=60 \
        -c:v libx264 -preset veryfast -c:a aac -shortest -metadata title="A talk" -metadata artist="Ann" "$input"
fi
cpu() { # CPU seconds (user+sys) of a command
    /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{print $1 + $2}'
}
out="$cache/tags-read-$$.mp3"
ratios=""
folded=""
i=0
while [ "$i" -lt "$runs" ]; do
    tags=$(cpu "$ffmpeg" -hide_banner -nostdin -loglevel error -i "$input" -f ffmetadata pipe:1)
    conv=$(cpu "$ffmpeg" -hide_banner -nostdin -loglevel error -y -i "$input" -map 0:a:0 -vn -sn -dn \
        -c:a libmp3lame -b:a 192k -map_metadata -1 -fflags +bitexact -write_xing 0 -f mp3 "$out")
    both=$(cpu "$ffmpeg" -hide_banner -nostdin -loglevel error -y -i "$input" -map 0:a:0 -vn -sn -dn \
        -c:a libmp3lame -b:a 192k -map_metadata -1 -fflags +bitexact -write_xing 0 -f mp3 "$out" \
        -f ffmetadata pipe:1)
    ratio=$(awk -v a="$tags" -v b="$conv" 'BEGIN { printf "%.4f", a / b }')
    fold=$(awk -v a="$both" -v b="$conv" 'BEGIN { printf "%.4f", a / b }')
    echo "run $i: tags ${tags} CPU-s, conversion ${conv} CPU-s, conversion printing the tags ${both} CPU-s;" \
        "ratios ${ratio} and ${fold}"
    ratios="$ratios $ratio"
    folded="$folded $fold"
    i=$((i + 1))
done
rm -f "$out"
median() { echo "$1" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "RESULT tags/conversion CPU median ratio: $(median "$ratios")"
echo "RESULT (conversion printing the tags)/conversion CPU median ratio: $(median "$folded")"

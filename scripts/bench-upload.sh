#!/usr/bin/env bash
# Evidence upload benchmark (INS-09): "uploading a 1 GiB video raises the server's resident memory
# by under 32 MiB, and its throughput is at least half that of `dd bs=1M conv=fsync` writing the
# same bytes to the same disk."
#
# What it does, end to end:
#   1. builds the release binary (`cargo build --release`, offline sqlx data);
#   2. creates a throwaway database, migrates it and adds the demo office (`xiaoneng demo`);
#   3. starts `xiaoneng serve` on 127.0.0.1:$BENCH_PORT with its evidence store in $BENCH_DIR;
#   4. writes a 1 GiB MP4-looking file (a valid `ftyp` box, then fresh random bytes, so every run
#      has new content and a new SHA-256);
#   5. logs in as the demo supervisor, opens a draft finding, warms the upload path with a 1 MiB
#      file, then uploads the 1 GiB file while sampling the server's VmRSS every 50 ms (and reads
#      VmHWM after resetting it through /proc/<pid>/clear_refs when allowed);
#   6. writes the same file with `dd bs=1M conv=fsync` into the same folder (before and after the
#      upload; the faster of the two is the reference, so the comparison errs against the app);
#   7. checks the stored object's size and SHA-256 against the source, prints a summary, cleans up
#      (server stopped with SIGTERM, database dropped, files removed) and exits 1 when a goal is
#      missed.
#
# Fairness: the source file is read once (`cat > /dev/null`) before each measured write, so both
# curl and dd read it from the page cache; both end with the bytes fsynced (the server fsyncs the
# file and its folder before it answers; dd's conv=fsync fsyncs before it exits). Page cache is not
# part of a process's RSS, so the server writing through it does not count against the memory goal.
#
# Assumptions:
#   - a PostgreSQL server reachable as a superuser with no password (trust auth): the one in
#     DATABASE_URL when set (its database name is replaced by $BENCH_DB), otherwise
#     postgres://postgres@127.0.0.1:5432; the database $BENCH_DB is created and dropped;
#   - psql, curl, dd, sha256sum on PATH; about 3.5 GiB free where $BENCH_DIR is;
#   - run from anywhere; it works in the repository this script lives in.
#
# Settings (environment):
#   BENCH_DIR         working folder: source file, evidence store, dd output
#                     (default: <repo>/var/bench-upload, i.e. the repository's disk)
#   BENCH_PORT        port of the server (default 18080)
#   BENCH_DB          database name (default xiaoneng_bench)
#   BENCH_SIZE_BYTES  size of the test file (default 1073741824 = 1 GiB = evidence.max_bytes)
#   BENCH_SKIP_BUILD  1: use target/release/xiaoneng as it is
#   BENCH_KEEP        1: keep the working folder and the database afterwards (for a look)
#
# Usage: scripts/bench-upload.sh        (exit 0: both goals met; 1: a goal missed; 2: broke)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_DIR:-$ROOT/var/bench-upload}
PORT=${BENCH_PORT:-18080}
DB=${BENCH_DB:-xiaoneng_bench}
SIZE=${BENCH_SIZE_BYTES:-1073741824}
export PGOPTIONS='-c client_min_messages=warning'
RSS_LIMIT_MIB=32
RATIO_LIMIT=0.5
BASE=http://127.0.0.1:$PORT
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/xiaoneng

if [[ -n ${DATABASE_URL:-} ]]; then
    pg_server=${DATABASE_URL%%\?*}
    pg_server=${pg_server%/*}
else
    pg_server=postgres://postgres@127.0.0.1:5432
fi
ADMIN_URL=$pg_server/postgres
BENCH_URL=$pg_server/$DB

say() { printf '\n== %s\n' "$*"; }
die() {
    printf 'bench-upload: %s\n' "$*" >&2
    exit 2
}
# floating point without bc
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
now_ns() { date +%s%N; }
mib() { calc "$1 / 1024" 1; } # kB (as /proc reports) to MiB
# one field of /proc/<pid>/status, in kB
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
sql() { psql "$BENCH_URL" -X -v ON_ERROR_STOP=1 -qtAc "$1"; }

for tool in psql curl dd sha256sum awk; do
    command -v "$tool" >/dev/null || die "needs $tool"
done

SERVER_PID=
SAMPLER_PID=
cleanup() {
    local status=$?
    set +e
    [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && echo "server $SERVER_PID did not stop after SIGTERM" >&2
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        echo "kept: $WORK and database $DB"
    else
        psql "$ADMIN_URL" -X -qc "drop database if exists $DB with (force)" >/dev/null 2>&1 ||
            echo "could not drop database $DB" >&2
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# ---------------------------------------------------------------------------------------------------
say "build"
cd "$ROOT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    cargo build --release --quiet || die "cargo build --release failed"
fi
[[ -x $BIN ]] || die "no binary at $BIN"

say "setup"
curl -s -o /dev/null "$BASE/healthz" && die "something already listens on port $PORT"
rm -rf "$WORK"
mkdir -p "$WORK/evidence"
avail_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
need_kb=$((SIZE / 1024 * 3 + 512 * 1024))
((avail_kb > need_kb)) || die "$WORK has $((avail_kb / 1024)) MiB free, needs $((need_kb / 1024))"
FS=$(df -PT "$WORK" | awk 'NR == 2 { print $1 " (" $2 ", mounted on " $7 ")" }')
echo "working folder: $WORK"
echo "filesystem:     $FS"
echo "database:       $BENCH_URL"
echo "machine:        $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -r)"

psql "$ADMIN_URL" -X -v ON_ERROR_STOP=1 -qc "drop database if exists $DB with (force)" >/dev/null
psql "$ADMIN_URL" -X -v ON_ERROR_STOP=1 -qc "create database $DB" >/dev/null
export DATABASE_URL=$BENCH_URL
export XIAONENG__EVIDENCE__DIR=$WORK/evidence
export XIAONENG__DEMO__LOGINS_FILE=$WORK/demo-logins.txt
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; die "migrate failed"; }
"$BIN" demo >"$WORK/demo.txt" 2>&1 || { cat "$WORK/demo.txt"; die "demo failed"; }
PASSWORD=$(awk '$2 == "supervisor" { print $3 }' "$WORK/demo.txt")
[[ -n $PASSWORD ]] || { cat "$WORK/demo.txt"; die "no supervisor login in the demo output"; }

say "test file"
SRC=$WORK/video.mp4
t0=$(now_ns)
{
    # an ISO BMFF `ftyp` box (major brand mp42, compatible mp42 isom): sniffed as video/mp4
    printf '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'
    head -c $((SIZE - 24)) /dev/urandom
} >"$SRC"
(($(stat -c %s "$SRC") == SIZE)) || die "test file has the wrong size"
echo "$SRC: $SIZE bytes, random after the ftyp box ($(calc "($(now_ns) - $t0) / 1e9" 1) s to make)"
SMALL=$WORK/warmup.mp4
{
    printf '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'
    head -c $((1024 * 1024 - 24)) /dev/urandom
} >"$SMALL"

# dd of the source into the same folder the evidence store writes to; prints seconds
run_dd() {
    cat "$SRC" >/dev/null
    sync
    local t0 t1
    t0=$(now_ns)
    dd if="$SRC" of="$WORK/dd.out" bs=1M conv=fsync status=none
    t1=$(now_ns)
    rm -f "$WORK/dd.out"
    sync
    calc "($t1 - $t0) / 1e9" 3
}

say "dd bs=1M conv=fsync (before the upload)"
dd1=$(run_dd)
echo "dd: $dd1 s, $(calc "$SIZE / $dd1 / 1e6" 1) MB/s"

say "server"
"$BIN" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
    curl -s -o /dev/null "$BASE/healthz" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; die "server exited"; }
    sleep 0.1
done
curl -sf -o /dev/null "$BASE/healthz" || { cat "$WORK/server.log"; die "server not answering"; }
start_kb=$(status_kb "$SERVER_PID" VmRSS)
echo "pid $SERVER_PID on $BASE; RSS after start: $(mib "$start_kb") MiB"

JAR=$WORK/cookies
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -c "$JAR" -b "$JAR" \
    --data-urlencode username=supervisor --data-urlencode "password=$PASSWORD" "$BASE/demo/login")
[[ $code == 303* && $code != *login* ]] || die "login failed: $code"
TASK=$(sql "select id from inspection_task order by scheduled_on, id limit 1")
[[ -n $TASK ]] || die "the demo office has no task"
FINDING=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$JAR" -c "$JAR" -X POST \
    "$BASE/demo/tasks/$TASK/findings")
FINDING=${FINDING##*/findings/}
[[ $FINDING =~ ^[0-9a-f-]{36}$ ]] || die "could not open a draft finding (got '$FINDING')"
echo "logged in as supervisor; task $TASK; draft finding $FINDING"

# uploads a file; prints "http_code seconds"; the JSON answer goes to $WORK/upload.json
upload() {
    curl -s -o "$WORK/upload.json" -w '%{http_code} %{time_total}\n' -b "$JAR" -H 'x-upload: 1' \
        -F "file=@$1;type=video/mp4;filename=$(basename "$1")" \
        "$BASE/demo/findings/$FINDING/evidence"
}

read -r code _ < <(upload "$SMALL")
[[ $code == 200 ]] || { cat "$WORK/upload.json"; die "warm-up upload: HTTP $code"; }
sleep 1
echo "warm-up upload of 1 MiB: $(cat "$WORK/upload.json"); RSS now $(mib "$(status_kb "$SERVER_PID" VmRSS)") MiB"

say "upload of $SIZE bytes"
cat "$SRC" >/dev/null
sync
sleep 1
base_kb=$(status_kb "$SERVER_PID" VmRSS)
base_anon_kb=$(status_kb "$SERVER_PID" RssAnon)
# the kernel's own peak (VmHWM) from here on, when we may reset it
hwm_reset=no
if echo 5 2>/dev/null >"/proc/$SERVER_PID/clear_refs"; then hwm_reset=yes; fi
SAMPLES=$WORK/rss.samples
(
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        rss= anon= file=
        while read -r key value _; do
            case $key in
            VmRSS:) rss=$value ;;
            RssAnon:) anon=$value ;;
            RssFile:) file=$value ;;
            esac
        done <"/proc/$SERVER_PID/status"
        echo "$(date +%s.%N) $rss $anon $file"
        sleep 0.05
    done
) >"$SAMPLES" 2>/dev/null &
SAMPLER_PID=$!
read -r code up_s < <(upload "$SRC")
sleep 0.2
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=
answer=$(cat "$WORK/upload.json")
[[ $code == 200 && $answer == *'"saved":1'* ]] || die "upload: HTTP $code $answer"
hwm_kb=$(status_kb "$SERVER_PID" VmHWM)
after_kb=$(status_kb "$SERVER_PID" VmRSS)
read -r n_samples poll_peak_kb peak_anon_kb peak_file_kb < <(awk '
    $2 > rss { rss = $2 } $3 > anon { anon = $3 } $4 > file { file = $4 }
    END { print NR, rss + 0, anon + 0, file + 0 }' "$SAMPLES")
peak_kb=$poll_peak_kb
[[ $hwm_reset == yes ]] && ((hwm_kb > peak_kb)) && peak_kb=$hwm_kb
rise_kb=$((peak_kb - base_kb))
up_mbs=$(calc "$SIZE / $up_s / 1e6" 1)
echo "answer: $answer"
echo "time: $up_s s, $up_mbs MB/s"
echo "RSS before: $(mib "$base_kb") MiB (anonymous $(mib "$base_anon_kb") MiB)"
echo "RSS peak:   $(mib "$peak_kb") MiB (polled: $(mib "$poll_peak_kb") MiB in $n_samples samples," \
    "anonymous at most $(mib "$peak_anon_kb") MiB, file-backed at most $(mib "$peak_file_kb") MiB;" \
    "VmHWM $( [[ $hwm_reset == yes ]] && echo "since reset: $(mib "$hwm_kb") MiB" || echo "not resettable, not used"))"
echo "RSS after:  $(mib "$after_kb") MiB"
echo "RSS rise:   $(mib "$rise_kb") MiB over the RSS before this upload" \
    "($(mib "$((peak_kb - start_kb))") MiB over the RSS right after start, before any request)"

say "stored object"
IFS="|" read -r db_sha db_size db_key < <(sql "select sha256, size_bytes, storage_key from evidence
    where finding_id = '$FINDING' and size_bytes = $SIZE")
src_sha=$(sha256sum "$SRC" | cut -d' ' -f1)
stored=$WORK/evidence/$db_key
[[ $db_sha == "$src_sha" && $db_size == "$SIZE" && -f $stored ]] ||
    die "stored evidence does not match the source (db $db_sha $db_size, source $src_sha)"
(($(stat -c %s "$stored") == SIZE)) || die "stored file has the wrong size"
[[ -z $(ls -A "$WORK/evidence/tmp") ]] || die "temporary files left in $WORK/evidence/tmp"
echo "$db_key: $SIZE bytes, sha256 matches the source; no temporary files left"
rm -f "$stored"
sync

say "dd bs=1M conv=fsync (after the upload)"
dd2=$(run_dd)
echo "dd: $dd2 s, $(calc "$SIZE / $dd2 / 1e6" 1) MB/s"
dd_s=$(awk -v a="$dd1" -v b="$dd2" 'BEGIN { print (a < b ? a : b) }')
dd_mbs=$(calc "$SIZE / $dd_s / 1e6" 1)
ratio=$(calc "$dd_s / $up_s" 3)

say "summary"
echo "filesystem: $FS; file: $SIZE bytes; MB = 10^6 bytes; dd reference: the faster of $dd1 s and $dd2 s"
rss_ok=$(awk -v r="$rise_kb" -v l="$RSS_LIMIT_MIB" 'BEGIN { print (r < l * 1024 ? "yes" : "no") }')
ratio_ok=$(awk -v r="$ratio" -v l="$RATIO_LIMIT" 'BEGIN { print (r >= l ? "yes" : "no") }')
echo "RSS rise: $(mib "$rise_kb") MiB (limit $RSS_LIMIT_MIB); upload: $up_mbs MB/s; dd: $dd_mbs MB/s;" \
    "ratio: $ratio (limit $RATIO_LIMIT)"
if [[ $rss_ok == yes && $ratio_ok == yes ]]; then
    echo "PASS"
    exit 0
fi
[[ $rss_ok == yes ]] || echo "FAIL: the upload raised the server's RSS by $(mib "$rise_kb") MiB (limit $RSS_LIMIT_MIB MiB)"
[[ $ratio_ok == yes ]] || echo "FAIL: the upload ran at $ratio of dd's speed (limit $RATIO_LIMIT)"
exit 1

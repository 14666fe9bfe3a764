#!/usr/bin/env bash
# Measures the product's main pages against the floor, side by side in one run, on this machine.
#
# The floor (scripts/floor) is an axum handler that reads 12 rows with sqlx and renders them with
# askama: the least a server-rendered page of this stack costs. The product runs on its embedded
# PostgreSQL with the demo office (a cluster of its own under $BENCH_DIR), each page fetched as
# the role that uses it, logged in. wrk (Debian's package) loads each address in turn with the
# same connections and time; the table gives each page's throughput as a share of the floor's,
# and its 99th-percentile latency as a multiple of the floor's.
#
#   scripts/bench-pages.sh                 # 64 connections, 10 s a page
#   CONNECTIONS=32 DURATION=20s scripts/bench-pages.sh
#   BUILD=0 scripts/bench-pages.sh         # measure the release binaries already built
#
# A main page below 25% of the floor's throughput, or with p99 above 4 times the floor's, is a bug.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
BENCH_DIR=$(realpath -m "${BENCH_DIR:-target/bench-pages}")
PRODUCT=127.0.0.1:${PRODUCT_PORT:-18181}
FLOOR=127.0.0.1:${FLOOR_PORT:-18182}

if [ "${BUILD:-1}" != 0 ]; then
  echo "== building (release)" >&2
  cargo build --release --locked -p xiaoneng -p xiaoneng-floor >&2
fi

source scripts/bench-common.sh
start_product

# The demo office was made a moment ago. Settle its database as one in service is (vacuumed and
# analysed), so that autovacuum does not start in the middle of a measurement (it did, a minute
# in) and every plan is made on real statistics.
psql -q "$DB" -c "vacuum analyze" \
  || { echo "could not vacuum the demo database" >&2; exit 1; }

echo "== starting the floor ($FLOOR)" >&2
DATABASE_URL="$DB" FLOOR_LISTEN=$FLOOR \
  target/release/xiaoneng-floor >"$BENCH_DIR/floor.log" 2>&1 &
pids+=($!)
for _ in $(seq 30); do curl -fs "http://$FLOOR/" >/dev/null 2>&1 && break; sleep 1; done

# "requests/s p99-in-ms" of one address under load
measure() {
  local url=$1 cookie=${2:-} out
  local args=(-t"$THREADS" -c"$CONNECTIONS" --latency -H "Accept: text/html")
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk "${args[@]}" -d"$DURATION" "$url")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "$url answered errors:" >&2; echo "$out" >&2; exit 1
  fi
  local rps p99
  rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
  echo "$rps $p99"
}

declare -A cookies
for user in admin staff leader supervisor liaison; do
  cookies[$user]=$(login "$user")
  [ -n "${cookies[$user]}" ] || { echo "could not log in as $user" >&2; exit 1; }
done

read -r floor_rps floor_p99 <<<"$(measure "http://$FLOOR/")"

# page, role, path: the main pages, each as the role that reads it most
pages=(
  "home|staff|/demo"
  "units list|staff|/demo/units"
  "leader overview|leader|/demo/overview"
  "audit log|staff|/demo/audit"
  "inbox|staff|/demo/inbox"
  "review queue|staff|/demo/review"
  "notices|staff|/demo/notices"
  "unit findings|liaison|/demo/unit-findings"
  "supervisor tasks|supervisor|/demo/tasks"
  "dashboard|leader|/demo/dashboard"
  "ranking|leader|/demo/years/2026/ranking"
)

printf '\n%-18s %-11s %10s %8s %10s %7s\n' "page" "role" "req/s" "share" "p99 ms" "p99 ×"
printf '%-18s %-11s %10.0f %7s %10.2f %7s\n' "floor" "-" "$floor_rps" "100%" "$floor_p99" "1.0"
slow=0
for entry in "${pages[@]}"; do
  IFS='|' read -r name role path <<<"$entry"
  read -r rps p99 <<<"$(measure "http://$PRODUCT$path" "${cookies[$role]}")"
  share=$(awk -v a="$rps" -v b="$floor_rps" 'BEGIN { printf "%.0f", 100 * a / b }')
  times=$(awk -v a="$p99" -v b="$floor_p99" 'BEGIN { printf "%.1f", a / b }')
  printf '%-18s %-11s %10.0f %7s%% %10.2f %7s\n' "$name" "$role" "$rps" "$share" "$p99" "$times"
  if [ "$share" -lt 25 ] || awk -v t="$times" 'BEGIN { exit !(t > 4) }'; then slow=1; fi
done
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores; $(date -u +%Y-%m-%d)"
exit $slow

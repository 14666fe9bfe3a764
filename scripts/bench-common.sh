# What the page benchmarks share: the tools they need, the product started on its own embedded
# cluster with the demo office, and a demo user's session. Sourced by bench-pages.sh and
# bench-scores.sh after they set BENCH_DIR and PRODUCT.

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 2; }
command -v psql >/dev/null || { echo "psql is missing: apt-get install postgresql-client" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# the product's database, on the embedded cluster's socket
DB="postgres://postgres@localhost:5432/xiaoneng?host=$BENCH_DIR/pg"

# starts the release binary on the demo office and waits until it answers
start_product() {
  echo "== starting the product on the demo office ($PRODUCT)" >&2
  XIAONENG__SERVER__LISTEN=$PRODUCT \
  XIAONENG__DATABASE__EMBEDDED_DIR=$BENCH_DIR/pg \
  XIAONENG__DEMO__LOGINS_FILE=$BENCH_DIR/demo-logins.txt \
  XIAONENG__LOG__FILTER=warn \
    target/release/xiaoneng serve >"$BENCH_DIR/product.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 120); do
    curl -fs "http://$PRODUCT/readyz" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fs "http://$PRODUCT/readyz" >/dev/null || { echo "the product did not start; see $BENCH_DIR/product.log" >&2; exit 1; }
}

# the session cookie of `username`, logged in with the demo's password
login() {
  local user=$1 password jar=$BENCH_DIR/$1.cookies
  password=$(awk -v u="$user" '$1 == u { print $2 }' "$BENCH_DIR/demo-logins.txt")
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" "http://$PRODUCT/demo/login" >/dev/null
  curl -fs -c "$jar" -b "$jar" -o /dev/null -H "Origin: http://$PRODUCT" \
    --data-urlencode "username=$user" --data-urlencode "password=$password" \
    --data-urlencode "next=/demo" "http://$PRODUCT/demo/login"
  awk '$6 == "xiaoneng" { print "xiaoneng=" $7 }' "$jar"
}

# a wrk latency figure (`812.00us`, `3.10ms`, `1.02s`) in milliseconds
to_ms() {
  awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }'
}

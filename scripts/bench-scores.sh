#!/usr/bin/env bash
# Measures the year's scores at the size the scoring issue names: one office grown to 1,000 units
# on its 2026 list with 100,000 deductions (a tenth of them reversed), on this machine.
#
# The product runs on its embedded PostgreSQL with the demo office (a cluster of its own under
# $BENCH_DIR). The demo office is grown with plain SQL (units listed, deductions spread over the
# year's items and months), vacuumed and analysed as a database in service is. Then:
#   1. `xiaoneng scores --office demo --year 2026` is run RUNS times; it logs how long reading the
#      ledger and ranking every unit took (from the first statement to the ranked lines, the same
#      function the pages call), and the script prints the median and the worst;
#   2. wrk fetches the ranking page /demo/years/2026/ranking as a leader, one connection at a time
#      (the time at the server, plus a loopback hop), and prints the median and the 99th percentile.
# Goals: scores under 100 ms from the database; the ranking page under 50 ms at the server.
#
#   scripts/bench-scores.sh                # builds release first
#   BUILD=0 scripts/bench-scores.sh        # measure the release binary already built
set -euo pipefail
cd "$(dirname "$0")/.."

UNITS=${UNITS:-1000}
DEDUCTIONS=${DEDUCTIONS:-100000}
RUNS=${RUNS:-15}
DURATION=${DURATION:-10s}
BENCH_DIR=$(realpath -m "${BENCH_DIR:-target/bench-scores}")
PRODUCT=127.0.0.1:${PRODUCT_PORT:-18183}

if [ "${BUILD:-1}" != 0 ]; then
  echo "== building (release)" >&2
  cargo build --release --locked -p xiaoneng >&2
fi

source scripts/bench-common.sh
start_product

echo "== growing the demo office to $UNITS units and $DEDUCTIONS deductions" >&2
psql -q -v ON_ERROR_STOP=1 "$DB" \
  -v units="$UNITS" -v deductions="$DEDUCTIONS" >/dev/null <<'SQL'
begin;
create temporary table office_year as
select o.id as tenant_id, y.id as year_id
  from office o join assessment_year y on y.tenant_id = o.id and y.year = 2026
 where o.code = 'demo';
-- units b0001…: as many as it takes to reach :units on the list, in four categories
insert into unit (tenant_id, id, code, name, category)
select tenant_id, gen_random_uuid(), 'b' || lpad(n::text, 4, '0'), '测量单位' || n,
       (array['行政执法类', '窗口服务类', '综合管理类', '社会事业类'])[1 + n % 4]
  from office_year,
       generate_series(1, :units - (select count(*) from assessment_unit a join office_year o
                                     on a.tenant_id = o.tenant_id and a.assessment_year_id = o.year_id)) as n;
insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
select o.tenant_id, o.year_id, u.id from office_year o join unit u on u.tenant_id = o.tenant_id
 where u.code like 'b%'
on conflict do nothing;
-- deductions over the listed units, the year's items and its months
create temporary table listed as
select row_number() over (order by a.unit_id) as n, a.unit_id
  from assessment_unit a join office_year o on a.tenant_id = o.tenant_id and a.assessment_year_id = o.year_id;
create temporary table items as
select row_number() over (order by i.code) as n, i.id, i.points_min
  from deduction_item i join office_year o on i.tenant_id = o.tenant_id and i.assessment_year_id = o.year_id;
insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id, entry_kind,
                       points, source_type, source_key, reason, created_at)
select o.tenant_id, gen_random_uuid(), o.year_id, l.unit_id, i.id, 'deduct', i.points_min,
       'bench', 'bench-' || g, '测量数据', timestamptz '2026-01-05 09:00+08' + (g % 320) * interval '1 day'
  from office_year o, generate_series(1, :deductions) as g
  join listed l on l.n = 1 + (g * 7919) % (select count(*) from listed)
  join items i on i.n = 1 + g % (select count(*) from items)
on conflict (tenant_id, source_type, source_key) where entry_kind = 'deduct' do nothing;
-- a tenth reversed, as upheld appeals do
insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id, entry_kind,
                       points, source_type, source_key, reason, reverses_id, created_at)
select d.tenant_id, gen_random_uuid(), d.assessment_year_id, d.unit_id, d.deduction_item_id,
       'reverse', d.points, d.source_type, d.source_key, '异议成立', d.id, d.created_at + interval '3 days'
  from deduction d where d.source_type = 'bench' and d.source_key like '%0' and d.entry_kind = 'deduct'
on conflict (tenant_id, reverses_id) where entry_kind = 'reverse' do nothing;
commit;
vacuum analyze;
SQL
psql -At "$DB" -c "select count(*) from assessment_unit a join office o on o.id = a.tenant_id join assessment_year y on y.id = a.assessment_year_id where o.code = 'demo' and y.year = 2026" | sed 's/^/units listed: /' >&2
psql -At "$DB" -c "select count(*) from deduction d join office o on o.id = d.tenant_id where o.code = 'demo'" | sed 's/^/ledger rows: /' >&2

echo "== xiaoneng scores, $RUNS runs" >&2
times=()
for _ in $(seq "$RUNS"); do
  ms=$(XIAONENG__DATABASE__URL=$DB XIAONENG__LOG__FILTER=info XIAONENG__LOG__JSON=true \
    target/release/xiaoneng scores --office demo --year 2026 --format csv 2>&1 >"$BENCH_DIR/scores.csv" \
    | sed -n 's/.*"elapsed_ms":\([0-9.]*\).*/\1/p')
  [ -n "$ms" ] || { echo "xiaoneng scores did not log its time" >&2; exit 1; }
  times+=("$ms")
done
lines=$(($(wc -l <"$BENCH_DIR/scores.csv") - 1))
read -r median worst <<<"$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }')"

cookie=$(login leader)
[ -n "$cookie" ] || { echo "could not log in as the leader" >&2; exit 1; }

echo "== the ranking page, one connection, $DURATION" >&2
url="http://$PRODUCT/demo/years/2026/ranking"
wrk -t1 -c1 -d3s -H "Cookie: $cookie" "$url" >/dev/null
out=$(wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: $cookie" "$url")
if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; exit 1; fi
p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
size=$(curl -fs -H "Cookie: $cookie" "$url" | wc -c)

echo
printf '%-44s %10s %10s %8s\n' "measure" "median ms" "worst/p99" "goal"
printf '%-44s %10.1f %10.1f %8s\n' "scores of $lines units (xiaoneng scores)" "$median" "$worst" "< 100"
printf '%-44s %10.1f %10.1f %8s\n' "ranking page at the server ($((size / 1024)) KiB)" "$p50" "$p99" "< 50"
echo
echo "$(nproc) cores; $(date -u +%Y-%m-%d)"
awk -v a="$median" -v b="$p50" 'BEGIN { exit !(a < 100 && b < 50) }'

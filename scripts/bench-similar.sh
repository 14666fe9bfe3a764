#!/usr/bin/env bash
# Measures the similar-complaints lookup of the intake page (CMP-13) at the size the complaints
# issue names: one office with 100,000 earlier complaints (and a second office with as many, which
# its queries must never see), on this machine's PostgreSQL.
#
# A database of its own is migrated and filled with plain SQL: 200 units on the open year's list,
# each complaint's matter made of a service, a fault and a place drawn from the words offices
# write (so that many matters are alike, as in service), phones repeating across complaints. Then,
# as the application's restricted role inside the office (row-level security on, as in a request),
# the lookup's two statements are run exactly as `complaints::db::similar` runs them:
#   1. EXPLAIN (ANALYZE, BUFFERS) of one lookup, to show the plan (the trigram index answers `%`);
#   2. pgbench runs the lookup for a spread of new complaints, one client, and prints its latency.
# Goal: under 50 ms per lookup.
#
#   scripts/bench-similar.sh                           # PostgreSQL at 127.0.0.1:5432 as postgres
#   PGURL=postgres://postgres@host:5432 scripts/bench-similar.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
DBNAME=${DBNAME:-xiaoneng_bench_similar}
COMPLAINTS=${COMPLAINTS:-100000}
RUNS=${RUNS:-200}
DB="$PGURL/$DBNAME"

echo "== a fresh database $DBNAME, migrated" >&2
psql -q -v ON_ERROR_STOP=1 "$PGURL/postgres" -c "drop database if exists $DBNAME" -c "create database $DBNAME"
for f in migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$DB" -f "$f" >/dev/null; done

echo "== two offices with $COMPLAINTS complaints each" >&2
psql -q -v ON_ERROR_STOP=1 "$DB" -v complaints="$COMPLAINTS" >/dev/null <<'SQL'
begin;
insert into office (id, code, name) values
  ('00000000-0000-0000-0000-00000000000a', 'bench-a', '甲效能办'),
  ('00000000-0000-0000-0000-00000000000b', 'bench-b', '乙效能办');
insert into office_settings (tenant_id) select id from office on conflict do nothing;
insert into assessment_year (tenant_id, id, year)
  select id, gen_random_uuid(), 2026 from office;
insert into unit (tenant_id, id, code, name)
  select o.id, gen_random_uuid(), 'u' || g, '第' || g || '单位' from office o, generate_series(1, 200) g;
insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
  select u.tenant_id, y.id, u.id
    from unit u join assessment_year y on y.tenant_id = u.tenant_id;
create temporary table words (kind text, n int, word text);
insert into words
  select 'service', row_number() over (), w from unnest(array['不动产登记', '营业执照', '社保转移',
    '医保报销', '公积金提取', '户口迁移', '驾驶证换证', '出入境证件', '施工许可', '税务登记',
    '低保申请', '残疾证办理', '食品经营许可', '企业开办', '房屋租赁备案', '养老保险认证']) w
  union all
  select 'fault', row_number() over (), w from unnest(array['办理超过承诺时限', '窗口人员态度生硬',
    '多次往返仍未办结', '推诿扯皮不予受理', '未一次性告知所需材料', '工作时间擅离岗位',
    '要求提供无关证明', '电话长期无人接听', '办事指南与实际不符', '排队叫号秩序混乱']) w
  union all
  select 'place', row_number() over (), w from unnest(array['政务服务中心一楼', '东区分中心',
    '3号窗口', '自助服务区', '街道便民服务站', '网上办事大厅', '咨询台', '二楼综合窗口']) w;
insert into complaint (tenant_id, id, assessment_year_id, number, channel, received_at, unit_id,
                       matter, reasons, category, relation, complainant_name, complainant_phone,
                       track, status, refusal_reason, created_at)
select o.id, gen_random_uuid(), y.id, '效投〔2026〕' || g || '号',
       (array['hotline_12345', 'complaint_hotline', 'online', 'visit'])[1 + g % 4],
       timestamptz '2026-01-02 09:00+08' + (g * interval '4 minutes'),
       (select id from unit u where u.tenant_id = o.id and u.code = 'u' || (1 + (g * 7919) % 200)),
       s.word || f.word || '（' || p.word || '）',
       '群众反映：' || s.word || f.word || '，请核查。',
       (array['delay', 'attitude', 'shirking', 'notification'])[1 + g % 4],
       'recipient', '群众' || g, '139' || lpad(((g::bigint * 104729) % 40000)::text, 8, '0'),
       'complaint',
       (array['received', 'assigned', 'signed', 'refused', 'signed', 'assigned'])[1 + g % 6],
       case when g % 6 = 3 then 'in_progress' end,
       timestamptz '2026-01-02 09:00+08' + (g * interval '4 minutes')
  from office o
  join assessment_year y on y.tenant_id = o.id
  cross join generate_series(1, :complaints) g
  join words s on s.kind = 'service' and s.n = 1 + (g * 31) % 16
  join words f on f.kind = 'fault' and f.n = 1 + (g * 17) % 10
  join words p on p.kind = 'place' and p.n = 1 + (g * 13) % 8;
commit;
vacuum analyze;
SQL
psql -qAt "$DB" -c "select count(*) || ' complaints in ' || count(distinct tenant_id) || ' offices' from complaint" >&2

# the lookup as the request runs it: the restricted role, inside office A's tenant, the threshold
# of the default settings
LOOKUP=$(cat <<'SQL'
begin;
set local role xiaoneng_app;
select set_config('app.tenant_id', '00000000-0000-0000-0000-00000000000a', true);
select set_config('pg_trgm.similarity_threshold', 0.3::real::text, true);
PREFIX select c.id, c.number, c.matter, c.status, similarity(c.matter, :'matter')::real as likeness
  from complaint c
 where c.id <> '00000000-0000-0000-0000-000000000000'
   and ((c.unit_id = (select id from unit where code = :'unit') and c.status in ('received', 'assigned', 'signed', 'returned')
         and c.matter % :'matter')
        or (:'phone' <> '' and c.complainant_phone = :'phone'))
 order by 5 desc, c.received_at desc
 limit 10;
commit;
SQL
)

echo "== the plan of one lookup (a new complaint about u17: 社保转移办理超过承诺时限)" >&2
echo "${LOOKUP/PREFIX/explain (analyze, buffers, costs off)}" |
  psql -q -v ON_ERROR_STOP=1 "$DB" -v matter='社保转移办理超过承诺时限，去了三次' -v unit=u17 -v phone=13900012345

echo "== $RUNS lookups, each a different unit, matter and phone (pgbench, one client)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
WORDS="'不动产登记', '营业执照', '社保转移', '医保报销', '公积金提取', '户口迁移', '驾驶证换证',
  '出入境证件', '施工许可', '税务登记', '低保申请', '残疾证办理', '食品经营许可', '企业开办',
  '房屋租赁备案', '养老保险认证'"
cat > "$tmp/lookup.sql" <<SQL
\set u random(1, 200)
\set s random(1, 16)
\set p random(0, 39999)
begin;
set local role xiaoneng_app;
select set_config('app.tenant_id', '00000000-0000-0000-0000-00000000000a', true);
select set_config('pg_trgm.similarity_threshold', 0.3::real::text, true);
select c.id, c.number, c.matter, c.status,
       similarity(c.matter, (array[$WORDS])[:s] || '办理超过承诺时限')::real
  from complaint c
 where c.id <> '00000000-0000-0000-0000-000000000000'
   and ((c.unit_id = (select id from unit where code = 'u' || :u)
         and c.status in ('received', 'assigned', 'signed', 'returned')
         and c.matter % ((array[$WORDS])[:s] || '办理超过承诺时限'))
        or c.complainant_phone = '139' || lpad(:p::text, 8, '0'))
 order by 5 desc, c.received_at desc
 limit 10;
commit;
SQL
pgbench -n -c 1 -t "$RUNS" -f "$tmp/lookup.sql" "$DB" 2>&1 | grep -E 'latency|tps|transactions actually'

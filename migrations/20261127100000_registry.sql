-- Registry: assessment years, the deduction catalog, units grown to their full form, staff, and the
-- working-day calendar. Tenancy exactly as in the foundation migration.

create table assessment_year (
    tenant_id uuid not null references office (id),
    id uuid not null,
    year integer not null,
    status text not null default 'open',
    opened_at timestamptz not null default now(),
    closed_at timestamptz,
    primary key (tenant_id, id),
    constraint assessment_year_year_key unique (tenant_id, year),
    constraint assessment_year_year_check check (year between 2000 and 2100),
    constraint assessment_year_status_check check (status in ('open', 'closed')),
    constraint assessment_year_closed_check check ((status = 'closed') = (closed_at is not null))
);

-- INS-15: the catalog of things that cost points, per assessment year.
create table deduction_item (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    code text not null,
    title text not null,
    for_open boolean not null,
    for_covert boolean not null,
    for_system boolean not null,
    -- points taken, as positive numbers; equal for a fixed item, a range for a discretionary one
    points_min numeric(5, 2) not null,
    points_max numeric(5, 2) not null,
    rule_id text not null,
    -- INS-08: a confirmed finding of this item costs the unit its excellence eligibility
    costs_excellence boolean not null default false,
    position integer not null,
    retired_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint deduction_item_code_key unique (tenant_id, assessment_year_id, code),
    constraint deduction_item_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint deduction_item_points_check check (points_min > 0 and points_max >= points_min),
    constraint deduction_item_kind_check check (for_open or for_covert or for_system)
);

alter table unit
    add column category text not null default '',
    add column address text not null default '',
    add column phone text not null default '',
    add column leaders text not null default '',
    add column updated_at timestamptz not null default now();

-- INS-01: the units on a year's assessment list are the inspection objects of that year.
create table assessment_unit (
    tenant_id uuid not null references office (id),
    assessment_year_id uuid not null,
    unit_id uuid not null,
    primary key (tenant_id, assessment_year_id, unit_id),
    constraint assessment_unit_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint assessment_unit_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id)
);

-- INS-01: a unit's personnel, of every employment kind.
create table staff_member (
    tenant_id uuid not null references office (id),
    id uuid not null,
    unit_id uuid not null,
    name text not null,
    post text not null default '',
    employment text not null,
    phone text not null default '',
    left_at date,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint staff_member_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint staff_member_employment_check
        check (employment in ('regular', 'seconded', 'borrowed', 'attached', 'contracted'))
);
create index staff_member_unit_idx on staff_member (tenant_id, unit_id, name);

-- CAL-1: the office's working-day calendar, one row per year it covers and one per exception day
-- (a holiday on a weekday, or a make-up working day on a weekend).
create table calendar_year (
    tenant_id uuid not null references office (id),
    year integer not null,
    source text not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, year)
);

create table calendar_day (
    tenant_id uuid not null references office (id),
    day date not null,
    kind text not null,
    note text not null default '',
    year integer not null generated always as (extract(year from day)::integer) stored,
    primary key (tenant_id, day),
    constraint calendar_day_kind_check check (kind in ('holiday', 'make_up_workday')),
    constraint calendar_day_year_fkey foreign key (tenant_id, year)
        references calendar_year (tenant_id, year)
);

-- A closed year is read-only everywhere: its catalog and list refuse every change.
create function refuse_closed_year() returns trigger
language plpgsql
as $$
declare
    r record;
begin
    r := case when tg_op = 'DELETE' then old else new end;
    if exists (select 1 from assessment_year
                where tenant_id = r.tenant_id and id = r.assessment_year_id and status = 'closed') then
        raise exception 'the assessment year is closed'
            using errcode = 'check_violation', constraint = 'assessment_year_closed';
    end if;
    return r;
end
$$;
create trigger deduction_item_open_year before insert or update or delete on deduction_item
    for each row execute function refuse_closed_year();
create trigger assessment_unit_open_year before insert or update or delete on assessment_unit
    for each row execute function refuse_closed_year();

do $$
declare
    t text;
begin
    foreach t in array array['assessment_year', 'deduction_item', 'assessment_unit', 'staff_member',
                             'calendar_year', 'calendar_day'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

grant select, insert, update on assessment_year, deduction_item, staff_member, calendar_year to xiaoneng_app;
-- list membership and calendar exceptions are facts that come and go
grant select, insert, delete on assessment_unit, calendar_day to xiaoneng_app;
grant update (note, kind) on calendar_day to xiaoneng_app;

-- The deductions ledger (what scoring will read) and quarterly self-reports (INS-04).

-- Every deduction taken from a unit, and every reversal of one, as rows that are never changed:
-- a reversal is a new row pointing at the deduction it cancels.
create table deduction (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    unit_id uuid not null,
    deduction_item_id uuid not null,
    entry_kind text not null,
    points numeric(6, 2) not null,
    -- what caused it ('self_report', later 'finding'), and a key that makes it happen only once
    source_type text not null,
    source_key text not null,
    reason text not null,
    reverses_id uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint deduction_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint deduction_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint deduction_item_fkey foreign key (tenant_id, deduction_item_id)
        references deduction_item (tenant_id, id),
    constraint deduction_reverses_fkey foreign key (tenant_id, reverses_id) references deduction (tenant_id, id),
    constraint deduction_kind_check check (
        (entry_kind = 'deduct' and reverses_id is null) or (entry_kind = 'reverse' and reverses_id is not null)),
    constraint deduction_points_check check (points > 0),
    constraint deduction_reason_check check (length(btrim(reason)) > 0)
);
-- INS-04: a cause deducts once
create unique index deduction_once on deduction (tenant_id, source_type, source_key) where entry_kind = 'deduct';
-- a deduction is reversed at most once
create unique index deduction_reversed_once on deduction (tenant_id, reverses_id) where entry_kind = 'reverse';
create index deduction_unit_idx on deduction (tenant_id, assessment_year_id, unit_id);
create trigger deduction_append_only before update or delete on deduction
    for each row execute function refuse_change();

-- INS-04: each unit's quarterly self-report.
create table self_report (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    unit_id uuid not null,
    quarter integer not null,
    content text not null,
    submitted_by uuid not null,
    submitted_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint self_report_quarter_key unique (tenant_id, assessment_year_id, unit_id, quarter),
    constraint self_report_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint self_report_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint self_report_user_fkey foreign key (tenant_id, submitted_by) references app_user (tenant_id, id),
    constraint self_report_quarter_check check (quarter between 1 and 4),
    constraint self_report_content_check check (length(btrim(content)) > 0)
);
create trigger self_report_append_only before update or delete on self_report
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['deduction', 'self_report'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

grant select, insert on deduction, self_report to xiaoneng_app;

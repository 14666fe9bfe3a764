-- The year's results: per-category base scores, warning units, the office's excellence decision,
-- and the snapshot a closed year is reported from. A closed year refuses every new deduction.

-- A year's row is read with a share lock before anything of it changes: a change made while the
-- year is being closed (the close holds the row for update) waits for the close and is then
-- refused, instead of slipping in beside the snapshot.
create or replace function refuse_closed_year() returns trigger
language plpgsql
as $$
declare
    r record;
    year_status text;
begin
    r := case when tg_op = 'DELETE' then old else new end;
    select status into year_status from assessment_year
     where tenant_id = r.tenant_id and id = r.assessment_year_id
       for share;
    if year_status = 'closed' then
        raise exception 'the assessment year is closed'
            using errcode = 'check_violation', constraint = 'assessment_year_closed';
    end if;
    return r;
end
$$;

-- A closed year takes no deduction and no reversal: its scores are final (issue 12, INS-11/12).
create trigger deduction_open_year before insert on deduction
    for each row execute function refuse_closed_year();

-- A closed year's scoring rules do not change either.
create function assessment_year_rules_frozen() returns trigger
language plpgsql
as $$
begin
    if old.status = 'closed' and new.status = 'closed'
       and (new.base_score, new.score_floor) is distinct from (old.base_score, old.score_floor) then
        raise exception 'the assessment year is closed'
            using errcode = 'check_violation', constraint = 'assessment_year_closed';
    end if;
    return new;
end
$$;
create trigger assessment_year_rules_frozen before update on assessment_year
    for each row execute function assessment_year_rules_frozen();

-- An office may start one category of units from another base score than the year's.
create table category_base_score (
    tenant_id uuid not null references office (id),
    assessment_year_id uuid not null,
    category text not null,
    base_score numeric(6, 2) not null,
    primary key (tenant_id, assessment_year_id, category),
    constraint category_base_score_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint category_base_score_check check (base_score > 0 and base_score <= 1000)
);
create trigger category_base_score_open_year before insert or update or delete on category_base_score
    for each row execute function refuse_closed_year();

-- SYS-8 (accountability rule, art. 3): a unit designated a warning unit for the year, with the
-- reason and the records it rests on. It is shown on rankings and cannot be rated excellent.
create table warning_unit (
    tenant_id uuid not null references office (id),
    assessment_year_id uuid not null,
    unit_id uuid not null,
    reason text not null,
    basis text not null,
    designated_by uuid not null,
    designated_at timestamptz not null,
    primary key (tenant_id, assessment_year_id, unit_id),
    -- designated while on the year's list (checked when designating); a unit taken off the list
    -- keeps its designation on record
    constraint warning_unit_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint warning_unit_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint warning_unit_user_fkey foreign key (tenant_id, designated_by)
        references app_user (tenant_id, id),
    constraint warning_unit_reason_check check (length(btrim(reason)) > 0),
    constraint warning_unit_basis_check check (length(btrim(basis)) > 0)
);
create trigger warning_unit_open_year before insert or update or delete on warning_unit
    for each row execute function refuse_closed_year();

-- INS-08: the office's decision on the year's excellence list. Decisions are never changed: a
-- later one replaces an earlier one, and the latest is in force.
create table excellence_decision (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    note text not null default '',
    decided_by uuid not null,
    decided_at timestamptz not null,
    primary key (tenant_id, id),
    constraint excellence_decision_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint excellence_decision_user_fkey foreign key (tenant_id, decided_by)
        references app_user (tenant_id, id)
);
create index excellence_decision_year_idx on excellence_decision (tenant_id, assessment_year_id, decided_at desc);
create trigger excellence_decision_open_year before insert on excellence_decision
    for each row execute function refuse_closed_year();
create trigger excellence_decision_append_only before update or delete on excellence_decision
    for each row execute function refuse_change();

-- Each unit the decision names: confirmed excellent, or a proposed unit left out, with the reason.
create table excellence_choice (
    tenant_id uuid not null references office (id),
    decision_id uuid not null,
    unit_id uuid not null,
    confirmed boolean not null,
    reason text not null default '',
    primary key (tenant_id, decision_id, unit_id),
    constraint excellence_choice_decision_fkey foreign key (tenant_id, decision_id)
        references excellence_decision (tenant_id, id),
    constraint excellence_choice_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    -- INS-08: an eligible unit is left out only with a reason
    constraint excellence_choice_reason_check check (confirmed or length(btrim(reason)) > 0)
);
create trigger excellence_choice_append_only before update or delete on excellence_choice
    for each row execute function refuse_change();

-- A closed year's results, frozen: every unit's score, ranks, excellence and warning as they were
-- when the year was closed. Rows are never changed; reopening and closing again takes a new
-- snapshot, and reports read the latest. The digest of the lines is written to the audit log.
create table year_snapshot (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    base_score numeric(6, 2) not null,
    score_floor numeric(6, 2) not null,
    excellence_min_score numeric(6, 2) not null,
    excellence_max_share_percent integer not null,
    digest text not null,
    taken_by uuid not null,
    taken_at timestamptz not null,
    primary key (tenant_id, id),
    constraint year_snapshot_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint year_snapshot_user_fkey foreign key (tenant_id, taken_by)
        references app_user (tenant_id, id)
);
create index year_snapshot_year_idx on year_snapshot (tenant_id, assessment_year_id, taken_at desc);
create trigger year_snapshot_append_only before update or delete on year_snapshot
    for each row execute function refuse_change();

create table year_snapshot_line (
    tenant_id uuid not null references office (id),
    snapshot_id uuid not null,
    unit_id uuid not null,
    code text not null,
    name text not null,
    category text not null,
    base_score numeric(6, 2) not null,
    deducted numeric(8, 2) not null,
    score numeric(6, 2) not null,
    rank_in_category integer not null,
    rank_overall integer not null,
    excellence text not null,
    warning boolean not null,
    primary key (tenant_id, snapshot_id, unit_id),
    constraint year_snapshot_line_snapshot_fkey foreign key (tenant_id, snapshot_id)
        references year_snapshot (tenant_id, id),
    constraint year_snapshot_line_excellence_check
        check (excellence in ('lost', 'no', 'eligible', 'proposed', 'confirmed'))
);
create trigger year_snapshot_line_append_only before update or delete on year_snapshot_line
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['category_base_score', 'warning_unit', 'excellence_decision',
                             'excellence_choice', 'year_snapshot', 'year_snapshot_line'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = (select app_tenant_id())) '
            'with check (tenant_id = (select app_tenant_id()))', t);
    end loop;
end
$$;

grant select, insert, update, delete on category_base_score, warning_unit to xiaoneng_app;
grant select, insert on excellence_decision, excellence_choice, year_snapshot, year_snapshot_line
    to xiaoneng_app;

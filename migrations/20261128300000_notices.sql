-- Rectification notices and appeals (INS-11, INS-12).

-- A notice to a unit from its confirmed findings: numbered from the office's counter, with its
-- facts, basis, requirements, the rectification deadline and the appeal deadline, both computed
-- once on the working-day calendar when it is issued.
create table rectification_notice (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    unit_id uuid not null,
    task_id uuid,
    number text not null,
    basis text not null,
    requirements text not null,
    working_days integer not null,
    due_at timestamptz not null,
    appeal_until timestamptz not null,
    issued_by uuid not null,
    issued_at timestamptz not null default now(),
    -- issued → withdrawn (an upheld appeal) | closed (an accepted report)
    status text not null default 'issued',
    withdrawn_at timestamptz,
    primary key (tenant_id, id),
    constraint rectification_notice_number_key unique (tenant_id, number),
    constraint rectification_notice_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint rectification_notice_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint rectification_notice_task_fkey foreign key (tenant_id, task_id, unit_id)
        references inspection_task (tenant_id, id, unit_id),
    constraint rectification_notice_user_fkey foreign key (tenant_id, issued_by) references app_user (tenant_id, id),
    constraint rectification_notice_status_check check (status in ('issued', 'withdrawn', 'closed')),
    constraint rectification_notice_days_check check (working_days between 1 and 90),
    constraint rectification_notice_text_check check (length(btrim(basis)) > 0 and length(btrim(requirements)) > 0)
);
create index rectification_notice_unit_idx on rectification_notice (tenant_id, unit_id, issued_at);

-- The findings a notice states; a finding is in one notice at most.
create table notice_finding (
    tenant_id uuid not null references office (id),
    notice_id uuid not null,
    finding_id uuid not null,
    primary key (tenant_id, finding_id),
    constraint notice_finding_notice_fkey foreign key (tenant_id, notice_id)
        references rectification_notice (tenant_id, id),
    constraint notice_finding_finding_fkey foreign key (tenant_id, finding_id) references finding (tenant_id, id)
);
create index notice_finding_notice_idx on notice_finding (tenant_id, notice_id);

-- INS-12: one appeal per notice, by the unit, decided once by the office.
create table notice_appeal (
    tenant_id uuid not null references office (id),
    notice_id uuid not null,
    reasons text not null,
    submitted_by uuid not null,
    submitted_at timestamptz not null default now(),
    decision text,
    decision_reason text not null default '',
    decided_by uuid,
    decided_at timestamptz,
    primary key (tenant_id, notice_id),
    constraint notice_appeal_notice_fkey foreign key (tenant_id, notice_id)
        references rectification_notice (tenant_id, id),
    constraint notice_appeal_user_fkey foreign key (tenant_id, submitted_by) references app_user (tenant_id, id),
    constraint notice_appeal_decider_fkey foreign key (tenant_id, decided_by) references app_user (tenant_id, id),
    constraint notice_appeal_reasons_check check (length(btrim(reasons)) > 0),
    constraint notice_appeal_decision_check check (
        (decision is null and decided_at is null)
        or (decision in ('upheld', 'rejected') and decided_at is not null and length(btrim(decision_reason)) > 0))
);

-- Notices and appeals move forward only; nothing is deleted.
create function notice_moves_forward() returns trigger
language plpgsql
as $$
begin
    if tg_table_name = 'rectification_notice' then
        if old.status = 'issued' and new.status in ('withdrawn', 'closed')
           and (new.number, new.unit_id, new.basis, new.requirements, new.due_at, new.appeal_until, new.issued_at)
               is not distinct from
               (old.number, old.unit_id, old.basis, old.requirements, old.due_at, old.appeal_until, old.issued_at) then
            return new;
        end if;
    elsif old.decision is null and new.decision is not null
          and (new.reasons, new.submitted_by, new.submitted_at)
              is not distinct from (old.reasons, old.submitted_by, old.submitted_at) then
        return new;
    end if;
    raise exception '% % cannot change that way', tg_table_name, old
        using errcode = 'check_violation', constraint = 'notice_moves_forward';
end
$$;
create trigger rectification_notice_moves_forward before update on rectification_notice
    for each row execute function notice_moves_forward();
create trigger notice_appeal_moves_forward before update on notice_appeal
    for each row execute function notice_moves_forward();
create trigger rectification_notice_never_deleted before delete on rectification_notice
    for each row execute function refuse_change();
create trigger notice_appeal_never_deleted before delete on notice_appeal
    for each row execute function refuse_change();
create trigger notice_finding_append_only before update or delete on notice_finding
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['rectification_notice', 'notice_finding', 'notice_appeal'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert on %I to xiaoneng_app', t);
    end loop;
end
$$;
grant update (status, withdrawn_at) on rectification_notice to xiaoneng_app;
grant update (decision, decision_reason, decided_by, decided_at) on notice_appeal to xiaoneng_app;

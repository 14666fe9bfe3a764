-- Inspection tasks: a group put on a unit on a date, for an open or a covert inspection (INS-02,
-- INS-03, INS-07). Supervisors see only their own group's tasks.
create table inspection_task (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    group_id uuid not null,
    unit_id uuid not null,
    kind text not null,
    -- covert methods (INS-07): post watch, mystery visit, case tracking
    method text,
    -- INS-03 focus areas of an open inspection
    focus text[] not null default '{}',
    scheduled_on date not null,
    -- the covert draw that chose the unit, when one did
    draw_id uuid,
    note text not null default '',
    created_by uuid not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint inspection_task_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint inspection_task_group_fkey foreign key (tenant_id, group_id)
        references supervisor_group (tenant_id, id),
    constraint inspection_task_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint inspection_task_draw_fkey foreign key (tenant_id, draw_id) references inspection_draw (tenant_id, id),
    constraint inspection_task_user_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint inspection_task_kind_check check (
        (kind = 'open' and method is null)
        or (kind = 'covert' and method in ('post_watch', 'mystery_visit', 'case_tracking')))
);
create index inspection_task_group_idx on inspection_task (tenant_id, group_id, scheduled_on);
create index inspection_task_unit_idx on inspection_task (tenant_id, assessment_year_id, unit_id);

alter table inspection_task enable row level security;
alter table inspection_task force row level security;
create policy tenant_isolation on inspection_task using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert on inspection_task to xiaoneng_app;

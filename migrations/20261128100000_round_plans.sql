-- INS-06: a round's plan is fixed once, and only when every unit that must be inspected next is
-- either in it or left out with a recorded reason.
create table round_plan_fixed (
    tenant_id uuid not null references office (id),
    round_id uuid not null,
    fixed_by uuid not null,
    fixed_at timestamptz not null default now(),
    primary key (tenant_id, round_id),
    constraint round_plan_fixed_round_fkey foreign key (tenant_id, round_id)
        references inspection_round (tenant_id, id),
    constraint round_plan_fixed_user_fkey foreign key (tenant_id, fixed_by) references app_user (tenant_id, id)
);
create trigger round_plan_fixed_append_only before update or delete on round_plan_fixed
    for each row execute function refuse_change();
create trigger round_task_append_only before update or delete on round_task
    for each row execute function refuse_change();

alter table round_plan_fixed enable row level security;
alter table round_plan_fixed force row level security;
create policy tenant_isolation on round_plan_fixed using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert on round_plan_fixed to xiaoneng_app;

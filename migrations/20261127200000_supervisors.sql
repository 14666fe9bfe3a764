-- Supervisors, their certificates and groups (INS-02, INS-08), and per-office numbering.

-- Human numbers (certificates now; complaints and notices later) come from a per-office, per-year
-- counter taken with a row lock, never from max()+1.
create table number_counter (
    tenant_id uuid not null references office (id),
    kind text not null,
    year integer not null,
    last_value integer not null default 0,
    primary key (tenant_id, kind, year)
);

-- INS-02: recommended by a department, approved (or declined) by the office; an approved
-- supervisor carries a numbered certificate with a validity period (INS-08).
create table supervisor (
    tenant_id uuid not null references office (id),
    id uuid not null,
    name text not null,
    phone text not null default '',
    -- where the person works, and which department recommended them (both for recusal)
    work_unit_id uuid,
    recommended_by_unit_id uuid,
    recommendation text not null default '',
    status text not null default 'recommended',
    recommended_at timestamptz not null default now(),
    decided_at timestamptz,
    decision_note text not null default '',
    certificate_number text,
    valid_from date,
    valid_until date,
    user_id uuid,
    primary key (tenant_id, id),
    constraint supervisor_certificate_key unique (tenant_id, certificate_number),
    constraint supervisor_user_key unique (tenant_id, user_id),
    constraint supervisor_work_unit_fkey foreign key (tenant_id, work_unit_id) references unit (tenant_id, id),
    constraint supervisor_recommended_by_fkey foreign key (tenant_id, recommended_by_unit_id)
        references unit (tenant_id, id),
    constraint supervisor_user_fkey foreign key (tenant_id, user_id) references app_user (tenant_id, id),
    constraint supervisor_status_check check (status in ('recommended', 'approved', 'declined', 'revoked')),
    constraint supervisor_certificate_check check (
        (status in ('approved', 'revoked')) = (certificate_number is not null)
        and (certificate_number is null
             or (valid_from is not null and valid_until is not null and valid_until >= valid_from)))
);

-- INS-02: groups sized per task or period, each with exactly one leader who answers for it.
create table supervisor_group (
    tenant_id uuid not null references office (id),
    id uuid not null,
    name text not null,
    purpose text not null default '',
    -- the unit the group is formed to inspect, when it is formed for one task (recusal)
    unit_id uuid,
    starts_on date,
    ends_on date,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint supervisor_group_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id)
);

create table group_member (
    tenant_id uuid not null references office (id),
    group_id uuid not null,
    supervisor_id uuid not null,
    is_leader boolean not null default false,
    primary key (tenant_id, group_id, supervisor_id),
    constraint group_member_group_fkey foreign key (tenant_id, group_id)
        references supervisor_group (tenant_id, id) deferrable initially deferred,
    constraint group_member_supervisor_fkey foreign key (tenant_id, supervisor_id)
        references supervisor (tenant_id, id)
);
-- never two leaders
create unique index group_member_one_leader on group_member (tenant_id, group_id) where is_leader;

-- never no leader: checked when the transaction commits, so a group and its members can be
-- written in any order within it
create function check_group_has_one_leader() returns trigger
language plpgsql
as $$
declare
    g uuid;
    t uuid;
    leaders integer;
begin
    if tg_table_name = 'supervisor_group' then
        g := new.id; t := new.tenant_id;
    elsif tg_op = 'DELETE' then
        g := old.group_id; t := old.tenant_id;
    else
        g := new.group_id; t := new.tenant_id;
        -- a member moved out of another group leaves that group to be checked too
        if tg_op = 'UPDATE' and old.group_id <> new.group_id then
            select count(*) into leaders from group_member
             where tenant_id = old.tenant_id and group_id = old.group_id and is_leader;
            if leaders <> 1 and exists (select 1 from supervisor_group
                                        where tenant_id = old.tenant_id and id = old.group_id) then
                raise exception 'group % must have exactly one leader (has %)', old.group_id, leaders
                    using errcode = 'check_violation', constraint = 'group_one_leader';
            end if;
        end if;
    end if;
    if not exists (select 1 from supervisor_group where tenant_id = t and id = g) then
        return null;
    end if;
    select count(*) into leaders from group_member where tenant_id = t and group_id = g and is_leader;
    if leaders <> 1 then
        raise exception 'group % must have exactly one leader (has %)', g, leaders
            using errcode = 'check_violation', constraint = 'group_one_leader';
    end if;
    return null;
end
$$;
create constraint trigger supervisor_group_one_leader after insert or update on supervisor_group
    deferrable initially deferred for each row execute function check_group_has_one_leader();
create constraint trigger group_member_one_leader after insert or update or delete on group_member
    deferrable initially deferred for each row execute function check_group_has_one_leader();

do $$
declare
    t text;
begin
    foreach t in array array['number_counter', 'supervisor', 'supervisor_group', 'group_member'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

grant select, insert, update on number_counter, supervisor, supervisor_group to xiaoneng_app;
grant select, insert, delete on group_member to xiaoneng_app;
grant update (is_leader) on group_member to xiaoneng_app;

-- Interviews (INS-13): the office calls a unit with prominent problems to a formal talk. It is
-- scheduled (time, place, attendees of both sides, the problems), then held (the minutes are
-- recorded) or cancelled with a reason; follow-up actions with a due date and a responsible party
-- come out of it and are marked done one by one.

create table interview (
    tenant_id uuid not null references office (id),
    id uuid not null,
    unit_id uuid not null,
    scheduled_at timestamptz not null,
    place text not null,
    problems text not null,
    -- scheduled → held (minutes recorded) | cancelled (with its reason)
    status text not null default 'scheduled',
    minutes text not null default '',
    held_at timestamptz,
    cancel_reason text not null default '',
    cancelled_at timestamptz,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint interview_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint interview_user_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint interview_status_check check (status in ('scheduled', 'held', 'cancelled')),
    constraint interview_text_check check (length(btrim(place)) > 0 and length(btrim(problems)) > 0),
    constraint interview_held_check check (
        (status = 'held') = (held_at is not null)
        and (status <> 'held' or length(btrim(minutes)) > 0)),
    constraint interview_cancelled_check check (
        (status = 'cancelled') = (cancelled_at is not null)
        and (status <> 'cancelled' or length(btrim(cancel_reason)) > 0))
);
create index interview_unit_idx on interview (tenant_id, unit_id, scheduled_at);
create index interview_scheduled_idx on interview (tenant_id, scheduled_at);

-- Who attends, on the office's side and on the unit's, in the order typed.
create table interview_attendee (
    tenant_id uuid not null references office (id),
    interview_id uuid not null,
    side text not null,
    position integer not null,
    name text not null,
    post text not null default '',
    primary key (tenant_id, interview_id, side, position),
    constraint interview_attendee_interview_fkey foreign key (tenant_id, interview_id)
        references interview (tenant_id, id),
    constraint interview_attendee_side_check check (side in ('office', 'unit')),
    constraint interview_attendee_name_check check (length(btrim(name)) > 0)
);

-- What the unit must do after the interview, by when and who answers for it.
create table interview_action (
    tenant_id uuid not null references office (id),
    id uuid not null,
    interview_id uuid not null,
    content text not null,
    responsible text not null,
    due_on date not null,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    done_at timestamptz,
    done_by uuid,
    primary key (tenant_id, id),
    constraint interview_action_interview_fkey foreign key (tenant_id, interview_id)
        references interview (tenant_id, id),
    constraint interview_action_creator_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint interview_action_done_by_fkey foreign key (tenant_id, done_by) references app_user (tenant_id, id),
    constraint interview_action_text_check check (length(btrim(content)) > 0 and length(btrim(responsible)) > 0),
    constraint interview_action_done_check check ((done_at is null) = (done_by is null))
);
create index interview_action_interview_idx on interview_action (tenant_id, interview_id, due_on);

-- INS-13: an interview moves forward only. While scheduled its details may be corrected; it is
-- held once (with minutes) or cancelled once (with a reason); then it never changes again.
create function interview_moves_forward() returns trigger
language plpgsql
as $$
begin
    if old.status = 'scheduled' and new.status in ('scheduled', 'held', 'cancelled')
       and (new.unit_id, new.created_by, new.created_at) is not distinct from (old.unit_id, old.created_by, old.created_at)
       and (new.status <> 'held' or (new.scheduled_at, new.place, new.problems)
                                    is not distinct from (old.scheduled_at, old.place, old.problems))
       and (new.status <> 'cancelled' or (new.scheduled_at, new.place, new.problems, new.minutes)
                                         is not distinct from (old.scheduled_at, old.place, old.problems, old.minutes)) then
        return new;
    end if;
    raise exception 'interview % cannot go from % to % that way', old.id, old.status, new.status
        using errcode = 'check_violation', constraint = 'interview_moves_forward';
end
$$;
create trigger interview_moves_forward before update on interview
    for each row execute function interview_moves_forward();
create trigger interview_never_deleted before delete on interview
    for each row execute function refuse_change();

-- The attendee lists are replaced while the interview is scheduled, and fixed after.
create function interview_attendee_while_scheduled() returns trigger
language plpgsql
as $$
declare
    r record;
begin
    r := case when tg_op = 'DELETE' then old else new end;
    if exists (select 1 from interview
                where tenant_id = r.tenant_id and id = r.interview_id and status = 'scheduled') then
        return r;
    end if;
    raise exception 'the attendees of interview % are fixed once it is held or cancelled', r.interview_id
        using errcode = 'check_violation', constraint = 'interview_attendee_while_scheduled';
end
$$;
create trigger interview_attendee_while_scheduled before insert or update or delete on interview_attendee
    for each row execute function interview_attendee_while_scheduled();

-- A follow-up action is added to a held interview, marked done once, and otherwise never changes.
create function interview_action_done_once() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        if exists (select 1 from interview
                    where tenant_id = new.tenant_id and id = new.interview_id and status = 'held') then
            return new;
        end if;
    elsif old.done_at is null and new.done_at is not null
          and (new.interview_id, new.content, new.responsible, new.due_on, new.created_by, new.created_at)
              is not distinct from
              (old.interview_id, old.content, old.responsible, old.due_on, old.created_by, old.created_at) then
        return new;
    end if;
    raise exception 'interview action cannot change that way'
        using errcode = 'check_violation', constraint = 'interview_action_done_once';
end
$$;
create trigger interview_action_done_once before insert or update on interview_action
    for each row execute function interview_action_done_once();
create trigger interview_action_never_deleted before delete on interview_action
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['interview', 'interview_attendee', 'interview_action'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert on %I to xiaoneng_app', t);
    end loop;
end
$$;
grant update (scheduled_at, place, problems, status, minutes, held_at, cancel_reason, cancelled_at, updated_at)
    on interview to xiaoneng_app;
grant delete on interview_attendee to xiaoneng_app;
grant update (done_at, done_by) on interview_action to xiaoneng_app;

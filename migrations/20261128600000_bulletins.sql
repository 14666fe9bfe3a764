-- Bulletins (INS-13): the office circulates the confirmed findings of a period to all its units.
-- A draft is generated from the findings and edited freely; it is published once, to every unit
-- of the office at that moment, and is then read-only. Each liaison's first reading is recorded.

create table bulletin (
    tenant_id uuid not null references office (id),
    id uuid not null,
    period_from date not null,
    period_to date not null,
    title text not null,
    lead text not null default '',
    body text not null,
    closing text not null default '',
    -- draft → published
    status text not null default 'draft',
    created_by uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    published_by uuid,
    published_at timestamptz,
    primary key (tenant_id, id),
    constraint bulletin_creator_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint bulletin_publisher_fkey foreign key (tenant_id, published_by) references app_user (tenant_id, id),
    constraint bulletin_status_check check (status in ('draft', 'published')),
    constraint bulletin_period_check check (period_from <= period_to),
    constraint bulletin_text_check check (length(btrim(title)) > 0 and length(btrim(body)) > 0),
    constraint bulletin_published_check check (
        (status = 'published') = (published_at is not null)
        and (published_at is null) = (published_by is null))
);
create index bulletin_published_idx on bulletin (tenant_id, status, published_at);

-- INS-13: a draft is edited and published once; a published bulletin never changes.
create function bulletin_published_once() returns trigger
language plpgsql
as $$
begin
    if old.status = 'draft' and new.status = 'draft'
       and (new.created_by, new.created_at) is not distinct from (old.created_by, old.created_at) then
        return new;
    end if;
    if old.status = 'draft' and new.status = 'published'
       and (new.period_from, new.period_to, new.title, new.lead, new.body, new.closing, new.created_by, new.created_at)
           is not distinct from
           (old.period_from, old.period_to, old.title, old.lead, old.body, old.closing, old.created_by, old.created_at) then
        return new;
    end if;
    raise exception 'bulletin % is published and read-only', old.id
        using errcode = 'check_violation', constraint = 'bulletin_published_once';
end
$$;
create trigger bulletin_published_once before update on bulletin
    for each row execute function bulletin_published_once();
create trigger bulletin_never_deleted before delete on bulletin
    for each row execute function refuse_change();

-- The units a bulletin went to: every unit of the office when it was published.
create table bulletin_unit (
    tenant_id uuid not null references office (id),
    bulletin_id uuid not null,
    unit_id uuid not null,
    primary key (tenant_id, bulletin_id, unit_id),
    constraint bulletin_unit_bulletin_fkey foreign key (tenant_id, bulletin_id) references bulletin (tenant_id, id),
    constraint bulletin_unit_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id)
);
create index bulletin_unit_unit_idx on bulletin_unit (tenant_id, unit_id);

-- A liaison's first reading of a bulletin sent to its unit; one row per reader.
create table bulletin_read (
    tenant_id uuid not null references office (id),
    bulletin_id uuid not null,
    user_id uuid not null,
    unit_id uuid not null,
    read_at timestamptz not null default now(),
    primary key (tenant_id, bulletin_id, user_id),
    constraint bulletin_read_recipient_fkey foreign key (tenant_id, bulletin_id, unit_id)
        references bulletin_unit (tenant_id, bulletin_id, unit_id),
    constraint bulletin_read_user_fkey foreign key (tenant_id, user_id) references app_user (tenant_id, id)
);

create trigger bulletin_unit_append_only before update or delete on bulletin_unit
    for each row execute function refuse_change();
create trigger bulletin_read_append_only before update or delete on bulletin_read
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['bulletin', 'bulletin_unit', 'bulletin_read'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert on %I to xiaoneng_app', t);
    end loop;
end
$$;
grant update (title, lead, body, closing, updated_at, status, published_by, published_at) on bulletin to xiaoneng_app;

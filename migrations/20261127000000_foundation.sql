-- Foundation: offices (tenants), units, users, login attempts, sessions and the audit log.
--
-- Tenancy (DESIGN.md): every tenant-owned table has tenant_id as the first column of its primary key,
-- every foreign key between tenant tables includes tenant_id, and row-level security is enabled and
-- forced with USING and WITH CHECK on the request's app.tenant_id. Requests run as the restricted role
-- xiaoneng_app, which has no BYPASSRLS and owns nothing.

do $$
begin
    create role xiaoneng_app nologin nosuperuser nobypassrls noinherit;
exception when duplicate_object or unique_violation then
    null; -- the role is cluster-wide: another database of this cluster created it already
end
$$;

-- A role of that name made by someone else must not carry powers that would void isolation.
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'xiaoneng_app'
                and (rolsuper or rolbypassrls or rolcanlogin or rolcreaterole or rolcreatedb)) then
        alter role xiaoneng_app nologin nosuperuser nobypassrls nocreaterole nocreatedb;
    end if;
end
$$;

do $$
begin
    -- lets a non-superuser owner SET ROLE xiaoneng_app; superusers may already
    execute format('grant xiaoneng_app to %I', current_user);
exception when others then
    raise notice 'could not grant xiaoneng_app to %: %', current_user, sqlerrm;
end
$$;

grant usage on schema public to xiaoneng_app;

-- The tenant's id as a uuid, or null when the transaction set none (then every policy hides all rows).
create function app_tenant_id() returns uuid
language sql stable
as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create table office (
    id uuid primary key,
    code text not null,
    name text not null,
    is_demo boolean not null default false,
    created_at timestamptz not null default now(),
    constraint office_code_key unique (code),
    constraint office_code_format check (code ~ '^[a-z0-9-]{2,32}$')
);
-- The application finds an office by its code as the connecting user, before any tenant is set
-- (so RLS is not forced here); inside a request the restricted role sees and changes only its own.
alter table office enable row level security;
create policy office_own on office using (id = app_tenant_id()) with check (id = app_tenant_id());
grant select, update (name) on office to xiaoneng_app;

create table unit (
    tenant_id uuid not null references office (id),
    id uuid not null,
    code text not null,
    name text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint unit_code_key unique (tenant_id, code)
);

create table app_user (
    tenant_id uuid not null references office (id),
    id uuid not null,
    username text not null,
    display_name text not null,
    role text not null,
    unit_id uuid,
    password_hash text not null,
    -- raised whenever the user's sessions must end (disabled, password changed or reset)
    session_version integer not null default 1,
    must_change_password boolean not null default false,
    disabled_at timestamptz,
    last_login_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint app_user_username_key unique (tenant_id, username),
    constraint app_user_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint app_user_role_check
        check (role in ('office_admin', 'office_staff', 'leader', 'supervisor', 'liaison')),
    constraint app_user_liaison_unit_check check ((role = 'liaison') = (unit_id is not null))
);

create table login_attempt (
    tenant_id uuid not null references office (id),
    id uuid not null,
    username text not null,
    client_addr text not null,
    succeeded boolean not null,
    attempted_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create index login_attempt_username_idx on login_attempt (tenant_id, username, attempted_at);
create index login_attempt_client_addr_idx on login_attempt (tenant_id, client_addr, attempted_at);

create table audit_event (
    tenant_id uuid not null references office (id),
    id uuid not null,
    seq bigint not null,
    occurred_at timestamptz not null,
    actor_user_id uuid,
    actor_name text not null,
    action text not null,
    subject_type text not null,
    subject_id uuid,
    detail jsonb not null,
    client_addr text,
    prev_hash bytea not null,
    hash bytea not null,
    primary key (tenant_id, id),
    constraint audit_event_seq_key unique (tenant_id, seq),
    constraint audit_event_actor_fkey foreign key (tenant_id, actor_user_id) references app_user (tenant_id, id)
);
create index audit_event_subject_idx on audit_event (tenant_id, subject_type, subject_id, seq);

create function refuse_change() returns trigger
language plpgsql
as $$
begin
    raise exception '% on % is not allowed: the table is append-only', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function refuse_change();

-- Sessions are not tenant data: the store looks them up by id before the office is known.
create table session (
    id text primary key,
    data jsonb not null,
    expires_at timestamptz not null
);
create index session_expires_at_idx on session (expires_at);

do $$
declare
    t text;
begin
    foreach t in array array['unit', 'app_user', 'login_attempt', 'audit_event'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

grant select, insert, update on unit, app_user to xiaoneng_app;
grant select, insert on login_attempt, audit_event to xiaoneng_app;

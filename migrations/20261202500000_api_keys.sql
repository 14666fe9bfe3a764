-- Per-office API keys (CMP-03): other systems (the 12345 platform, Open311 clients) call the
-- office's JSON API with `Authorization: Bearer KEY`. A key is `xn_<public id>_<secret>`; the
-- public part (`prefix`) identifies it in lists and finds it, the secret is kept only as its SHA-256.
-- Keys are created by an office admin or the command line, shown once, and revoked, never deleted.

create table api_key (
    tenant_id uuid not null references office (id),
    id uuid not null,
    name text not null,
    -- `xn_` and the public id: not secret, unique, shown in lists to tell keys apart
    prefix text not null,
    secret_hash bytea not null,
    -- null: created on the command line
    created_by uuid,
    created_at timestamptz not null,
    revoked_at timestamptz,
    revoked_by uuid,
    last_used_at timestamptz,
    primary key (tenant_id, id),
    constraint api_key_prefix_key unique (tenant_id, prefix),
    constraint api_key_created_by_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint api_key_revoked_by_fkey foreign key (tenant_id, revoked_by) references app_user (tenant_id, id),
    constraint api_key_name_check check (length(btrim(name)) between 1 and 100),
    constraint api_key_prefix_check check (prefix ~ '^xn_[0-9a-f]{16}$'),
    constraint api_key_hash_check check (length(secret_hash) = 32),
    constraint api_key_revoked_check check (revoked_by is null or revoked_at is not null)
);
create index api_key_created_idx on api_key (tenant_id, created_at desc);

alter table api_key enable row level security;
alter table api_key force row level security;
create policy tenant_isolation on api_key using (tenant_id = (select app_tenant_id()))
    with check (tenant_id = (select app_tenant_id()));
grant select, insert on api_key to xiaoneng_app;
grant update (revoked_at, revoked_by, last_used_at) on api_key to xiaoneng_app;

-- INS-07: covert inspections draw their units at random; the draw is stored whole (pool, seed,
-- count, result) so that anyone in the office can re-run it and get the same units.
create table inspection_draw (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    -- the units drawn from, sorted by code, as they were at the time of the draw
    pool uuid[] not null,
    -- 64 hex digits from the operating system's random source
    seed text not null,
    draw_count integer not null,
    result uuid[] not null,
    -- which categories the pool was limited to (empty: all)
    categories text[] not null default '{}',
    note text not null default '',
    drawn_by uuid not null,
    drawn_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint inspection_draw_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint inspection_draw_user_fkey foreign key (tenant_id, drawn_by) references app_user (tenant_id, id),
    constraint inspection_draw_count_check check (draw_count >= 1),
    constraint inspection_draw_seed_check check (seed ~ '^[0-9a-f]{64}$')
);

-- Units left out of a draw's pool, each with its reason.
create table draw_exclusion (
    tenant_id uuid not null references office (id),
    draw_id uuid not null,
    unit_id uuid not null,
    reason text not null,
    primary key (tenant_id, draw_id, unit_id),
    constraint draw_exclusion_draw_fkey foreign key (tenant_id, draw_id) references inspection_draw (tenant_id, id),
    constraint draw_exclusion_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint draw_exclusion_reason_check check (length(btrim(reason)) > 0)
);

-- A draw is a record: written once, never changed.
create trigger inspection_draw_append_only before update or delete on inspection_draw
    for each row execute function refuse_change();
create trigger draw_exclusion_append_only before update or delete on draw_exclusion
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['inspection_draw', 'draw_exclusion'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

grant select, insert on inspection_draw, draw_exclusion to xiaoneng_app;

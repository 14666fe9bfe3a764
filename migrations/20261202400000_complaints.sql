-- Complaints (效能投诉处理暂行办法), part 1: intake on every channel, acceptance, routing to units.
-- Tenancy exactly as in the foundation migration.

create extension if not exists pg_trgm;

create table complaint (
    tenant_id uuid not null references office (id),
    id uuid not null,
    -- the year whose list the unit was on when the complaint came in; its deductions go there
    assessment_year_id uuid not null,
    -- from the office's counter (complaint_number_format)
    number text not null,
    -- CMP-03
    channel text not null,
    received_at timestamptz not null,
    -- who logged it (office staff); none for the public form and the APIs
    logged_by uuid,
    -- CMP-02: the unit complained about, the matter and the reasons
    unit_id uuid not null,
    matter text not null,
    reasons text not null,
    -- CMP-04: one of the eight kinds
    category text not null,
    -- CMP-02: what the evidence is, when it is not (only) a file
    evidence_note text not null default '',
    -- the complainant; CMP-05: anonymous or neither recipient nor interested → a suggestion
    relation text not null,
    complainant_name text not null default '',
    complainant_phone text not null default '',
    complainant_email text not null default '',
    contact_allowed boolean not null default false,
    track text not null,
    status text not null,
    -- CMP-13: why it was not accepted, and what the complainant is told
    refusal_reason text,
    refusal_note text not null default '',
    -- CMP-08: when the unit signed for it (签收); the handling period counts from here
    signed_at timestamptz,
    -- the complainant's tracking code, as its SHA-256 only (the code is shown once)
    tracking_hash text,
    created_at timestamptz not null,
    primary key (tenant_id, id),
    constraint complaint_number_key unique (tenant_id, number),
    constraint complaint_tracking_key unique (tenant_id, tracking_hash),
    constraint complaint_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint complaint_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint complaint_logged_by_fkey foreign key (tenant_id, logged_by) references app_user (tenant_id, id),
    constraint complaint_channel_check check (channel in
        ('hotline_12345', 'complaint_hotline', 'visit', 'letter', 'email', 'leader', 'online', 'api')),
    constraint complaint_category_check check (category in
        ('delay', 'notification', 'refusal', 'shirking', 'attitude', 'favours', 'neglect', 'other')),
    constraint complaint_relation_check check (relation in ('recipient', 'interested', 'none', 'anonymous')),
    constraint complaint_track_check check (track in ('complaint', 'suggestion')),
    -- CMP-05: the track follows from the relation
    constraint complaint_track_relation_check check (
        (track = 'suggestion') = (relation in ('none', 'anonymous'))),
    constraint complaint_status_check check (status in
        ('received', 'refused', 'assigned', 'signed', 'returned', 'forwarded', 'acknowledged')),
    constraint complaint_refusal_check check (
        (status = 'refused') = (refusal_reason is not null)
        and (refusal_reason is null or refusal_reason in
             ('in_progress', 'other_remedy', 'in_court', 'handled'))),
    constraint complaint_text_check check (
        length(btrim(matter)) > 0 and length(btrim(reasons)) > 0
        and length(matter) <= 2000 and length(reasons) <= 10000),
    -- an anonymous complainant leaves no name or contact
    constraint complaint_anonymous_check check (
        relation <> 'anonymous' or (complainant_name = '' and complainant_phone = ''
                                    and complainant_email = '' and not contact_allowed))
);
create index complaint_list_idx on complaint (tenant_id, received_at desc, id desc);
create index complaint_unit_idx on complaint (tenant_id, unit_id, received_at desc);
-- CMP-13: similar matters about the same unit, and earlier complaints from the same phone
create index complaint_matter_trgm_idx on complaint using gin (matter gin_trgm_ops);
create index complaint_phone_idx on complaint (tenant_id, complainant_phone) where complainant_phone <> '';

-- CMP-02: the people the complaint names: a staff member of the unit, or a name as typed.
create table complaint_person (
    tenant_id uuid not null references office (id),
    complaint_id uuid not null,
    position integer not null,
    staff_id uuid,
    name text not null,
    primary key (tenant_id, complaint_id, position),
    constraint complaint_person_complaint_fkey foreign key (tenant_id, complaint_id)
        references complaint (tenant_id, id),
    constraint complaint_person_staff_fkey foreign key (tenant_id, staff_id)
        references staff_member (tenant_id, id),
    constraint complaint_person_name_check check (length(btrim(name)) between 1 and 50)
);

-- Every step of a complaint, in order: its timeline. `public` steps are shown on the tracking
-- page with `public_text` only (never staff names or internal notes).
create table complaint_event (
    tenant_id uuid not null references office (id),
    id uuid not null,
    complaint_id uuid not null,
    at timestamptz not null,
    action text not null,
    actor_id uuid,
    unit_id uuid,
    note text not null default '',
    public boolean not null,
    public_text text not null default '',
    primary key (tenant_id, id),
    constraint complaint_event_complaint_fkey foreign key (tenant_id, complaint_id)
        references complaint (tenant_id, id),
    constraint complaint_event_actor_fkey foreign key (tenant_id, actor_id) references app_user (tenant_id, id),
    constraint complaint_event_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id)
);
create index complaint_event_timeline_idx on complaint_event (tenant_id, complaint_id, at, id);
create trigger complaint_event_append_only before update or delete on complaint_event
    for each row execute function refuse_change();
create trigger complaint_never_deleted before delete on complaint
    for each row execute function refuse_change();
create trigger complaint_person_append_only before update or delete on complaint_person
    for each row execute function refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['complaint', 'complaint_person', 'complaint_event'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = (select app_tenant_id())) '
            'with check (tenant_id = (select app_tenant_id()))', t);
    end loop;
end
$$;

grant select, insert, update on complaint to xiaoneng_app;
grant select, insert on complaint_person, complaint_event to xiaoneng_app;

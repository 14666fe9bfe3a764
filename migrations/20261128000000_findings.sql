-- Findings, their evidence, the unit's sign-off, the group's submission and the office's review
-- (INS-05, INS-07 to INS-11, INS-14).

-- a finding names its task's unit: (task, unit) is a key a finding can point at
alter table inspection_task add constraint inspection_task_unit_key unique (tenant_id, id, unit_id);

-- What a group observed at a unit. A supervisor keeps it as a draft while on site (saved as they
-- go); the group leader submits the task with its findings; the office confirms or dismisses each.
create table finding (
    tenant_id uuid not null references office (id),
    id uuid not null,
    task_id uuid not null,
    -- always the task's unit (the foreign key below): a finding cannot be filed against another
    unit_id uuid not null,
    deduction_item_id uuid,
    description text not null default '',
    -- the staff member involved, picked from the unit's staff, or typed when not on the list
    staff_id uuid,
    staff_text text not null default '',
    observed_at timestamptz,
    place text not null default '',
    -- INS-08: the points chosen inside a discretionary item's range (X01); null for fixed items
    points numeric(5, 2),
    -- draft → submitted → confirmed | dismissed; a draft may be withdrawn before submission
    status text not null default 'draft',
    -- INS-10: filed by the system when the unit refused to sign, not by a supervisor
    origin text not null default 'supervisor',
    created_by uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    decided_by uuid,
    decided_at timestamptz,
    decision_reason text not null default '',
    primary key (tenant_id, id),
    constraint finding_task_fkey foreign key (tenant_id, task_id, unit_id)
        references inspection_task (tenant_id, id, unit_id),
    constraint finding_item_fkey foreign key (tenant_id, deduction_item_id)
        references deduction_item (tenant_id, id),
    constraint finding_staff_fkey foreign key (tenant_id, staff_id) references staff_member (tenant_id, id),
    constraint finding_creator_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint finding_decider_fkey foreign key (tenant_id, decided_by) references app_user (tenant_id, id),
    constraint finding_status_check check (status in ('draft', 'withdrawn', 'submitted', 'confirmed', 'dismissed')),
    constraint finding_origin_check check (origin in ('supervisor', 'signoff_refusal')),
    constraint finding_points_check check (points is null or points > 0),
    -- INS-11: a dismissal gives its reason
    constraint finding_dismissal_reason_check check (status <> 'dismissed' or length(btrim(decision_reason)) > 0),
    constraint finding_decided_check check ((status in ('confirmed', 'dismissed')) = (decided_at is not null)),
    -- what goes to the office is complete
    constraint finding_complete_check check (
        status in ('draft', 'withdrawn')
        or (deduction_item_id is not null and length(btrim(description)) > 0))
);
create index finding_task_idx on finding (tenant_id, task_id, created_at);
create index finding_unit_idx on finding (tenant_id, unit_id, status);

-- A finding moves forward only: a draft is edited or withdrawn or submitted; a submitted finding is
-- decided once; a decided or withdrawn one never changes again.
create function finding_moves_forward() returns trigger
language plpgsql
as $$
begin
    if old.status = 'draft' and new.status in ('draft', 'withdrawn', 'submitted') then
        return new;
    end if;
    if old.status = 'submitted' and new.status in ('confirmed', 'dismissed')
       and (new.task_id, new.unit_id, new.deduction_item_id, new.description, new.staff_id,
            new.staff_text, new.observed_at, new.place, new.points, new.created_by)
           is not distinct from
           (old.task_id, old.unit_id, old.deduction_item_id, old.description, old.staff_id,
            old.staff_text, old.observed_at, old.place, old.points, old.created_by) then
        return new;
    end if;
    raise exception 'finding % cannot go from % to %', old.id, old.status, new.status
        using errcode = 'check_violation', constraint = 'finding_moves_forward';
end
$$;
create trigger finding_moves_forward before update on finding
    for each row execute function finding_moves_forward();
create trigger finding_never_deleted before delete on finding
    for each row execute function refuse_change();

-- INS-09: photos, videos and documents, stored by content (SHA-256) and never changed or deleted
-- by anyone: no role may UPDATE or DELETE a row (trigger), the request role has neither grant, and
-- the retention purge is a row of its own in evidence_purge.
create table evidence (
    tenant_id uuid not null references office (id),
    id uuid not null,
    -- what the file belongs to: a finding, a task's sign-off (the drawn signature), a self-report
    finding_id uuid,
    task_id uuid,
    self_report_id uuid,
    purpose text not null,
    sha256 text not null,
    size_bytes bigint not null,
    media_type text not null,
    -- what the client said, kept as data only (never a path, never trusted for the type)
    original_name text not null,
    client_type text not null default '',
    -- when it was taken: from the image's EXIF, else the client's word, else unknown
    taken_at timestamptz,
    taken_at_source text,
    -- INS-09: reached the office after the day it was taken (in the office's time zone)
    late boolean not null,
    storage_key text not null,
    uploaded_by uuid not null,
    uploaded_at timestamptz not null default now(),
    client_addr text not null default '',
    primary key (tenant_id, id),
    constraint evidence_finding_fkey foreign key (tenant_id, finding_id) references finding (tenant_id, id),
    constraint evidence_task_fkey foreign key (tenant_id, task_id) references inspection_task (tenant_id, id),
    constraint evidence_self_report_fkey foreign key (tenant_id, self_report_id)
        references self_report (tenant_id, id),
    constraint evidence_uploader_fkey foreign key (tenant_id, uploaded_by) references app_user (tenant_id, id),
    constraint evidence_purpose_check check (
        (purpose = 'finding' and finding_id is not null and task_id is null and self_report_id is null)
        or (purpose = 'signature' and task_id is not null and finding_id is null and self_report_id is null)
        or (purpose = 'self_report' and self_report_id is not null and finding_id is null and task_id is null)),
    constraint evidence_sha256_check check (sha256 ~ '^[0-9a-f]{64}$'),
    constraint evidence_size_check check (size_bytes > 0),
    constraint evidence_media_type_check check (
        media_type in ('jpeg', 'png', 'heic', 'webp', 'mp4', 'mov', 'webm', 'pdf')),
    constraint evidence_taken_source_check check (
        (taken_at is null and taken_at_source is null)
        or (taken_at is not null and taken_at_source in ('exif', 'client')))
);
create index evidence_finding_idx on evidence (tenant_id, finding_id) where finding_id is not null;
create index evidence_task_idx on evidence (tenant_id, task_id) where task_id is not null;
create index evidence_self_report_idx on evidence (tenant_id, self_report_id) where self_report_id is not null;
create index evidence_uploaded_idx on evidence (tenant_id, uploaded_at);

-- INS-09: no UPDATE, no DELETE, for every role (office_admin and the database owner included).
create trigger evidence_write_once before update or delete on evidence
    for each row execute function refuse_change();
create trigger evidence_never_truncated before truncate on evidence
    for each statement execute function refuse_change();

-- INS-09: the bytes of evidence older than the retention period are removed; the row, its hash and
-- this record of the purge stay.
create table evidence_purge (
    tenant_id uuid not null references office (id),
    evidence_id uuid not null,
    purged_at timestamptz not null default now(),
    retention_days integer not null,
    primary key (tenant_id, evidence_id),
    constraint evidence_purge_evidence_fkey foreign key (tenant_id, evidence_id)
        references evidence (tenant_id, id)
);
create trigger evidence_purge_append_only before update or delete on evidence_purge
    for each row execute function refuse_change();

-- INS-14: every view and download of evidence, with who, when and from where.
create table evidence_access (
    tenant_id uuid not null references office (id),
    id uuid not null,
    evidence_id uuid not null,
    user_id uuid not null,
    action text not null,
    client_addr text not null,
    at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint evidence_access_evidence_fkey foreign key (tenant_id, evidence_id)
        references evidence (tenant_id, id),
    constraint evidence_access_user_fkey foreign key (tenant_id, user_id) references app_user (tenant_id, id),
    constraint evidence_access_action_check check (action in ('view', 'download', 'thumbnail'))
);
create index evidence_access_evidence_idx on evidence_access (tenant_id, evidence_id, at);
create trigger evidence_access_append_only before update or delete on evidence_access
    for each row execute function refuse_change();

-- INS-10: the unit's representative signs the results (a drawn signature, or a typed name where the
-- phone runs no script), or the group records the refusal, which files an X02 finding.
create table task_signoff (
    tenant_id uuid not null references office (id),
    task_id uuid not null,
    outcome text not null,
    signer_name text not null default '',
    signer_post text not null default '',
    signature_evidence_id uuid,
    typed_signature text not null default '',
    refusal_reason text not null default '',
    refusal_finding_id uuid,
    recorded_by uuid not null,
    recorded_at timestamptz not null default now(),
    primary key (tenant_id, task_id),
    constraint task_signoff_task_fkey foreign key (tenant_id, task_id) references inspection_task (tenant_id, id),
    constraint task_signoff_evidence_fkey foreign key (tenant_id, signature_evidence_id)
        references evidence (tenant_id, id),
    constraint task_signoff_finding_fkey foreign key (tenant_id, refusal_finding_id)
        references finding (tenant_id, id),
    constraint task_signoff_user_fkey foreign key (tenant_id, recorded_by) references app_user (tenant_id, id),
    constraint task_signoff_outcome_check check (
        (outcome = 'signed' and length(btrim(signer_name)) > 0
            and (signature_evidence_id is not null or length(btrim(typed_signature)) > 0))
        or (outcome = 'refused' and length(btrim(refusal_reason)) > 0 and refusal_finding_id is not null))
);
create trigger task_signoff_append_only before update or delete on task_signoff
    for each row execute function refuse_change();

-- INS-02, INS-11: the group leader hands the task's results to the office, once.
create table task_submission (
    tenant_id uuid not null references office (id),
    task_id uuid not null,
    submitted_by uuid not null,
    submitted_at timestamptz not null default now(),
    primary key (tenant_id, task_id),
    constraint task_submission_task_fkey foreign key (tenant_id, task_id) references inspection_task (tenant_id, id),
    constraint task_submission_user_fkey foreign key (tenant_id, submitted_by) references app_user (tenant_id, id)
);
create trigger task_submission_append_only before update or delete on task_submission
    for each row execute function refuse_change();

-- INS-06: an inspection round plans open inspections; a unit that must be inspected next (its last
-- inspection had confirmed findings) is left out of a round only with a recorded reason.
create table inspection_round (
    tenant_id uuid not null references office (id),
    id uuid not null,
    assessment_year_id uuid not null,
    name text not null,
    starts_on date not null,
    ends_on date not null,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint inspection_round_year_fkey foreign key (tenant_id, assessment_year_id)
        references assessment_year (tenant_id, id),
    constraint inspection_round_user_fkey foreign key (tenant_id, created_by) references app_user (tenant_id, id),
    constraint inspection_round_dates_check check (ends_on >= starts_on),
    constraint inspection_round_name_check check (length(btrim(name)) > 0)
);
create table round_omission (
    tenant_id uuid not null references office (id),
    round_id uuid not null,
    unit_id uuid not null,
    reason text not null,
    recorded_by uuid not null,
    recorded_at timestamptz not null default now(),
    primary key (tenant_id, round_id, unit_id),
    constraint round_omission_round_fkey foreign key (tenant_id, round_id) references inspection_round (tenant_id, id),
    constraint round_omission_unit_fkey foreign key (tenant_id, unit_id) references unit (tenant_id, id),
    constraint round_omission_user_fkey foreign key (tenant_id, recorded_by) references app_user (tenant_id, id),
    constraint round_omission_reason_check check (length(btrim(reason)) > 0)
);
create trigger round_omission_append_only before update or delete on round_omission
    for each row execute function refuse_change();
create table round_task (
    tenant_id uuid not null references office (id),
    round_id uuid not null,
    task_id uuid not null,
    primary key (tenant_id, task_id),
    constraint round_task_round_fkey foreign key (tenant_id, round_id) references inspection_round (tenant_id, id),
    constraint round_task_task_fkey foreign key (tenant_id, task_id) references inspection_task (tenant_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['finding', 'evidence', 'evidence_purge', 'evidence_access', 'task_signoff',
                             'task_submission', 'inspection_round', 'round_omission', 'round_task'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format(
            'create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
            'with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert on %I to xiaoneng_app', t);
    end loop;
end
$$;
grant update on finding to xiaoneng_app;

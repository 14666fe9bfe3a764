-- Complaints, part 1: the evidence a complaint comes with (CMP-02), and the staffing commission's
-- ruling on a unit's remit (CMP-11).

-- CMP-02: a complaint's files are evidence like a finding's (write-once, hashed, every view
-- logged). A complaint filed on the public form has no user behind its files: `uploaded_by` is
-- empty for those only, and the client's address is kept as for every file.
alter table evidence add column complaint_id uuid;
alter table evidence add constraint evidence_complaint_fkey foreign key (tenant_id, complaint_id)
    references complaint (tenant_id, id);
alter table evidence alter column uploaded_by drop not null;
alter table evidence add constraint evidence_uploader_check check (
    uploaded_by is not null or purpose = 'complaint');
alter table evidence drop constraint evidence_purpose_check;
alter table evidence add constraint evidence_purpose_check check (
    (purpose = 'finding' and finding_id is not null and task_id is null and self_report_id is null and report_id is null and appeal_notice_id is null and complaint_id is null)
    or (purpose = 'signature' and task_id is not null and finding_id is null and self_report_id is null and report_id is null and appeal_notice_id is null and complaint_id is null)
    or (purpose = 'self_report' and self_report_id is not null and finding_id is null and task_id is null and report_id is null and appeal_notice_id is null and complaint_id is null)
    or (purpose = 'report' and report_id is not null and finding_id is null and task_id is null and self_report_id is null and appeal_notice_id is null and complaint_id is null)
    or (purpose = 'appeal' and appeal_notice_id is not null and finding_id is null and task_id is null and self_report_id is null and report_id is null and complaint_id is null)
    or (purpose = 'complaint' and complaint_id is not null and finding_id is null and task_id is null and self_report_id is null and report_id is null and appeal_notice_id is null));
create index evidence_complaint_idx on evidence (tenant_id, complaint_id) where complaint_id is not null;

-- CMP-02: a complaint's files come with it, while the office has not yet decided on it.
create or replace function evidence_joins_an_open_record() returns trigger
language plpgsql
as $$
begin
    if new.finding_id is not null and not exists (
        select 1 from finding f
         where f.tenant_id = new.tenant_id and f.id = new.finding_id and f.status = 'draft') then
        raise exception 'evidence is added to a draft finding only'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    if new.report_id is not null and not exists (
        select 1 from rectification_report r
         where r.tenant_id = new.tenant_id and r.id = new.report_id and r.decision is null) then
        raise exception 'a decided report takes no more files'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    if new.appeal_notice_id is not null and not exists (
        select 1 from notice_appeal a
         where a.tenant_id = new.tenant_id and a.notice_id = new.appeal_notice_id
           and a.decision is null) then
        raise exception 'a decided appeal takes no more evidence'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    if new.complaint_id is not null and not exists (
        select 1 from complaint c
         where c.tenant_id = new.tenant_id and c.id = new.complaint_id and c.status = 'received') then
        raise exception 'a complaint takes its evidence before the office decides on it'
            using errcode = 'check_violation', constraint = 'evidence_joins_an_open_record';
    end if;
    return new;
end
$$;

-- CMP-09: the unit finishes within 10 working days of receiving the case: the moment that period
-- ends, set when the unit signs for it (or the receipt is recorded for it) and cleared when the
-- complaint goes to another unit. The lists' "overdue" and the tracking page read it.
alter table complaint add column due_at timestamptz;
alter table complaint add constraint complaint_due_check check (due_at is null or signed_at is not null);
create index complaint_due_idx on complaint (tenant_id, due_at) where due_at is not null;

-- CMP-13: the similar complaints shown at intake are the open ones about the same unit (or from
-- the same phone). Inside a request row-level security keeps the trigram index from answering
-- `%` (its operator is not leakproof), so the unit's open complaints are what the lookup reads:
-- this index finds exactly those, however many closed ones the unit has.
create index complaint_open_unit_idx on complaint (tenant_id, unit_id)
    where status in ('received', 'assigned', 'signed', 'returned');
-- the trigram index answers nothing under row-level security: it only costs every insert
drop index complaint_matter_trgm_idx;

-- CMP-11: a dispute over a unit's remit is settled with the staffing commission (市委编办), whose
-- ruling is recorded: when, its document number, and whether the complaint stays with the unit
-- that returned it or goes to another. Kept, never changed.
create table complaint_ruling (
    tenant_id uuid not null references office (id),
    id uuid not null,
    complaint_id uuid not null,
    ruled_on date not null,
    document_number text not null,
    -- the unit that returned it, and the unit the ruling names as competent (the same unit when
    -- the ruling is that the matter is within its remit)
    returned_by uuid not null,
    competent_unit_id uuid not null,
    note text not null default '',
    recorded_by uuid not null,
    recorded_at timestamptz not null,
    primary key (tenant_id, id),
    constraint complaint_ruling_complaint_fkey foreign key (tenant_id, complaint_id)
        references complaint (tenant_id, id),
    constraint complaint_ruling_returned_fkey foreign key (tenant_id, returned_by)
        references unit (tenant_id, id),
    constraint complaint_ruling_unit_fkey foreign key (tenant_id, competent_unit_id)
        references unit (tenant_id, id),
    constraint complaint_ruling_recorder_fkey foreign key (tenant_id, recorded_by)
        references app_user (tenant_id, id),
    constraint complaint_ruling_document_check check (length(btrim(document_number)) between 1 and 100),
    constraint complaint_ruling_note_check check (length(note) <= 2000)
);
create index complaint_ruling_complaint_idx on complaint_ruling (tenant_id, complaint_id);
create trigger complaint_ruling_append_only before update or delete on complaint_ruling
    for each row execute function refuse_change();

alter table complaint_ruling enable row level security;
alter table complaint_ruling force row level security;
create policy tenant_isolation on complaint_ruling using (tenant_id = (select app_tenant_id()))
    with check (tenant_id = (select app_tenant_id()));
grant select, insert on complaint_ruling to xiaoneng_app;

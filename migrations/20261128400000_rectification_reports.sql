-- INS-11: the unit reports its rectification; the office accepts it (the notice closes) or
-- returns it with reasons (the unit reports again).
create table rectification_report (
    tenant_id uuid not null references office (id),
    id uuid not null,
    notice_id uuid not null,
    content text not null,
    submitted_by uuid not null,
    submitted_at timestamptz not null default now(),
    decision text,
    decision_reason text not null default '',
    decided_by uuid,
    decided_at timestamptz,
    primary key (tenant_id, id),
    constraint rectification_report_notice_fkey foreign key (tenant_id, notice_id)
        references rectification_notice (tenant_id, id),
    constraint rectification_report_user_fkey foreign key (tenant_id, submitted_by) references app_user (tenant_id, id),
    constraint rectification_report_decider_fkey foreign key (tenant_id, decided_by) references app_user (tenant_id, id),
    constraint rectification_report_content_check check (length(btrim(content)) > 0),
    constraint rectification_report_decision_check check (
        (decision is null and decided_at is null)
        or (decision = 'accepted' and decided_at is not null)
        or (decision = 'returned' and decided_at is not null and length(btrim(decision_reason)) > 0))
);
create index rectification_report_notice_idx on rectification_report (tenant_id, notice_id, submitted_at);
-- one report awaits the office at a time
create unique index rectification_report_one_pending on rectification_report (tenant_id, notice_id)
    where decision is null;

create function report_decided_once() returns trigger
language plpgsql
as $$
begin
    if old.decision is null and new.decision is not null
       and (new.notice_id, new.content, new.submitted_by, new.submitted_at)
           is not distinct from (old.notice_id, old.content, old.submitted_by, old.submitted_at) then
        return new;
    end if;
    raise exception 'report % is decided once and never changed', old.id
        using errcode = 'check_violation', constraint = 'report_decided_once';
end
$$;
create trigger rectification_report_decided_once before update on rectification_report
    for each row execute function report_decided_once();
create trigger rectification_report_never_deleted before delete on rectification_report
    for each row execute function refuse_change();

alter table rectification_report enable row level security;
alter table rectification_report force row level security;
create policy tenant_isolation on rectification_report using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert on rectification_report to xiaoneng_app;
grant update (decision, decision_reason, decided_by, decided_at) on rectification_report to xiaoneng_app;

-- a report's attachments are evidence too (write-once, logged when viewed)
alter table evidence add column report_id uuid;
alter table evidence add constraint evidence_report_fkey foreign key (tenant_id, report_id)
    references rectification_report (tenant_id, id);
alter table evidence drop constraint evidence_purpose_check;
alter table evidence add constraint evidence_purpose_check check (
    (purpose = 'finding' and finding_id is not null and task_id is null and self_report_id is null and report_id is null)
    or (purpose = 'signature' and task_id is not null and finding_id is null and self_report_id is null and report_id is null)
    or (purpose = 'self_report' and self_report_id is not null and finding_id is null and task_id is null and report_id is null)
    or (purpose = 'report' and report_id is not null and finding_id is null and task_id is null and self_report_id is null));
create index evidence_report_idx on evidence (tenant_id, report_id) where report_id is not null;

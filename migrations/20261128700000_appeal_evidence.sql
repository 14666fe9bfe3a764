-- INS-12: the unit appeals with its reasons and evidence; an appeal's files are evidence too
-- (write-once, logged when viewed).
alter table evidence add column appeal_notice_id uuid;
alter table evidence add constraint evidence_appeal_fkey foreign key (tenant_id, appeal_notice_id)
    references notice_appeal (tenant_id, notice_id);
alter table evidence drop constraint evidence_purpose_check;
alter table evidence add constraint evidence_purpose_check check (
    (purpose = 'finding' and finding_id is not null and task_id is null and self_report_id is null and report_id is null and appeal_notice_id is null)
    or (purpose = 'signature' and task_id is not null and finding_id is null and self_report_id is null and report_id is null and appeal_notice_id is null)
    or (purpose = 'self_report' and self_report_id is not null and finding_id is null and task_id is null and report_id is null and appeal_notice_id is null)
    or (purpose = 'report' and report_id is not null and finding_id is null and task_id is null and self_report_id is null and appeal_notice_id is null)
    or (purpose = 'appeal' and appeal_notice_id is not null and finding_id is null and task_id is null and self_report_id is null and report_id is null));
create index evidence_appeal_idx on evidence (tenant_id, appeal_notice_id) where appeal_notice_id is not null;

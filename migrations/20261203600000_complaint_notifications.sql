-- Complaints in the inbox (CMP-08): the unit's liaisons hear of a complaint assigned or
-- transferred to the unit, of each urge, of a suggestion forwarded for reference (CMP-05), and of
-- a receipt the scheduled job recorded because nobody signed in time. Each urge is its own
-- subject (the urge's step on the complaint's timeline), so two urges the same day are two
-- notifications under the unchanged unique key.
alter table notification drop constraint notification_kind_check;
alter table notification add constraint notification_kind_check check (kind in (
    'notice_issued', 'notice_due_tomorrow', 'notice_overdue', 'appeal_decided',
    'report_returned', 'report_accepted', 'followup_due_tomorrow', 'followup_overdue',
    'self_report_due_tomorrow',
    'complaint_assigned', 'complaint_transferred', 'complaint_urged', 'suggestion_forwarded',
    'complaint_signed_automatically'));

-- CMP-08: the scheduled job looks at the complaints waiting to be signed for on every round.
create index complaint_assigned_idx on complaint (tenant_id) where status = 'assigned';

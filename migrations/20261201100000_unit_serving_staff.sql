-- INS-01: each unit carries how many of its staff are serving (not left), kept by a trigger as
-- staff join, move and leave. The units list shows the number for every unit on every view;
-- counting it there cost as much as the rest of the list.
alter table unit add column serving_staff integer not null default 0;

create function count_serving_staff() returns trigger
language plpgsql
as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.left_at is null then
        update unit set serving_staff = serving_staff - 1
         where tenant_id = old.tenant_id and id = old.unit_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.left_at is null then
        update unit set serving_staff = serving_staff + 1
         where tenant_id = new.tenant_id and id = new.unit_id;
    end if;
    return null;
end
$$;
create trigger staff_member_serving after insert or update of unit_id, left_at or delete
    on staff_member for each row execute function count_serving_staff();

-- The staff already there, office by office (row security shows one office at a time to a
-- database user that is not a superuser).
do $$
declare
    o uuid;
begin
    for o in select id from office loop
        perform set_config('app.tenant_id', o::text, true);
        update unit u
           set serving_staff = (select count(*) from staff_member s
                                 where s.tenant_id = u.tenant_id and s.unit_id = u.id
                                   and s.left_at is null)
         where u.tenant_id = o;
    end loop;
    perform set_config('app.tenant_id', '', true);
end
$$;

-- CMP-03: the 12345 platform pushes its work orders through the API. A complaint that came as a
-- work order keeps the platform's order number: the same order pushed again finds it instead of
-- recording a second complaint, and the platform reads it back by that number.

alter table complaint add column order_no text;
alter table complaint add constraint complaint_order_no_check
    check (order_no is null or length(order_no) between 1 and 64);
-- one complaint per work order in an office; concurrent pushes of one order meet here
create unique index complaint_order_no_key on complaint (tenant_id, order_no)
    where order_no is not null;
-- the order number, once recorded, never changes
create trigger complaint_order_no_fixed before update of order_no on complaint
    for each row when (old.order_no is not null) execute function refuse_change();

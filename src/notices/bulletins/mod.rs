//! Bulletins (INS-13): the office circulates the confirmed findings of a period to all its units
//! (通报). The draft is generated from the period's confirmed findings, grouped by unit and then
//! by deduction item, and stays editable until it is published, once, to every unit of the
//! office; a published bulletin is read-only (in the database too). Liaisons read the bulletins
//! sent to their unit, and their first reading is recorded; the office sees who has read it.
//! Leaders read published bulletins. The bulletin page prints as the A4 document.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

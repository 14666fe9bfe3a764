//! Exports: every list a user can filter can be taken away as CSV (UTF-8 with a byte-order mark,
//! so Excel reads it) or XLSX, through this one implementation. A cell that a spreadsheet would
//! take for a formula is made plain text first; an export is never kept by any cache.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::PageCtx;
use crate::core::{AppError, AppResult, not_found};

/// The format an export is asked for in, read from the path's extension (`….csv`, `….xlsx`), so
/// that one handler answers both of a list's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// The format a path ends in, if any.
    pub fn of_path(path: &str) -> Option<Self> {
        match path.rsplit_once('.').map(|(_, extension)| extension) {
            Some("csv") => Some(Self::Csv),
            Some("xlsx") => Some(Self::Xlsx),
            _ => None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ExportFormat {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        Self::of_path(parts.uri.path()).ok_or_else(not_found)
    }
}

/// A table to export: its file name (without extension), its header and its rows.
#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Export {
    pub fn new(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Self {
        Self {
            name: name.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    /// A list's export with its column headers in the reader's language (catalog keys).
    pub fn translated(ctx: &PageCtx, name: &str, keys: &[&str], rows: Vec<Vec<String>>) -> Self {
        let header: Vec<&str> = keys.iter().map(|key| ctx.t(key)).collect();
        Self::new(name, &header, rows)
    }

    /// The file, as a download.
    pub fn respond(&self, format: ExportFormat) -> AppResult<Response> {
        let (content_type, extension, bytes) = match format {
            ExportFormat::Csv => ("text/csv; charset=utf-8", "csv", self.csv()?),
            ExportFormat::Xlsx => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                self.xlsx().map_err(|e| AppError::Internal(e.into()))?,
            ),
        };
        let disposition = format!("attachment; filename=\"{}.{extension}\"", self.name);
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response())
    }

    fn csv(&self) -> AppResult<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| AppError::Internal(e.into());
        writer.write_record(&self.header).map_err(failed)?;
        for row in &self.rows {
            let safe = row.iter().map(|cell| spreadsheet_safe(cell));
            writer.write_record(safe).map_err(failed)?;
        }
        let mut bytes = "\u{feff}".as_bytes().to_vec(); // so that Excel reads it as UTF-8
        bytes.extend(
            writer
                .into_inner()
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
        );
        Ok(bytes)
    }

    /// A workbook with one sheet: the header in bold, then the rows, every cell as text.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        for (c, name) in self.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, name, &bold)?;
            sheet.set_column_width(c as u16, 18)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, value)?;
            }
        }
        book.save_to_buffer()
    }
}

/// A cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
/// apostrophe, so that text typed into the product can never run as a formula in Excel.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_export_starts_with_a_byte_order_mark_and_defuses_formulas() {
        let export = Export::new(
            "units",
            &["code", "name"],
            vec![vec!["u1".into(), "=1+1".into()]],
        );
        let bytes = export.csv().unwrap_or_default();
        let text = String::from_utf8(bytes).unwrap_or_default();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=1+1"));
    }

    #[test]
    fn the_format_is_the_paths_extension() {
        assert_eq!(
            ExportFormat::of_path("/a/notices/export.csv"),
            Some(ExportFormat::Csv)
        );
        assert_eq!(
            ExportFormat::of_path("/a/notices/export.xlsx"),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(ExportFormat::of_path("/a/notices/export.pdf"), None);
        assert_eq!(ExportFormat::of_path("/a/notices/export"), None);
    }

    #[test]
    fn exported_cells_never_start_a_formula() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("市税务局"), "市税务局");
    }
}

//! Units and their staff (INS-01), as typed in forms or imported from CSV: validation is pure and
//! reports every problem at once, by field or by row.

use crate::core::FieldErrors;

/// The five employment kinds of a unit's personnel (INS-01: 在职/借调/借用/挂职/聘用).
pub const EMPLOYMENT: [(&str, &str, &str); 5] = [
    ("regular", "在职", "employment.regular"),
    ("seconded", "借调", "employment.seconded"),
    ("borrowed", "借用", "employment.borrowed"),
    ("attached", "挂职", "employment.attached"),
    ("contracted", "聘用", "employment.contracted"),
];

/// Reads an employment kind by its code or its Chinese name.
pub fn parse_employment(value: &str) -> Option<&'static str> {
    let value = value.trim();
    EMPLOYMENT
        .iter()
        .find(|(code, zh, _)| *code == value || *zh == value)
        .map(|e| e.0)
}

/// A unit's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub category: String,
    pub address: String,
    pub phone: String,
    pub leaders: String,
}

fn limited(value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    (value.chars().count() <= max).then(|| value.to_string())
}

impl UnitInput {
    /// Checks every field; returns the cleaned unit or each problem (field, catalog key).
    pub fn validate(&self) -> Result<UnitInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = self.code.trim().to_string();
        let code_ok = (1..=32).contains(&code.chars().count())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            errors.push(("code", "error.unit_code"));
        }
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(("name", "error.unit_name"));
        }
        let category = self.category.trim().to_string();
        if category.is_empty() || category.chars().count() > 50 {
            errors.push(("category", "error.unit_category"));
        }
        let address = limited(&self.address, 200);
        if address.is_none() {
            errors.push(("address", "error.too_long"));
        }
        let phone = limited(&self.phone, 50);
        if phone.is_none() {
            errors.push(("phone", "error.too_long"));
        }
        let leaders = limited(&self.leaders, 200);
        if leaders.is_none() {
            errors.push(("leaders", "error.too_long"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UnitInput {
            code,
            name,
            category,
            address: address.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            leaders: leaders.unwrap_or_default(),
        })
    }
}

/// A staff member's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaffInput {
    pub name: String,
    pub post: String,
    pub employment: String,
    pub phone: String,
}

impl StaffInput {
    pub fn validate(&self) -> Result<StaffInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push(("name", "error.staff_name"));
        }
        let post = limited(&self.post, 100);
        if post.is_none() {
            errors.push(("post", "error.too_long"));
        }
        let employment = parse_employment(&self.employment);
        if employment.is_none() {
            errors.push(("employment", "error.employment"));
        }
        let phone = limited(&self.phone, 50);
        if phone.is_none() {
            errors.push(("phone", "error.too_long"));
        }
        match employment {
            Some(employment) if errors.is_empty() => Ok(StaffInput {
                name,
                post: post.unwrap_or_default(),
                employment: employment.to_string(),
                phone: phone.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

/// A problem with one row of an imported file: its line number (1 is the header), the column and
/// the catalog key of the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: &'static str,
    pub reason: &'static str,
}

/// A row of a staff file: the unit's code and the person.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub unit_code: String,
    pub staff: StaffInput,
}

/// Header names accepted for each column, Chinese first.
const UNIT_COLUMNS: [(&str, &[&str]); 6] = [
    ("code", &["单位代码", "code"]),
    ("name", &["单位名称", "name"]),
    ("category", &["类别", "category"]),
    ("address", &["地址", "address"]),
    ("phone", &["电话", "phone"]),
    ("leaders", &["负责人", "leaders"]),
];

const STAFF_COLUMNS: [(&str, &[&str]); 5] = [
    ("unit_code", &["单位代码", "unit_code"]),
    ("name", &["姓名", "name"]),
    ("post", &["岗位", "post"]),
    ("employment", &["用工性质", "employment"]),
    ("phone", &["电话", "phone"]),
];

/// The header row of an export, in Chinese (the same names the import reads).
pub fn unit_header() -> Vec<&'static str> {
    UNIT_COLUMNS.iter().map(|c| c.1[0]).collect()
}

pub fn staff_header() -> Vec<&'static str> {
    STAFF_COLUMNS.iter().map(|c| c.1[0]).collect()
}

/// Reads CSV text into records, mapping the header to known columns. A byte-order mark and
/// surrounding spaces are ignored; unknown columns are refused so that a misspelt header is not
/// silently dropped.
fn read_rows<const N: usize>(
    text: &str,
    columns: &[(&'static str, &[&str]); N],
    required: &[&'static str],
) -> Result<Vec<(usize, [String; N])>, Vec<RowError>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            return Err(vec![RowError {
                line: 1,
                column: "",
                reason: "import.not_csv",
            }]);
        }
    };
    let mut positions: [Option<usize>; N] = [None; N];
    let mut errors = Vec::new();
    for (index, name) in header.iter().enumerate() {
        match columns.iter().position(|(_, names)| names.contains(&name)) {
            Some(column) => positions[column] = Some(index),
            None if name.is_empty() => {}
            None => errors.push(RowError {
                line: 1,
                column: "",
                reason: "import.unknown_column",
            }),
        }
    }
    for (column, (key, _)) in columns.iter().enumerate() {
        if positions[column].is_none() && required.contains(key) {
            errors.push(RowError {
                line: 1,
                column: key,
                reason: "import.missing_column",
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut next_line = 2;
    for record in reader.records() {
        let Ok(record) = record else {
            errors.push(RowError {
                line: next_line,
                column: "",
                reason: "import.not_csv",
            });
            continue;
        };
        // The line the record starts on, counting blank lines and quoted line breaks.
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(next_line);
        next_line = line + 1;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let values: [String; N] = std::array::from_fn(|column| {
            positions[column]
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        });
        rows.push((line, values));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Reads the first sheet of an XLSX workbook as CSV text, so that one parser serves both formats.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<String, &'static str> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| "import.not_xlsx")?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("import.empty")?
        .map_err(|_| "import.not_xlsx")?;
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        writer.write_record(&cells).map_err(|_| "import.not_xlsx")?;
    }
    let bytes = writer.into_inner().map_err(|_| "import.not_xlsx")?;
    String::from_utf8(bytes).map_err(|_| "import.not_xlsx")
}

/// A cell as text; whole numbers (a code typed as 1001) without a decimal point.
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Which optional unit columns (address, phone, leaders) a file has: an import changes only the
/// columns it brings, so a short file never blanks what is stored.
pub fn optional_unit_columns(text: &str) -> [bool; 3] {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let has = |column: &str| {
        UNIT_COLUMNS
            .iter()
            .find(|c| c.0 == column)
            .is_some_and(|(_, names)| header.iter().any(|h| names.contains(&h.as_str())))
    };
    [has("address"), has("phone"), has("leaders")]
}

/// Parses a units file; every bad row is reported, and nothing is returned unless all are good.
pub fn parse_units_csv(text: &str) -> Result<Vec<UnitInput>, Vec<RowError>> {
    let rows = read_rows(text, &UNIT_COLUMNS, &["code", "name", "category"])?;
    let mut units = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, [code, name, category, address, phone, leaders]) in rows {
        let input = UnitInput {
            code,
            name,
            category,
            address,
            phone,
            leaders,
        };
        match input.validate() {
            Ok(unit) if !seen.insert(unit.code.clone()) => errors.push(RowError {
                line,
                column: "code",
                reason: "import.duplicate_code",
            }),
            Ok(unit) => units.push(unit),
            Err(problems) => errors.extend(problems.into_iter().map(|(column, reason)| RowError {
                line,
                column,
                reason,
            })),
        }
    }
    if units.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            column: "",
            reason: "import.empty",
        });
    }
    if errors.is_empty() {
        Ok(units)
    } else {
        Err(errors)
    }
}

/// Parses a staff file; unit codes are checked against the office by the caller.
pub fn parse_staff_csv(text: &str) -> Result<Vec<(usize, StaffRow)>, Vec<RowError>> {
    let rows = read_rows(text, &STAFF_COLUMNS, &["unit_code", "name", "employment"])?;
    let mut staff = Vec::new();
    let mut errors = Vec::new();
    for (line, [unit_code, name, post, employment, phone]) in rows {
        if unit_code.is_empty() {
            errors.push(RowError {
                line,
                column: "unit_code",
                reason: "error.unit_code",
            });
        }
        match (StaffInput {
            name,
            post,
            employment,
            phone,
        })
        .validate()
        {
            Ok(person) => staff.push((
                line,
                StaffRow {
                    unit_code,
                    staff: person,
                },
            )),
            Err(problems) => errors.extend(problems.into_iter().map(|(column, reason)| RowError {
                line,
                column,
                reason,
            })),
        }
    }
    if staff.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            column: "",
            reason: "import.empty",
        });
    }
    if errors.is_empty() {
        Ok(staff)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_01_every_employment_kind_is_accepted_by_code_or_chinese_name() {
        for (code, zh, _) in EMPLOYMENT {
            assert_eq!(parse_employment(code), Some(code));
            assert_eq!(parse_employment(zh), Some(code));
        }
        assert_eq!(parse_employment("临时工"), None);
    }

    #[test]
    fn a_unit_needs_a_code_a_name_and_a_category() {
        let errors = UnitInput {
            code: "a b".into(),
            ..Default::default()
        }
        .validate()
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.0).collect();
        assert_eq!(fields, vec!["code", "name", "category"]);
        let ok = UnitInput {
            code: " U-01 ".into(),
            name: " 市公安局 ".into(),
            category: "执法类".into(),
            ..Default::default()
        };
        assert_eq!(
            ok.validate().map(|u| (u.code, u.name)),
            Ok(("U-01".into(), "市公安局".into()))
        );
    }

    #[test]
    fn a_units_file_with_one_bad_row_imports_nothing_and_names_the_row() {
        let mut text = String::from("\u{feff}单位代码,单位名称,类别,地址,电话,负责人\n");
        for n in 1..=500 {
            if n == 317 {
                text.push_str("U317,,执法类,,,\n");
            } else {
                text.push_str(&format!("U{n:03},单位{n},执法类,地址{n},0563-{n:07},\n"));
            }
        }
        let errors = parse_units_csv(&text).err().unwrap_or_default();
        assert_eq!(
            errors,
            vec![RowError {
                line: 318,
                column: "name",
                reason: "error.unit_name"
            }]
        );
    }

    #[test]
    fn an_exported_workbook_reads_back_as_the_same_rows() {
        let rows = vec![vec![
            "U1".into(),
            "市税务局".into(),
            "经济类".into(),
            "".into(),
            "0563".into(),
            "".into(),
        ]];
        let export = crate::web::export::Export::new("units", &unit_header(), rows);
        let bytes = export.xlsx().unwrap_or_default();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let text = xlsx_to_csv(&bytes).unwrap_or_default();
        let units = parse_units_csv(&text).unwrap_or_default();
        assert_eq!(units.len(), 1);
        assert_eq!(
            (
                units[0].code.as_str(),
                units[0].name.as_str(),
                units[0].phone.as_str()
            ),
            ("U1", "市税务局", "0563")
        );
        assert_eq!(
            xlsx_to_csv(b"PK\x03\x04 not really"),
            Err("import.not_xlsx")
        );
    }

    #[test]
    fn an_import_knows_which_optional_columns_it_brings() {
        assert_eq!(
            optional_unit_columns("code,name,category,phone\n"),
            [false, true, false]
        );
        assert_eq!(
            optional_unit_columns("单位代码,单位名称,类别,地址,电话,负责人\n"),
            [true, true, true]
        );
    }

    #[test]
    fn headers_may_be_english_and_in_any_order_but_must_be_known() {
        let units = parse_units_csv("name,code,category\n市税务局,T1,经济类\n").unwrap_or_default();
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].code, "T1");
        let errors = parse_units_csv("code,name,kategorie\nT1,x,y\n")
            .err()
            .unwrap_or_default();
        assert!(errors.iter().any(|e| e.reason == "import.unknown_column"));
        assert!(
            errors
                .iter()
                .any(|e| e.reason == "import.missing_column" && e.column == "category")
        );
        let dup = parse_units_csv("code,name,category\nT1,a,b\nT1,c,d\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            dup,
            vec![RowError {
                line: 3,
                column: "code",
                reason: "import.duplicate_code"
            }]
        );
    }

    #[test]
    fn ins_01_staff_rows_need_a_unit_a_name_and_an_employment_kind() {
        let text = "单位代码,姓名,岗位,用工性质,电话\nU1,张三,窗口,借调,\nU1,李四,,临时,\n";
        let errors = parse_staff_csv(text).err().unwrap_or_default();
        assert_eq!(
            errors,
            vec![RowError {
                line: 3,
                column: "employment",
                reason: "error.employment"
            }]
        );
        let ok =
            parse_staff_csv("unit_code,name,employment\nU1,王五,contracted\n").unwrap_or_default();
        assert_eq!(ok[0].1.staff.employment, "contracted");
    }
}

//! Official documents (rectification notices, bulletins, interview records) typeset to PDF on the
//! server with Typst, used as a library.
//!
//! One Typst template (`templates/documents/official.typ`) lays out every document in the manner
//! of a government document: the issuing office in red over a red rule, the number, the title,
//! the addressee, the body, and the office and date at the foot. A document's content goes in as
//! a JSON file the template reads (`json("data.json")`): users' text is never Typst markup, so
//! nothing typed into a notice can change how it is typeset.
//!
//! Fonts come only from the configured folders (`documents.font_dirs`, by default Debian's
//! `fonts-noto-cjk`). Rendering is refused, with a message naming that package, when the CJK
//! families the template asks for are not there: a document never comes out with boxes for
//! glyphs.

pub mod handlers;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::config::DocumentsConfig;

/// The font families the template sets text in; all of them come with `fonts-noto-cjk`.
pub const REQUIRED_FAMILIES: [&str; 2] = ["Noto Serif CJK SC", "Noto Sans CJK SC"];

/// The Debian package that provides [`REQUIRED_FAMILIES`].
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

const TEMPLATE: &str = include_str!("../../templates/documents/official.typ");

/// At most this many documents are typeset at once; each takes a core while it runs.
static RENDERING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A document to typeset: everything in it is plain text, already in the reader's language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Document {
    /// The issuing office, printed in red at the head and again at the foot.
    pub office: String,
    pub title: String,
    /// The document's number (a notice's 字号); empty when it has none.
    pub number: String,
    /// Whom it is addressed to (a unit), printed before the body; empty for none.
    pub addressee: String,
    pub blocks: Vec<Block>,
    /// The date at the foot, under the office (e.g. 2026年11月28日).
    pub date: String,
    /// A line at the very end (e.g. who it was copied to); empty for none.
    pub note: String,
    /// A4 turned on its side, for a wide table (the year's ranking).
    pub landscape: bool,
}

/// One part of a document's body.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A heading inside the body (e.g. 一、问题).
    Heading { text: String },
    /// A paragraph; line breaks in the text are kept.
    Paragraph { text: String },
    /// A numbered list.
    List { items: Vec<String> },
    /// Label and value pairs (time, place, attendees of an interview).
    Facts { rows: Vec<(String, String)> },
    /// A table with a header row.
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The CJK fonts are not in the configured folders.
    #[error("the fonts {families:?} are not in {dirs:?}: install Debian's {FONT_PACKAGE}")]
    MissingFonts {
        families: Vec<&'static str>,
        dirs: Vec<PathBuf>,
    },
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl DocumentError {
    /// For the missing fonts: the families missing and the folders searched, to tell the user.
    pub fn missing_fonts(&self) -> Option<(String, String)> {
        match self {
            Self::MissingFonts { families, dirs } => Some((
                families.join("、"),
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
            )),
            _ => None,
        }
    }
}

/// The PDF typesetter of a running app: its fonts are read from disk on first use.
pub struct Documents {
    font_dirs: Vec<PathBuf>,
    /// Kept once found; a failed search is tried again on the next request (fonts installed since).
    fonts: Mutex<Option<Arc<Fonts>>>,
    library: LazyHash<Library>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("font_dirs", &self.font_dirs)
            .finish_non_exhaustive()
    }
}

impl Documents {
    pub fn from_config(config: &DocumentsConfig) -> Self {
        Self {
            font_dirs: config.font_dirs.clone(),
            fonts: Mutex::new(None),
            library: LazyHash::new(Library::default()),
        }
    }

    /// Typesets a document to PDF bytes, off the async threads.
    pub async fn render(self: &Arc<Self>, document: &Document) -> Result<Vec<u8>, DocumentError> {
        let data = serde_json::to_vec(document).map_err(anyhow::Error::from)?;
        let permit = RENDERING
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("the renderer is closed: {e}"))?;
        let this = Arc::clone(self);
        // the permit goes with the work: a request dropped meanwhile does not free it early
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.render_blocking(data)
        })
        .await
        .map_err(|e| anyhow::anyhow!("the typesetting task failed: {e}"))?
    }

    fn render_blocking(&self, data: Vec<u8>) -> Result<Vec<u8>, DocumentError> {
        let started = Instant::now();
        let fonts = self.fonts()?;
        let world = DocumentWorld::new(&self.library, &fonts, data);
        let compiled = typst::compile::<typst_layout::PagedDocument>(&world);
        let document = compiled.output.map_err(|errors| typeset_error(&errors))?;
        let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|errors| typeset_error(&errors))?;
        // Typst memoizes across compilations; keep only what recent documents used.
        typst::comemo::evict(10);
        tracing::info!(
            pages = document.pages().len(),
            bytes = pdf.len(),
            millis = started.elapsed().as_millis() as u64,
            "document typeset"
        );
        Ok(pdf)
    }

    fn fonts(&self) -> Result<Arc<Fonts>, DocumentError> {
        let mut slot = self
            .fonts
            .lock()
            .map_err(|_| anyhow::anyhow!("the font cache is poisoned"))?;
        if let Some(fonts) = slot.as_ref() {
            return Ok(Arc::clone(fonts));
        }
        let fonts = Arc::new(Fonts::search(&self.font_dirs));
        let missing: Vec<&'static str> = REQUIRED_FAMILIES
            .into_iter()
            .filter(|family| !fonts.book.contains_family(&family.to_lowercase()))
            .collect();
        if !missing.is_empty() {
            return Err(DocumentError::MissingFonts {
                families: missing,
                dirs: self.font_dirs.clone(),
            });
        }
        *slot = Some(Arc::clone(&fonts));
        Ok(fonts)
    }
}

fn typeset_error(errors: &[SourceDiagnostic]) -> DocumentError {
    DocumentError::Typeset(
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// The fonts found in the configured folders: their metadata at once, their bytes when first used.
struct Fonts {
    book: LazyHash<FontBook>,
    faces: Vec<Face>,
    files: Vec<FontFile>,
}

struct Face {
    file: usize,
    index: u32,
    font: OnceLock<Option<Font>>,
}

struct FontFile {
    path: PathBuf,
    bytes: OnceLock<Option<Bytes>>,
}

impl Fonts {
    fn search(dirs: &[PathBuf]) -> Self {
        let mut paths = Vec::new();
        for dir in dirs {
            collect_font_files(dir, &mut paths);
        }
        paths.sort();
        let mut book = FontBook::new();
        let mut faces = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            let file = files.len();
            for (index, info) in (0u32..).zip(FontInfo::iter(&data)) {
                book.push(info);
                faces.push(Face {
                    file,
                    index,
                    font: OnceLock::new(),
                });
            }
            files.push(FontFile {
                path,
                bytes: OnceLock::new(),
            });
        }
        Self {
            book: LazyHash::new(book),
            faces,
            files,
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        let face = self.faces.get(index)?;
        face.font
            .get_or_init(|| {
                let file = self.files.get(face.file)?;
                let bytes = file
                    .bytes
                    .get_or_init(|| std::fs::read(&file.path).ok().map(Bytes::new))
                    .clone()?;
                Font::new(bytes, face.index)
            })
            .clone()
    }
}

fn collect_font_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_font_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        }) {
            out.push(path);
        }
    }
}

/// Typst's view of one document: the template as its main file, the data beside it, the fonts.
struct DocumentWorld<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a Fonts,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl<'a> DocumentWorld<'a> {
    fn new(library: &'a LazyHash<Library>, fonts: &'a Fonts, data: Vec<u8>) -> Self {
        Self {
            library,
            fonts,
            main: Source::new(file_id("/official.typ"), TEMPLATE.to_string()),
            data_id: file_id("/data.json"),
            data: Bytes::new(data),
        }
    }
}

fn file_id(path: &str) -> FileId {
    #[allow(clippy::expect_used)]
    let path = VirtualPath::new(path).expect("a fixed, valid virtual path");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// Forgets what Typst memoized from earlier documents, so the next one is typeset from scratch
/// (to time the worst case).
pub fn forget_memoized() {
    typst::comemo::evict(0);
}

/// A notice as an office would issue it, the `n`th of a series (each differs in its number and
/// unit), to check the fonts and time the typesetting (`xiaoneng documents check`).
pub fn sample(n: u32) -> Document {
    let cite =
        |rule_id: &str| crate::core::citation(rule_id, crate::i18n::Lang::Zh).unwrap_or_default();
    let (open, covert) = (cite("INS-05"), cite("INS-07"));
    let facts = [
        format!(
            "窗口工作人员上班时间玩手机游戏，群众排队等候十余分钟无人受理（D10 工作纪律，{covert}，扣 1 分）"
        ),
        format!(
            "服务大厅未公示办事指南和办理时限，群众反映多次往返（D06 公开公示，{open}，扣 0.5 分）"
        ),
        format!(
            "首问负责制落实不到位，来电咨询被多次转接未获答复（D09 首问负责，{open}，扣 0.5 分）"
        ),
    ];
    Document {
        office: "示范市效能办".into(),
        title: "效能督查整改通知书".into(),
        number: format!("效整〔2026〕{}号", 18 + n),
        addressee: format!("示范市第{}行政服务中心", n + 1),
        blocks: vec![
            Block::Paragraph {
                text: "2026年11月20日，我办对你单位开展效能暗访，发现你单位存在以下问题：".into(),
            },
            Block::List {
                items: facts.to_vec(),
            },
            Block::Heading {
                text: "依据".into(),
            },
            Block::Paragraph {
                text: format!("{}。", cite("INS-11")),
            },
            Block::Heading {
                text: "整改要求".into(),
            },
            Block::Paragraph {
                text: "请你单位高度重视，立即整改，对相关责任人进行批评教育。\n举一反三，全面排查同类问题，建立长效机制。".into(),
            },
            Block::Paragraph {
                text: "请于 2026-12-04 23:59 前完成整改，并书面报送整改情况。".into(),
            },
            Block::Paragraph {
                text: "对所列事实有异议并有证据的，可在 2026-11-24 23:59 前提出异议。".into(),
            },
        ],
        date: "2026年11月20日".into(),
        note: String::new(),
        landscape: false,
    }
}

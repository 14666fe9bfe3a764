//! Paging: which page of a long list a request asks for, and the links between its pages. Lists
//! that grow without end (the audit log) page by key instead: [`Pager::keyset`].

/// A page of a list, as asked for (`?page=3`), never below the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub size: i64,
}

impl PageRequest {
    /// The most pages a list offers: a page number beyond it reads as the last one there could be.
    const MAX_PAGE: i64 = 100_000;

    pub fn new(page: Option<i64>, size: i64) -> Self {
        Self {
            page: page.unwrap_or(1).clamp(1, Self::MAX_PAGE),
            size,
        }
    }

    /// The rows to skip (SQL `offset`).
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.size
    }

    /// The rows to read (SQL `limit`).
    pub fn limit(&self) -> i64 {
        self.size
    }
}

/// The links between pages, as the `pager` macro of `_macros.html` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pager {
    /// `(page, pages)` when the list is counted; none for a keyset list.
    pub position: Option<(i64, i64)>,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The catalog key of the link onwards ("next" page, or "older" entries).
    pub next_key: &'static str,
}

impl Pager {
    /// The pager of a counted list of `total` rows; `href(n)` links to page `n` with the list's
    /// filters kept.
    pub fn new(request: PageRequest, total: i64, href: impl Fn(i64) -> String) -> Self {
        let pages = ((total + request.size - 1) / request.size).max(1);
        let page = request.page;
        Self {
            position: Some((page, pages)),
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            next_key: "pager.next",
        }
    }

    /// The pager of a list read by key (newest first): only a link to older entries.
    pub fn keyset(older: Option<String>) -> Self {
        Self {
            position: None,
            previous: None,
            next: older,
            next_key: "pager.older",
        }
    }

    /// Whether there is anywhere to go (one page needs no pager).
    pub fn shown(&self) -> bool {
        self.previous.is_some() || self.next.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_request_starts_at_the_first_page_and_skips_whole_pages() {
        let first = PageRequest::new(None, 50);
        assert_eq!((first.page, first.offset(), first.limit()), (1, 0, 50));
        assert_eq!(PageRequest::new(Some(-3), 50).page, 1);
        assert_eq!(PageRequest::new(Some(3), 50).offset(), 100);
    }

    #[test]
    fn the_pager_links_to_the_neighbouring_pages_that_exist() {
        let href = |n: i64| format!("?page={n}");
        let middle = Pager::new(PageRequest::new(Some(2), 10), 25, href);
        assert_eq!(middle.position, Some((2, 3)));
        assert_eq!(middle.previous.as_deref(), Some("?page=1"));
        assert_eq!(middle.next.as_deref(), Some("?page=3"));
        let only = Pager::new(PageRequest::new(None, 10), 0, href);
        assert_eq!(only.position, Some((1, 1)));
        assert!(!only.shown());
    }
}

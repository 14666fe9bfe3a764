//! The navigation fits every screen, in a real browser: at a phone's 390×844 and a desk's
//! 1366×768, signed in with the roles that have the most entries (an office's administrator and
//! its staff), no page is wider than the screen and neither is the menu; on the phone a menu
//! button opens the whole list; on the desk the whole list shows, wrapped; the current page is
//! marked (aria-current, and a style of its own).

use fantoccini::Locator;
use serde_json::Value;

use crate::e2e::{Session, screenshot};

/// The pages each role visits: (path, the entry marked on it).
const PAGES: [(&str, &str); 4] = [
    ("/nav", "/nav"),
    ("/nav/notices?show=overdue", "/nav/notices"),
    ("/nav/years", "/nav/years"),
    ("/nav/audit", "/nav/audit"),
];

/// What the browser lays out of the page and its navigation, measured in the page.
const MEASURE: &str = r#"
const nav = document.querySelector('nav.mainnav');
const shown = el => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true });
};
const links = [...nav.querySelectorAll('a')].filter(shown);
const current = links.filter(a => a.getAttribute('aria-current') === 'page');
const other = links.find(a => a.getAttribute('aria-current') !== 'page');
const look = a => {
  const s = getComputedStyle(a);
  return [s.fontWeight, s.backgroundColor, s.borderBottomColor, s.borderLeftColor].join('|');
};
const button = nav.querySelector('summary');
return {
  viewport: window.innerWidth,
  page: document.documentElement.scrollWidth,
  nav: nav.scrollWidth,
  entries: nav.querySelectorAll('.mainnav-wide a').length,
  shown: links.length,
  in_menu: links.filter(a => a.closest('details')).length,
  open: nav.querySelector('details').open,
  right: Math.max(0, ...links.map(a => Math.ceil(a.getBoundingClientRect().right))),
  current: current.map(a => a.getAttribute('href')),
  marked: current.length === 1 && other !== undefined && look(current[0]) !== look(other),
  button: button !== null && shown(button),
};
"#;

/// The layout of the page shown now.
async fn measure(s: &Session) -> Value {
    s.client.execute(MEASURE, vec![]).await.expect("measure")
}

fn number(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(u64::MAX)
}

/// Nothing wider than the viewport: the page, the navigation, any entry shown.
#[track_caller]
fn fits(v: &Value, what: &str) {
    let viewport = number(v, "viewport");
    for key in ["page", "nav", "right"] {
        assert!(
            number(v, key) <= viewport,
            "{what}: {key} is wider than the {viewport} px screen: {v}"
        );
    }
}

/// The whole list is shown, with the page's entry marked.
#[track_caller]
fn whole_list_marked(v: &Value, entry: &str, what: &str) {
    let entries = number(v, "entries");
    assert!(entries >= 14, "{what}: the roles' many entries: {v}");
    assert_eq!(
        number(v, "shown"),
        entries,
        "{what}: every entry shows: {v}"
    );
    assert_eq!(v["current"], serde_json::json!([entry]), "{what}: {v}");
    assert_eq!(
        v["marked"],
        Value::Bool(true),
        "{what}: the current page looks marked: {v}"
    );
}

async fn log_in(s: &Session, role: &str) {
    s.goto("/nav/login").await;
    s.log_in(role).await;
    s.wait_for(Locator::XPath("//h1[starts-with(., '您好')]"))
        .await;
}

async fn log_out(s: &Session) {
    s.click("form[action='/nav/logout'] button").await;
    s.wait_for(Locator::Css("form input#username")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_390_px_phone_the_menu_button_opens_the_whole_list_and_nothing_is_wider_than_the_screen()
 {
    let s = Session::open("nav", true).await;
    for role in ["office_admin", "office_staff"] {
        log_in(&s, role).await;
        for (path, entry) in PAGES {
            let what = format!("{role} at {path} on a phone");
            s.goto(path).await;
            let closed = measure(&s).await;
            assert_eq!(number(&closed, "viewport"), 390, "{what}: {closed}");
            fits(&closed, &what);
            assert_eq!(closed["button"], Value::Bool(true), "{what}: {closed}");
            assert_eq!(
                number(&closed, "shown"),
                0,
                "{what}: the list waits behind the button: {closed}"
            );
            s.click("nav.mainnav summary").await;
            let open = measure(&s).await;
            fits(&open, &what);
            whole_list_marked(&open, entry, &what);
        }
        screenshot(&s.client, &format!("nav-{role}-390x844.png")).await;
        log_out(&s).await;
    }
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_1366_px_desk_the_whole_menu_wraps_within_the_screen_with_the_current_page_marked() {
    let s = Session::open("nav", false).await;
    s.client
        .set_window_size(1366, 768)
        .await
        .expect("a 1366×768 window");
    for role in ["office_admin", "office_staff"] {
        log_in(&s, role).await;
        for (path, entry) in PAGES {
            let what = format!("{role} at {path} on a desk");
            s.goto(path).await;
            let v = measure(&s).await;
            assert!(
                (1300..=1366).contains(&number(&v, "viewport")),
                "{what}: {v}"
            );
            fits(&v, &what);
            assert_eq!(
                v["button"],
                Value::Bool(false),
                "{what}: no menu button: {v}"
            );
            whole_list_marked(&v, entry, &what);
        }
        screenshot(&s.client, &format!("nav-{role}-1366x768.png")).await;
        log_out(&s).await;
    }
    s.close().await;
}

//! The demo office in a real browser, as a newcomer meets it: every role's home page lists work
//! to do (with its counts and links), and at a phone's 390 px and a desk's 1366 px neither the page
//! nor its menu is wider than the screen, nor are the charts of the leaders' dashboard.

use fantoccini::Locator;

use crate::common::spawn_app;
use crate::e2e::{Session, screenshot};

/// The links of a home page that lead to work: queue lines, task and notice cards, key numbers.
const WORK: &str = "main .work-list a, main .task-cards a, main .tiles a";

/// The numbers a script measuring the page returns (widths, counts).
async fn measure(s: &Session, script: &str) -> Vec<u64> {
    let measured = s
        .client
        .execute(script, vec![])
        .await
        .expect("the page measured");
    measured
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
        .unwrap_or_default()
}

/// Opens `path` and checks that nothing on it is wider than the screen; keeps a screenshot.
async fn fits(s: &Session, path: &str, name: &str, width: u32) {
    s.goto(path).await;
    s.wait_for(Locator::Css("main h1")).await;
    let wide = measure(
        s,
        "return [window.innerWidth, document.documentElement.scrollWidth];",
    )
    .await;
    assert!(
        wide.len() == 2 && wide[1] <= wide[0],
        "{path} fits {width} px: {wide:?}"
    );
    screenshot(&s.client, &format!("demo-{name}-{width}.png")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_home_in_the_demo_office_lists_work_and_fits_a_phone_and_a_desk() {
    let app = spawn_app().await;
    let mut config = xiaoneng::config::Config::defaults().expect("default configuration");
    config.evidence.dir = app.evidence_dir.clone();
    config.demo.logins_file =
        std::env::temp_dir().join(format!("xiaoneng-demo-{}.txt", uuid::Uuid::new_v4()));
    let logins = xiaoneng::demo::ensure(&app.pool, &config, false, app.clock.now())
        .await
        .expect("the demo office");
    let s = Session::open_app(app, false).await;
    for login in &logins {
        let password = login
            .password
            .as_deref()
            .expect("a new demo's passwords are known");
        for (width, height) in [(390, 844), (1366, 768)] {
            s.client
                .set_window_size(width, height)
                .await
                .expect("the screen's size");
            s.goto("/demo/login").await;
            s.fill("#username", &login.username).await;
            s.fill("#password", password).await;
            s.click("main button[type=submit]").await;
            s.wait_for(Locator::Css(".whoami")).await;
            let work = s
                .client
                .find_all(Locator::Css(WORK))
                .await
                .expect("the home page's work");
            assert!(
                !work.is_empty(),
                "{}'s home lists at least one work item",
                login.username
            );
            let widths = measure(
                &s,
                "return [window.innerWidth, document.documentElement.scrollWidth,
                         document.querySelector('nav.mainnav').scrollWidth];",
            )
            .await;
            assert_eq!(widths.len(), 3, "{widths:?}");
            assert!(
                widths[1] <= widths[0] && widths[2] <= widths[0],
                "{} at {width} px: page {} and menu {} within the screen's {}",
                login.username,
                widths[1],
                widths[2],
                widths[0]
            );
            screenshot(
                &s.client,
                &format!("demo-home-{}-{width}.png", login.username),
            )
            .await;
            if login.username == "leader" {
                // INS-13: the dashboard's charts fit the screen
                s.goto("/demo/dashboard").await;
                s.wait_for(Locator::Css("svg.chart-svg")).await;
                let fit = measure(
                    &s,
                    "const charts = [...document.querySelectorAll('svg.chart-svg')];
                         return [charts.length, window.innerWidth, document.documentElement.scrollWidth,
                                 Math.max(...charts.map(c => Math.ceil(c.getBoundingClientRect().right)))];",
                )
                .await;
                assert_eq!(fit.first(), Some(&3), "three charts");
                assert!(
                    fit[2] <= fit[1] && fit[3] <= fit[1],
                    "the dashboard fits {width} px: {fit:?}"
                );
                screenshot(&s.client, &format!("demo-dashboard-{width}.png")).await;
                // INS-08: the year's ranking fits too, then the first unit's score sheet, the
                // excellence list and the warning units
                fits(&s, "/demo/years/2026/ranking", "ranking", width).await;
                let sheet = s
                    .client
                    .execute(
                        "return document.querySelector('table.ranking a').getAttribute('href');",
                        vec![],
                    )
                    .await
                    .expect("a unit's link");
                let sheet = sheet.as_str().expect("a path").to_string();
                fits(&s, &sheet, "score", width).await;
                fits(&s, "/demo/years/2026/excellence", "excellence", width).await;
                fits(&s, "/demo/years/2026/warnings", "warnings", width).await;
            }
            s.click("form[action$='/logout'] button").await;
            s.wait_for(Locator::Id("username")).await;
        }
        let _ = std::fs::remove_file(&config.demo.logins_file);
    }
    s.close().await;
}

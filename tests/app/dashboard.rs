//! The leaders' dashboard (INS-13): the year's deductions by item, month and unit as charts
//! drawn on the server, with the same numbers in a table; the key numbers link to their lists.

use axum::http::StatusCode;

use crate::common::spawn_app;
use crate::notices::confirmed_finding;

#[tokio::test]
async fn ins_13_the_dashboard_shows_where_the_years_points_fall_as_charts_with_their_numbers() {
    let app = spawn_app().await;
    let (_, finding, _) = confirmed_finding(&app).await;
    let month = app
        .scalar_i64(
            "select extract(month from created_at at time zone 'Asia/Shanghai')::bigint from deduction",
        )
        .await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<svg class=\"chart-svg\"").count(),
        3,
        "by item, by month and by unit"
    );
    // the confirmed D06 (one point) in each chart's table
    page.assert_contains("<td>D06 未在门厅等显眼位置设置效能提示牌</td><td>1</td>");
    page.assert_contains(&format!("<td>{month}月</td><td>1</td>"));
    page.assert_contains("<td>第一单位</td><td>1</td>");
    // the key numbers lead to the lists behind them
    page.assert_contains("href=\"/alpha/notices?show=standing\"");
    page.assert_contains("href=\"/alpha/years/2026/findings\"");
    // office staff read the same key numbers as the leader
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get("/alpha/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("href=\"/alpha/years/2026/findings\"><strong>1</strong>");
    page.assert_contains("<td>第一单位</td><td>1</td>");
    for who in ["liaison", "supervisor"] {
        let mut other = app.logged_in("alpha", who).await;
        let status = other.get("/alpha/dashboard").await.status;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{who}: {status}"
        );
    }
    // a deduction reversed counts nothing
    sqlx::query(
        "insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id,
                                entry_kind, points, source_type, source_key, reason, reverses_id)
         select tenant_id, gen_random_uuid(), assessment_year_id, unit_id, deduction_item_id,
                'reverse', points, source_type, source_key, '异议成立', id
           from deduction where source_key = $1",
    )
    .bind(finding.to_string())
    .execute(&app.pool)
    .await
    .expect("a reversal");
    let page = leader.get("/alpha/dashboard").await;
    assert!(!page.body.contains("<td>第一单位</td><td>1</td>"));
    page.assert_contains("本年度还没有扣分");
}

/// (rank, unit code) of each line of the ranking's table that follows `heading`.
fn ranked_after(page: &str, heading: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("<h2>{heading}</h2>"))
        .expect("the table");
    let section = &page[start..];
    let section = &section[..section.find("</table>").unwrap_or(section.len())];
    section
        .split("data-label=\"名次\">")
        .skip(1)
        .map(|part| {
            let rank = part.split('<').next().unwrap_or_default().to_string();
            let code = part
                .split("data-label=\"单位代码\">")
                .nth(1)
                .and_then(|c| c.split('<').next())
                .unwrap_or_default()
                .to_string();
            (rank, code)
        })
        .collect()
}

/// INS-08: the year's ranking reads the ledger: the unit with a confirmed D06 is third, the two
/// without tie for first (listed by code), and the open year's ranking says it is provisional.
#[tokio::test]
async fn ins_08_the_ranking_shares_a_rank_between_equal_scores_and_is_provisional_while_open() {
    let app = spawn_app().await;
    confirmed_finding(&app).await;
    let mut leader = app.logged_in("alpha", "leader").await;
    let page = leader.get("/alpha/years/2026/ranking?view=overall").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("暂定排名");
    let overall = ranked_after(&page.body, "全部单位");
    assert_eq!(
        overall,
        vec![
            ("1".to_string(), "u2".to_string()),
            ("1".to_string(), "u3".to_string()),
            ("3".to_string(), "u1".to_string()),
        ]
    );
    page.assert_contains("<strong>99</strong>");
    assert_eq!(
        leader.get("/alpha/years/2019/ranking").await.status,
        StatusCode::NOT_FOUND
    );
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let status = liaison.get("/alpha/years/2026/ranking").await.status;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
}

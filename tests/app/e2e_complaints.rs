//! Complaints in the browser, at a phone's 390×844: a citizen files a complaint with a photo on the
//! public form and gets a tracking code; the office accepts and assigns it; the unit's liaison
//! signs for it; the tracking page shows each step (CMP-02, CMP-03, CMP-08, CMP-13).

use fantoccini::Locator;

use crate::e2e::{Session, page_width, screenshot};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cmp_03_a_citizen_files_with_a_photo_on_a_phone_and_follows_each_step_by_the_tracking_code()
{
    let app = crate::common::spawn_app().await;
    crate::scores::office_with_year(&app).await;
    let pool = app.pool.clone();
    let photo = std::env::temp_dir().join(format!("xiaoneng-e2e-{}.jpg", uuid::Uuid::new_v4()));
    std::fs::write(&photo, crate::findings::jpeg(None)).expect("write the photo");
    let s = Session::open_app(app, true).await;

    // the unit's poster links to the form with the unit chosen
    s.goto("/alpha/complain?unit=u1").await;
    s.fill("#matter", "营业执照办理超过承诺时限").await;
    s.fill("#reasons", "11月3日提交材料，承诺3个工作日，至今未办结。")
        .await;
    s.client
        .find(Locator::Id("category"))
        .await
        .expect("the kinds")
        .select_by_value("delay")
        .await
        .expect("choose a kind");
    s.click("input[name=relation][value=recipient]").await;
    s.fill("#complainant_name", "王五").await;
    s.fill("#complainant_phone", "13700000000").await;
    s.pick("file", &photo).await;
    screenshot(&s.client, "complain-390x844.png").await;
    assert!(page_width(&s.client).await <= 390, "no sideways scrolling");
    s.click("form[action$='/complain'] button[type=submit]")
        .await;
    let code = s
        .wait_for(Locator::Id("tracking-code"))
        .await
        .text()
        .await
        .expect("the tracking code");
    assert_eq!(code.len(), 17, "{code}");
    screenshot(&s.client, "complaint-filed-390x844.png").await;
    assert!(page_width(&s.client).await <= 390, "no sideways scrolling");
    let (id, files): (uuid::Uuid, i64) = sqlx::query_as(
        "select c.id, (select count(*) from evidence e where e.complaint_id = c.id)
           from complaint c",
    )
    .fetch_one(&pool)
    .await
    .expect("the complaint");
    assert_eq!(files, 1, "the photo is its evidence");

    // the office accepts it and assigns it to the unit
    s.goto("/alpha/login").await;
    s.log_in("office_staff").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.goto(&format!("/alpha/complaints/{id}")).await;
    s.wait_for(Locator::Css(".evidence-list img")).await;
    s.click("form:has(input[name=do][value=assign]) button[type=submit]")
        .await;
    s.wait_for(Locator::Css(".flash")).await;
    s.click(".topbar form button").await;

    // the liaison signs for it
    s.wait_for(Locator::Id("username")).await;
    s.log_in("liaison").await;
    s.wait_for(Locator::Css(".whoami")).await;
    s.goto(&format!("/alpha/complaints/{id}")).await;
    s.click("form:has(input[name=do][value=sign]) button[type=submit]")
        .await;
    s.wait_for(Locator::Css(".flash")).await;
    s.click(".topbar form button").await;
    s.wait_for(Locator::Id("username")).await;

    // the citizen follows it by the code: every step, none of the staff's names
    s.goto("/alpha/track").await;
    s.fill("#code", &code.to_lowercase()).await;
    s.click("form[action$='/track'] button[type=submit]").await;
    let timeline = s
        .wait_for(Locator::Css("ol.timeline"))
        .await
        .text()
        .await
        .expect("the steps");
    for step in ["收到投诉", "受理并交办", "单位签收", "第一单位"] {
        assert!(timeline.contains(step), "{step} in {timeline}");
    }
    let page = s.client.source().await.expect("the page");
    assert!(!page.contains("13700000000"), "no contact details");
    screenshot(&s.client, "tracking-390x844.png").await;
    assert!(page_width(&s.client).await <= 390, "no sideways scrolling");
    let _ = std::fs::remove_file(&photo);
    s.close().await;
}

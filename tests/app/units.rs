//! Units, staff, the assessment list, import and export (INS-01), and who may do what.

use axum::http::StatusCode;
use uuid::Uuid;

use xiaoneng::web::export::Export;

use crate::common::{TestApp, spawn_app};

async fn unit_id(app: &TestApp, code: &str) -> Uuid {
    sqlx::query_scalar("select id from unit where code = $1")
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn units_csv(rows: usize, bad_row: Option<usize>) -> String {
    let mut text = String::from("\u{feff}单位代码,单位名称,类别,地址,电话,负责人\n");
    for n in 1..=rows {
        if Some(n) == bad_row {
            text.push_str(&format!("B{n:04},,执法类,,,\n"));
        } else {
            let category = ["党群类", "经济类", "社会事业类", "执法类"][n % 4];
            text.push_str(&format!(
                "B{n:04},单位{n},{category},宣城市第{n}号,0563-{n:07},张{n}\n"
            ));
        }
    }
    text
}

#[tokio::test]
async fn ins_01_an_administrator_registers_a_unit_and_lists_it_for_the_year() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let bad = admin
        .post(
            "/alpha/units",
            &[("code", "u 2"), ("name", ""), ("category", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("单位代码为 1 至 32 个字母");
    bad.assert_contains("value=\"u 2\"");
    let taken = admin
        .post(
            "/alpha/units",
            &[("code", "u1"), ("name", "重复"), ("category", "经济类")],
        )
        .await;
    taken.assert_contains("已有单位使用这个代码");
    let created = admin
        .post(
            "/alpha/units",
            &[
                ("code", "TAX"),
                ("name", "市税务局"),
                ("category", "经济类"),
                ("phone", "0563-1234567"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let page = admin.get(created.location()).await;
    page.assert_contains("市税务局");
    page.assert_contains("2026 年度考评名单");
    let listed = admin
        .post(
            &format!("{}/listing", created.location()),
            &[("listed", "on")],
        )
        .await;
    assert_eq!(listed.status, StatusCode::SEE_OTHER);
    let list = admin.get("/alpha/units?q=%E7%A8%8E").await;
    list.assert_contains("共 1 个单位");
    list.assert_contains("<span class=\"badge badge-on\">是</span>");
    let sorted = admin.get("/alpha/units?sort=name").await;
    assert!(
        sorted.body.find("市税务局").unwrap() < sorted.body.find("第一单位").unwrap(),
        "sorted by name"
    );
    let edited = admin
        .post(
            created.location(),
            &[
                ("code", "TAX"),
                ("name", "国家税务总局宣城市税务局"),
                ("category", "经济类"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let page = admin.get(created.location()).await;
    page.assert_contains("国家税务总局宣城市税务局");
    page.assert_contains("列入考评名单"); // history
}

#[tokio::test]
async fn ins_01_staff_of_every_employment_kind_are_recorded() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = unit_id(&app, "u1").await;
    let mut staff_user = app.logged_in("alpha", "office_staff").await;
    for (name, kind) in [
        ("甲", "regular"),
        ("乙", "seconded"),
        ("丙", "borrowed"),
        ("丁", "attached"),
        ("戊", "contracted"),
    ] {
        let added = staff_user
            .post(
                &format!("/alpha/units/{unit}/staff"),
                &[("name", name), ("post", "窗口"), ("employment", kind)],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{kind}");
    }
    let page = staff_user.get(&format!("/alpha/units/{unit}")).await;
    for label in ["在职", "借调", "借用", "挂职", "聘用"] {
        page.assert_contains(&format!(">{label}</td>"));
    }
    let bad = staff_user
        .post(
            &format!("/alpha/units/{unit}/staff"),
            &[("name", ""), ("employment", "临时")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("用工性质须为在职、借调、借用、挂职或聘用");
    let gone: Uuid = sqlx::query_scalar("select id from staff_member where name = '甲'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let serving = |page: &str| -> String {
        let row = &page[page.find(">u1<").expect("u1 listed")..];
        let cell = &row[row.find("data-label=\"在岗人数\">").expect("staff cell")..];
        cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()].to_string()
    };
    assert_eq!(serving(&staff_user.get("/alpha/units").await.body), "5");
    staff_user
        .post(&format!("/alpha/units/{unit}/staff/{gone}/leave"), &[])
        .await;
    assert_eq!(
        app.scalar_i64("select count(*) from staff_member where left_at is not null")
            .await,
        1
    );
    // INS-01: the list counts the serving staff only, and follows a return
    assert_eq!(serving(&staff_user.get("/alpha/units").await.body), "4");
    staff_user
        .post(&format!("/alpha/units/{unit}/staff/{gone}/return"), &[])
        .await;
    assert_eq!(serving(&staff_user.get("/alpha/units").await.body), "5");
}

#[tokio::test]
async fn an_import_with_one_bad_row_among_500_imports_nothing_and_names_the_row() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let page = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.csv",
            units_csv(500, Some(317)).as_bytes(),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("文件有 1 处问题，什么都没有导入");
    page.assert_contains("<td data-label=\"行\">318</td>");
    page.assert_contains("请填写单位名称");
    assert_eq!(
        app.scalar_i64("select count(*) from unit").await,
        1,
        "nothing imported"
    );
}

#[tokio::test]
async fn a_clean_file_of_2000_units_imports_and_joins_the_years_list() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin.post("/alpha/years", &[("year", "2026")]).await;
    let done = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units"), ("list", "on")],
            "units.csv",
            units_csv(2000, None).as_bytes(),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    admin
        .get("/alpha/units")
        .await
        .assert_contains("单位导入完成：新增 2000 个，更新 0 个");
    assert_eq!(app.scalar_i64("select count(*) from unit").await, 2001);
    assert_eq!(
        app.scalar_i64("select count(*) from assessment_unit").await,
        2000
    );
    // The same file again updates instead of duplicating.
    let again = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.csv",
            units_csv(2000, None).as_bytes(),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar_i64("select count(*) from unit").await, 2001);
    let staff = "单位代码,姓名,岗位,用工性质,电话\nB0001,赵六,科员,借调,\nB0002,钱七,,聘用,\n";
    let imported = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "staff")],
            "staff.csv",
            staff.as_bytes(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar_i64("select count(*) from staff_member").await, 2);
    // Importing the same people again updates them instead of adding them twice.
    let again = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "staff")],
            "staff.csv",
            staff.as_bytes(),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    admin
        .get("/alpha/units")
        .await
        .assert_contains("工作人员导入完成：新增 0 个，更新 2 个");
    assert_eq!(app.scalar_i64("select count(*) from staff_member").await, 2);
    // A file without the optional columns keeps what is stored in them.
    let short = "code,name,category\nB0001,单位1（更名）,党群类\n";
    admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.csv",
            short.as_bytes(),
        )
        .await;
    let kept = app.scalar_i64("select count(*) from unit where code = 'B0001' and phone <> '' and name = '单位1（更名）'").await;
    assert_eq!(kept, 1);
    let unknown = "单位代码,姓名,用工性质\nNOPE,孙八,在职\n";
    let refused = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "staff")],
            "staff.csv",
            unknown.as_bytes(),
        )
        .await;
    refused.assert_contains("没有这个单位代码");
}

#[tokio::test]
async fn exports_read_back_as_imports() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.csv",
            units_csv(3, None).as_bytes(),
        )
        .await;
    // Every unit needs a category to be imported again.
    sqlx::query("update unit set category = '党群类' where category = ''")
        .execute(&app.pool)
        .await
        .unwrap();
    let export = admin.get("/alpha/units/export.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.header("content-type").starts_with("text/csv"));
    assert!(export.header("content-disposition").contains("units.csv"));
    assert!(
        export
            .body
            .starts_with("\u{feff}单位代码,单位名称,类别,地址,电话,负责人")
    );
    export.assert_contains("B0002,单位2,社会事业类,宣城市第2号,0563-0000002,张2");
    let again = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.csv",
            export.body.as_bytes(),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let workbook = admin.get("/alpha/units/export.xlsx").await;
    assert_eq!(workbook.status, StatusCode::OK);
    assert!(workbook.header("content-type").contains("spreadsheetml"));
    let junk = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.xlsx",
            b"PK\x03\x04rest",
        )
        .await;
    junk.assert_contains("无法读取这个 Excel 文件");
}

#[tokio::test]
async fn a_liaison_sees_and_keeps_only_its_own_units_staff() {
    let app = spawn_app().await;
    let office = app.office_with_users("alpha").await;
    let own = unit_id(&app, "u1").await;
    let other = app.create_unit(&office, "u2", "第二单位").await;
    let mut liaison = app.logged_in("alpha", "liaison").await;
    let home = liaison.get("/alpha").await;
    home.assert_contains(&format!("href=\"/alpha/units/{own}\""));
    assert_eq!(
        liaison.get(&format!("/alpha/units/{own}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        liaison.get(&format!("/alpha/units/{other}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        liaison.get("/alpha/units").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        liaison.get("/alpha/units/export.csv").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        liaison.get("/alpha/staff/export.csv").await.status,
        StatusCode::NOT_FOUND
    );
    let own_staff = liaison
        .post(
            &format!("/alpha/units/{own}/staff"),
            &[("name", "周一"), ("employment", "regular")],
        )
        .await;
    assert_eq!(own_staff.status, StatusCode::SEE_OTHER);
    let other_staff = liaison
        .post(
            &format!("/alpha/units/{other}/staff"),
            &[("name", "吴二"), ("employment", "regular")],
        )
        .await;
    assert_eq!(other_staff.status, StatusCode::NOT_FOUND);
    assert_eq!(app.scalar_i64("select count(*) from staff_member").await, 1);
    assert_eq!(
        liaison
            .post(
                &format!("/alpha/units/{own}"),
                &[("code", "u1"), ("name", "改名"), ("category", "x")]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_supervisor_reads_the_registry_but_cannot_change_it() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let unit = unit_id(&app, "u1").await;
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    assert_eq!(supervisor.get("/alpha/units").await.status, StatusCode::OK);
    let page = supervisor.get(&format!("/alpha/units/{unit}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/staff\""), "no staff form");
    for (path, form) in [
        (
            "/alpha/units".to_string(),
            vec![("code", "X"), ("name", "x"), ("category", "x")],
        ),
        (
            format!("/alpha/units/{unit}"),
            vec![("code", "u1"), ("name", "x"), ("category", "x")],
        ),
        (
            format!("/alpha/units/{unit}/listing"),
            vec![("listed", "on")],
        ),
        (
            format!("/alpha/units/{unit}/staff"),
            vec![("name", "x"), ("employment", "regular")],
        ),
        ("/alpha/years".to_string(), vec![("year", "2030")]),
        (
            "/alpha/calendar/days".to_string(),
            vec![("day", "2026-10-12"), ("kind", "holiday")],
        ),
    ] {
        assert_eq!(
            supervisor.post(&path, &form).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        supervisor.get("/alpha/units/import").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.scalar_i64("select count(*) from unit").await, 1);
    assert_eq!(app.scalar_i64("select count(*) from staff_member").await, 0);
}

#[tokio::test]
async fn a_units_workbook_imports_like_a_csv_file_and_names_bad_rows() {
    let app = spawn_app().await;
    app.office_with_users("alpha").await;
    let mut admin = app.logged_in("alpha", "office_admin").await;
    let header = xiaoneng::registry::units::model::unit_header();
    let row = |code: &str, name: &str| {
        vec![
            code.into(),
            name.into(),
            "经济类".into(),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    let workbook = |rows| Export::new("units", &header, rows).xlsx().unwrap();
    let bad = workbook(vec![row("X1", "甲局"), row("X2", "")]);
    let refused = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.xlsx",
            &bad,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("<td data-label=\"行\">3</td>");
    let good = workbook(vec![row("X1", "甲局"), row("X2", "乙局")]);
    let done = admin
        .post_file(
            "/alpha/units/import",
            &[("kind", "units")],
            "units.xlsx",
            &good,
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar_i64("select count(*) from unit where code in ('X1', 'X2')")
            .await,
        2
    );
}

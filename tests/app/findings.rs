//! Findings with evidence, sign-off, submission and review (INS-05, INS-08 to INS-11, INS-14).

use std::path::Path;

use axum::http::StatusCode;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::common::{Client, Page, TestApp, spawn_app, spawn_app_with};
use crate::tasks::{id_of, setup};

/// A real little JPEG (so thumbnails can be made), with an EXIF DateTimeOriginal when given.
pub fn jpeg(taken: Option<&str>) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut plain = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .unwrap();
    let plain = plain.into_inner();
    let Some(taken) = taken else {
        return plain;
    };
    // TIFF (little endian): IFD0 with one entry, the ExifIFD pointer; ExifIFD with 0x9003.
    let mut tiff = Vec::new();
    tiff.extend(b"II*\0");
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8769u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x9003u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(20u32.to_le_bytes());
    tiff.extend(44u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(taken.as_bytes());
    tiff.push(0);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Every file of the store (content and thumbnails), and the uploads still in progress.
fn stored_files(app: &TestApp) -> (usize, usize) {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    let temp = count(&app.evidence_dir.join("tmp"));
    (count(&app.evidence_dir) - temp, temp)
}

/// An open task of group 甲组 (the demo supervisor leads it) on unit u1 (the demo liaison's), and
/// a draft finding in it. Returns (task, finding, supervisor client).
pub async fn task_with_draft(app: &TestApp) -> (Uuid, Uuid, Client) {
    let (u1, _, group_a, _) = setup(app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let created = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u1.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "open"),
                ("focus", "duty"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let task = id_of(app, "select id from inspection_task").await;
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    let draft = supervisor
        .post(&format!("/alpha/tasks/{task}/findings"), &[])
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    let finding = id_of(app, "select id from finding").await;
    assert!(draft.location().ends_with(&finding.to_string()));
    (task, finding, supervisor)
}

pub async fn item(app: &TestApp, code: &str) -> Uuid {
    id_of(
        app,
        &format!("select id from deduction_item where code = '{code}'"),
    )
    .await
}

pub async fn sign_and_submit(supervisor: &mut Client, task: Uuid) {
    let signed = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[
                ("outcome", "signed"),
                ("signer_name", "王主任"),
                ("signer_post", "办公室主任"),
                ("typed_signature", "王主任"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let submitted = supervisor
        .post(&format!("/alpha/tasks/{task}/submit"), &[])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
}

/// Saves the draft as an obstruction (X01) with the `points` proposed.
async fn save_obstruction(
    app: &TestApp,
    supervisor: &mut Client,
    finding: Uuid,
    points: &str,
) -> Page {
    let x01 = item(app, "X01").await;
    supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &x01.to_string()),
                ("description", "拖延开门二十分钟"),
                ("points", points),
            ],
        )
        .await
}

/// Files the draft as an obstruction (X01, 3 points proposed) and submits its task.
pub async fn submit_obstruction(
    app: &TestApp,
    supervisor: &mut Client,
    (task, finding): (Uuid, Uuid),
) {
    let saved = save_obstruction(app, supervisor, finding, "3").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    sign_and_submit(supervisor, task).await;
}

#[tokio::test]
async fn ins_05_and_ins_11_a_finding_with_a_photo_is_filed_signed_submitted_and_confirmed_into_the_ledger()
 {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    let d06 = item(&app, "D06").await;
    let saved = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d06.to_string()),
                ("description", "门厅未设置效能提示牌"),
                ("staff_text", "值班人员"),
                ("observed_at", "2026-11-20T09:30"),
                ("place", "一楼大厅"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let photo = jpeg(Some("2026:11:20 09:31:00"));
    let uploaded = supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("大厅.jpg", "image/jpeg", &photo)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let page = supervisor.get(&format!("/alpha/findings/{finding}")).await;
    page.assert_contains("大厅.jpg");
    // INS-09: the EXIF time is the taken-at time; a photo of the 20th sent later is late
    let (sha, taken_source, late): (String, String, bool) =
        sqlx::query_as("select sha256, taken_at_source, late from evidence where finding_id = $1")
            .bind(finding)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(taken_source, "exif");
    assert!(late);
    {
        use sha2::Digest;
        assert_eq!(sha, hex::encode(sha2::Sha256::digest(&photo)));
    }
    assert_eq!(stored_files(&app), (1, 0));
    sign_and_submit(&mut supervisor, task).await;
    // after submission nothing more is filed into the task
    let late_finding = supervisor
        .post(&format!("/alpha/tasks/{task}/findings"), &[])
        .await;
    assert_eq!(late_finding.status, StatusCode::UNPROCESSABLE_ENTITY);
    late_finding.assert_contains("该任务的检查结果已签字确认或已报送");

    let mut staff = app.logged_in("alpha", "office_staff").await;
    let queue = staff.get("/alpha/review").await;
    queue.assert_contains("门厅未设置效能提示牌");
    let review = staff.get(&format!("/alpha/findings/{finding}")).await;
    review.assert_contains("确认问题并扣分");
    let confirmed = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let (points, source): (Decimal, String) = sqlx::query_as(
        "select points, source_type from deduction where source_key = $1 and entry_kind = 'deduct'",
    )
    .bind(finding.to_string())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((points, source.as_str()), (Decimal::from(1), "finding"));
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    let unit_page = staff.get(&format!("/alpha/units/{u1}")).await;
    unit_page.assert_contains("扣分记录");
    unit_page.assert_contains("D06 未在门厅等显眼位置设置效能提示牌：门厅未设置效能提示牌");
    // INS-11: the liaison sees its unit's confirmed finding and its evidence, each view recorded
    let mut liaison = app.logged_in("alpha", "liaison").await;
    liaison
        .get("/alpha/unit-findings")
        .await
        .assert_contains("门厅未设置效能提示牌");
    let evidence = id_of(&app, "select id from evidence").await;
    let shown = liaison.get(&format!("/alpha/findings/{finding}")).await;
    shown.assert_contains("已确认");
    let content = liaison
        .get(&format!("/alpha/evidence/{evidence}/content"))
        .await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(content.header("content-type"), "image/jpeg");
    assert_eq!(
        app.scalar_i64("select count(*) from evidence_access where action = 'view'")
            .await,
        1
    );
    // timelines: the finding's and the task's history come from the audit log
    let history = staff.get(&format!("/alpha/findings/{finding}")).await;
    history.assert_contains("上传证据");
    history.assert_contains("确认问题");
    staff
        .get(&format!("/alpha/tasks/{task}"))
        .await
        .assert_contains("报送检查结果");
}

#[tokio::test]
async fn ins_14_evidence_is_never_public_and_every_view_and_download_is_recorded() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &jpeg(None))],
        )
        .await;
    let evidence = id_of(&app, "select id from evidence").await;
    let content = format!("/alpha/evidence/{evidence}/content");
    // nobody outside: a visitor is sent to log in, a liaison sees nothing before confirmation
    let anonymous = app.client().get(&content).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().contains("/login"));
    let mut liaison = app.logged_in("alpha", "liaison").await;
    assert_eq!(liaison.get(&content).await.status, StatusCode::NOT_FOUND);
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let download = staff.get(&format!("{content}?download=1")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert!(
        download
            .header("content-disposition")
            .starts_with("attachment")
    );
    assert_eq!(download.header("cache-control"), "private, no-store");
    let thumb = staff
        .get(&format!("/alpha/evidence/{evidence}/thumbnail"))
        .await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.header("content-type"), "image/jpeg");
    let ranged = {
        staff.headers.push(("range".into(), "bytes=0-9".into()));
        let page = staff.get(&content).await;
        staff.headers.pop();
        page
    };
    assert_eq!(ranged.status, StatusCode::PARTIAL_CONTENT);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select a.action, u.username from evidence_access a join app_user u on u.id = a.user_id
          order by a.at",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("download".to_string(), "office_staff".to_string()),
            ("thumbnail".to_string(), "office_staff".to_string()),
            ("view".to_string(), "office_staff".to_string()),
        ]
    );
    let page = staff.get(&format!("/alpha/evidence/{evidence}")).await;
    page.assert_contains("查看与下载记录");
    page.assert_contains("下载");
}

#[tokio::test]
async fn ins_09_bad_files_are_refused_with_a_clear_message_and_leave_nothing_behind() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let path = format!("/alpha/findings/{finding}/evidence");
    let photo = jpeg(None);
    let long_name = format!("{}.jpg", "长".repeat(1000));
    let cases: Vec<(&str, &str, &[u8], &str)> = vec![
        (
            "a.svg",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "不接受 SVG 文件",
        ),
        (
            "page.html",
            "text/html",
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "这是网页（HTML）文件",
        ),
        (
            "photo.jpg",
            "image/jpeg",
            b"<html><script>alert(1)</script></html>",
            "这是网页（HTML）文件",
        ),
        ("empty.jpg", "image/jpeg", b"", "文件是空的"),
        (
            "notes.txt",
            "text/plain",
            b"just some words",
            "无法识别的文件类型",
        ),
        (
            "../../etc/passwd.jpg",
            "image/jpeg",
            &photo,
            "文件名不能包含路径",
        ),
        (long_name.as_str(), "image/jpeg", &photo, "文件名过长"),
    ];
    for (name, kind, bytes, message) in cases {
        let refused = supervisor
            .post_files(&path, &[], &[(name, kind, bytes)])
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            refused.body
        );
        refused.assert_contains(message);
    }
    // NUL, CR and LF in a file name break the form's own header: the whole form is refused
    for name in ["a\0b.jpg", "a\r\nb.jpg"] {
        let broken = supervisor
            .post_files(&path, &[], &[(name, "image/jpeg", &photo)])
            .await;
        assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        broken.assert_contains("文件名含控制字符");
    }
    // a direction override (a name that reads "….jpg" but ends in ".exe") is named as such
    let bidi = supervisor
        .post_files(
            &path,
            &[],
            &[("photo\u{202E}gpj.exe", "image/jpeg", &photo)],
        )
        .await;
    assert_eq!(bidi.status, StatusCode::UNPROCESSABLE_ENTITY);
    bidi.assert_contains("文件名含有控制字符");
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
    assert_eq!(stored_files(&app), (0, 0));
    // a good file next to a bad one: the good one is kept, the bad one named
    let mixed = supervisor
        .post_files(
            &path,
            &[],
            &[
                ("ok.jpg", "image/jpeg", &photo),
                ("x.svg", "image/svg+xml", b"<svg></svg>"),
            ],
        )
        .await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    mixed.assert_contains("x.svg");
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 1);
    assert_eq!(stored_files(&app), (1, 0));
}

#[tokio::test]
async fn ins_09_a_file_over_the_size_limit_is_refused_and_nothing_is_kept() {
    let app = spawn_app_with(|c| c.evidence.max_bytes = 50_000).await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let mut big = jpeg(None);
    big.resize(80_000, 0);
    let refused = supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("big.jpg", "image/jpeg", &big)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("文件超过允许的大小");
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
    assert_eq!(stored_files(&app), (0, 0));
}

#[tokio::test]
async fn ins_09_an_upload_cut_off_midway_leaves_no_row_and_no_file() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let (_, finding, supervisor) = task_with_draft(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app
        .router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let cookie = supervisor.session_cookie().cloned().unwrap();
    let boundary = "cut-off-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
    );
    let total = head.len() + 20 * 1024 * 1024;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /alpha/findings/{finding}/evidence HTTP/1.1\r\nHost: {addr}\r\nCookie: xiaoneng={cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n{head}"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // an MP4 header, then 3 MiB of the 20 promised, then the phone loses its signal
    let mut mp4 = vec![0, 0, 0, 0x18];
    mp4.extend(b"ftypmp42\0\0\0\0mp42isom");
    stream.write_all(&mp4).await.unwrap();
    let chunk = vec![7u8; 64 * 1024];
    for _ in 0..48 {
        stream.write_all(&chunk).await.unwrap();
    }
    stream.flush().await.unwrap();
    // the server is writing the upload to a temporary file by now
    let mut seen_partial = false;
    for _ in 0..100 {
        if stored_files(&app).1 == 1 {
            seen_partial = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen_partial, "the upload was being written");
    drop(stream);
    let mut clean = false;
    for _ in 0..200 {
        if stored_files(&app) == (0, 0) {
            clean = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        clean,
        "the partial upload was removed: {:?}",
        stored_files(&app)
    );
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 0);
}

#[tokio::test]
async fn ins_09_evidence_rows_refuse_update_and_delete_for_every_role() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &jpeg(None))],
        )
        .await;
    let tenant = id_of(&app, "select tenant_id from evidence").await;
    // the role every request runs as
    let mut conn = app.connection().await;
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    sqlx::query(
        "select set_config('app.tenant_id', $1, true), set_config('role', 'xiaoneng_app', true)",
    )
    .bind(tenant.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    let update = sqlx::query("update evidence set original_name = 'x'")
        .execute(&mut *tx)
        .await;
    assert!(update.is_err(), "the app role cannot update evidence");
    tx.rollback().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    sqlx::query(
        "select set_config('app.tenant_id', $1, true), set_config('role', 'xiaoneng_app', true)",
    )
    .bind(tenant.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    assert!(
        sqlx::query("delete from evidence")
            .execute(&mut *tx)
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();
    // and not even the database owner: the trigger refuses
    for sql in [
        "update evidence set sha256 = repeat('0', 64)",
        "delete from evidence",
        "truncate evidence cascade",
    ] {
        let error = sqlx::query(sql).execute(&app.pool).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 1);
}

#[tokio::test]
async fn ins_11_the_database_files_findings_as_drafts_and_takes_evidence_for_drafts_only() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &jpeg(None))],
        )
        .await;
    // a finding inserted as already confirmed is refused, whoever tries
    let confirmed = sqlx::query(
        "insert into finding (tenant_id, id, task_id, unit_id, created_by, status, decided_at)
         select tenant_id, $1, task_id, unit_id, created_by, 'confirmed', now() from finding limit 1",
    )
    .bind(Uuid::now_v7())
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(
        confirmed.to_string().contains("filed as a draft"),
        "{confirmed}"
    );
    // once submitted, the finding takes no more evidence, even written straight to the table
    let d06 = item(&app, "D06").await;
    supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d06.to_string()),
                ("description", "门厅未设置效能提示牌"),
            ],
        )
        .await;
    sign_and_submit(&mut supervisor, task).await;
    let late = sqlx::query(
        "insert into evidence (tenant_id, id, finding_id, purpose, sha256, size_bytes, media_type,
                               original_name, client_type, late, storage_key, uploaded_by, client_addr)
         select tenant_id, gen_random_uuid(), finding_id, purpose, sha256, size_bytes, media_type,
                'again.jpg', client_type, late, storage_key, uploaded_by, client_addr
           from evidence where finding_id is not null limit 1",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert!(late.to_string().contains("draft finding only"), "{late}");
    assert_eq!(
        app.scalar_i64("select count(*) from evidence where finding_id is not null")
            .await,
        1
    );
}

#[tokio::test]
async fn ins_09_the_retention_job_purges_old_bytes_and_keeps_the_row_its_hash_and_a_record() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &jpeg(None))],
        )
        .await;
    let evidence = id_of(&app, "select id from evidence").await;
    let today = chrono::Utc::now().date_naive();
    let early = app.run_jobs(today + chrono::Duration::days(700)).await;
    assert_eq!(early.purged, 0, "kept for the whole retention period");
    let round = app.run_jobs(today + chrono::Duration::days(732)).await;
    assert_eq!(round.purged, 1);
    assert_eq!(stored_files(&app), (0, 0));
    assert_eq!(
        app.scalar_i64("select count(*) from evidence where length(sha256) = 64")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64("select count(*) from audit_event where action = 'evidence.purge'")
            .await,
        1
    );
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let page = staff.get(&format!("/alpha/evidence/{evidence}")).await;
    page.assert_contains("按保存期限清除");
    assert_eq!(
        staff
            .get(&format!("/alpha/evidence/{evidence}/content"))
            .await
            .status,
        StatusCode::GONE
    );
    let again = app.run_jobs(today + chrono::Duration::days(800)).await;
    assert_eq!(again.purged, 0, "each purge happens once");
}

#[tokio::test]
async fn ins_09_a_photo_sent_on_the_day_it_was_taken_is_not_late() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let now = chrono::Utc::now().timestamp_millis().to_string();
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[("taken_at_ms", &now)],
            &[("p.png", "image/png", PNG)],
        )
        .await;
    let (source, late): (String, bool) =
        sqlx::query_as("select taken_at_source, late from evidence")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((source.as_str(), late), ("client", false));
}

#[tokio::test]
async fn ins_02_a_finding_goes_only_into_the_own_groups_task_and_only_against_its_unit() {
    let app = spawn_app().await;
    let (_, u2, _, group_b) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u2.to_string()),
                ("group_id", &group_b.to_string()),
                ("kind", "covert"),
                ("method", "post_watch"),
                ("scheduled_on", "2026-12-04"),
            ],
        )
        .await;
    let other_task = id_of(&app, "select id from inspection_task").await;
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    let refused = supervisor
        .post(&format!("/alpha/tasks/{other_task}/findings"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(app.scalar_i64("select count(*) from finding").await, 0);

    let app = spawn_app().await;
    let (task, _, mut supervisor) = task_with_draft(&app).await;
    let u2 = id_of(&app, "select id from unit where code = 'u2'").await;
    let outside = supervisor
        .post(
            &format!("/alpha/tasks/{task}/findings"),
            &[("unit_id", &u2.to_string())],
        )
        .await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    outside.assert_contains("问题只能记录在本任务的被检查单位名下");
    assert_eq!(app.scalar_i64("select count(*) from finding").await, 1);
    // and the database holds to it too: a finding's unit is its task's unit
    let tenant = id_of(&app, "select tenant_id from inspection_task").await;
    let user = id_of(
        &app,
        "select id from app_user where username = 'supervisor'",
    )
    .await;
    let forced = sqlx::query(
        "insert into finding (tenant_id, id, task_id, unit_id, created_by) values ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(task)
    .bind(u2)
    .bind(user)
    .execute(&app.pool)
    .await;
    assert!(forced.is_err());
}

#[tokio::test]
async fn ins_11_a_supervisor_cannot_confirm_and_a_dismissal_needs_its_reason() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    let d07 = item(&app, "D07").await;
    supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d07.to_string()),
                ("description", "未公示投诉电话"),
            ],
        )
        .await;
    sign_and_submit(&mut supervisor, task).await;
    let by_supervisor = supervisor
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(by_supervisor.status, StatusCode::NOT_FOUND);
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let no_reason = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "dismiss"), ("reason", "  ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("不予认定须说明理由");
    let dismissed = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "dismiss"), ("reason", "照片显示已公示")],
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar_i64("select count(*) from finding where status = 'dismissed'")
            .await,
        1
    );
    assert_eq!(app.scalar_i64("select count(*) from deduction").await, 0);
    // decided once: a later confirmation is refused
    let later = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(later.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn ins_10_a_refused_sign_off_files_an_x02_finding_and_does_not_block_the_results() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post(&format!("/alpha/findings/{finding}/withdraw"), &[])
        .await;
    let no_reason = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[("outcome", "refused")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("请说明拒签情况");
    let refused = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[
                ("outcome", "refused"),
                ("refusal_reason", "负责人拒绝在检查记录上签字"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    // the refusal's X02 stays as filed, and nothing more is filed under the recorded outcome
    let x02 = id_of(
        &app,
        "select id from finding where origin = 'signoff_refusal'",
    )
    .await;
    let withdraw = supervisor
        .post(&format!("/alpha/findings/{x02}/withdraw"), &[])
        .await;
    assert_eq!(withdraw.status, StatusCode::UNPROCESSABLE_ENTITY);
    let more = supervisor
        .post(&format!("/alpha/tasks/{task}/findings"), &[])
        .await;
    assert_eq!(more.status, StatusCode::UNPROCESSABLE_ENTITY);
    more.assert_contains("已签字确认或已报送");
    let forced =
        sqlx::query("update finding set status = 'withdrawn' where origin = 'signoff_refusal'")
            .execute(&app.pool)
            .await;
    assert!(forced.is_err(), "the database keeps the X02 too");
    let submitted = supervisor
        .post(&format!("/alpha/tasks/{task}/submit"), &[])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let (code, status, origin): (String, String, String) = sqlx::query_as(
        "select i.code, f.status, f.origin from finding f join deduction_item i on i.id = f.deduction_item_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (code.as_str(), status.as_str(), origin.as_str()),
        ("X02", "submitted", "signoff_refusal")
    );
    supervisor
        .get(&format!("/alpha/tasks/{task}"))
        .await
        .assert_contains("负责人拒绝在检查记录上签字");
}

#[tokio::test]
async fn ins_10_a_drawn_signature_is_kept_as_png_evidence_of_the_task() {
    use base64::Engine;
    let app = spawn_app().await;
    let (task, _, mut supervisor) = task_with_draft(&app).await;
    let data = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(PNG)
    );
    let not_png = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(b"<svg></svg>")
    );
    let bad = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[
                ("outcome", "signed"),
                ("signer_name", "王主任"),
                ("signature", &not_png),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_files(&app), (0, 0));
    let signed = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[
                ("outcome", "signed"),
                ("signer_name", "王主任"),
                ("signature", &data),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let (purpose, media): (String, String) =
        sqlx::query_as("select purpose, media_type from evidence where task_id = $1")
            .bind(task)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((purpose.as_str(), media.as_str()), ("signature", "png"));
    let page = supervisor.get(&format!("/alpha/tasks/{task}")).await;
    page.assert_contains("查看手写签名");
    let twice = supervisor
        .post(
            &format!("/alpha/tasks/{task}/signoff"),
            &[
                ("outcome", "signed"),
                ("signer_name", "李四"),
                ("typed_signature", "李四"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn ins_08_a_confirmed_obstruction_takes_discretionary_points_and_costs_excellence() {
    let app = spawn_app().await;
    let (task, finding, mut supervisor) = task_with_draft(&app).await;
    let out_of_range = save_obstruction(&app, &mut supervisor, finding, "9").await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_beside(&out_of_range, "points", "扣分须在该项目规定的区间内。");
    out_of_range.assert_contains(r#"id="points" name="points" inputmode="decimal" value="9""#);
    out_of_range.assert_contains("拖延开门二十分钟");
    // the rest of the draft is saved; the points are not
    let (description, points): (String, Option<Decimal>) =
        sqlx::query_as("select description, points from finding")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((description.as_str(), points), ("拖延开门二十分钟", None));
    submit_obstruction(&app, &mut supervisor, (task, finding)).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let confirmed = staff
        .post(
            &format!("/alpha/findings/{finding}/decision"),
            &[("decision", "confirm"), ("points", "4")],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let points: Decimal = sqlx::query_scalar("select points from deduction")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(points, Decimal::from(4));
    let u1 = id_of(&app, "select id from unit where code = 'u1'").await;
    staff
        .get(&format!("/alpha/units/{u1}"))
        .await
        .assert_contains("2026 年度不得评为优秀");
}

#[tokio::test]
async fn ins_09_bytes_no_record_names_and_abandoned_uploads_are_swept_and_recorded_files_stay() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &jpeg(None))],
        )
        .await;
    let tenant = id_of(&app, "select tenant_id from evidence").await;
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    let stray_sha = "ab".repeat(32);
    let stray = app
        .evidence_dir
        .join(tenant.to_string())
        .join("ab")
        .join(&stray_sha);
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"left by a request that never committed").unwrap();
    let abandoned = app.evidence_dir.join("tmp").join("dead.part");
    std::fs::write(&abandoned, b"half an upload").unwrap();
    for path in [&stray, &abandoned] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
    }
    // the recorded file is as old, and stays
    let (key,): (String,) = sqlx::query_as("select storage_key from evidence")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(app.evidence_dir.join(&key))
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    app.run_jobs(chrono::Utc::now().date_naive()).await;
    assert!(!stray.exists());
    assert!(!abandoned.exists());
    assert!(app.evidence_dir.join(&key).exists());
    assert_eq!(stored_files(&app), (1, 0));
}

#[tokio::test]
async fn ins_09_a_refused_request_never_removes_bytes_another_request_placed_or_recorded() {
    use xiaoneng::evidence::{self, Received, Store, WrittenInfo};
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let tenant = id_of(&app, "select tenant_id from finding").await;
    let mut config = xiaoneng::config::Config::defaults().unwrap();
    config.evidence.dir = app.evidence_dir.clone();
    let store = Store::from_config(&config.evidence).unwrap();
    let photo = jpeg(None);
    let received = |placed| Received {
        written: WrittenInfo {
            sha256: String::new(),
            size: 0,
            media: evidence::sniff::MediaType::Jpeg,
            original_name: "p.jpg".into(),
            client_type: String::new(),
            taken_at: None,
            taken_at_source: None,
        },
        placed,
    };
    // request A places the bytes first; request B places the same bytes again
    let a = store
        .keep(tenant, store.write_all(&photo).await.unwrap())
        .await
        .unwrap();
    let b = store
        .keep(tenant, store.write_all(&photo).await.unwrap())
        .await
        .unwrap();
    assert!(a.created && !b.created);
    // A is refused and forgets what it placed: B's bytes stay
    evidence::forget(&app.pool, &store, tenant, &[received(a.clone())]).await;
    assert!(store.exists(&a.key).await);
    // and bytes a committed row records stay whoever forgets them
    supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("p.jpg", "image/jpeg", &photo)],
        )
        .await;
    let mut late = received(a.clone());
    late.placed.tag = store
        .keep(tenant, store.write_all(&photo).await.unwrap())
        .await
        .unwrap()
        .tag;
    evidence::forget(&app.pool, &store, tenant, &[late]).await;
    assert!(store.exists(&a.key).await);
    assert_eq!(app.scalar_i64("select count(*) from evidence").await, 1);
}

#[tokio::test]
async fn ins_09_the_pages_script_gets_plain_answers_it_can_show() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    supervisor.headers.push(("x-upload".into(), "1".into()));
    let refused = supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("a.svg", "image/svg+xml", b"<svg></svg>")],
        )
        .await;
    supervisor.headers.pop();
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .header("content-type")
            .starts_with("application/json")
    );
    refused.assert_contains("不接受 SVG 文件");
    supervisor.headers.push(("x-autosave".into(), "1".into()));
    let bad = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[("observed_at", "yesterday-ish")],
        )
        .await;
    supervisor.headers.pop();
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.header("content-type").starts_with("application/json"));
    bad.assert_contains("发现时间格式不正确");
}

/// The page shows `message` in red right after the field `id`, before the next field's label.
#[track_caller]
fn assert_beside(page: &Page, id: &str, message: &str) {
    let field = page.body.find(&format!(r#"id="{id}""#)).expect("the field");
    let after = &page.body[field..];
    let error = format!(r#"<p class="field-error" role="alert">{message}</p>"#);
    let at = after.find(&error).expect("the error beside its field");
    let next = after.find("<label").unwrap_or(after.len());
    assert!(
        at < next,
        "the error is beside its own field:\n{}",
        page.body
    );
}

/// The draft as stored: (item code, description, place, whether it has an observed time).
async fn stored_draft(app: &TestApp, finding: Uuid) -> (Option<String>, String, String, bool) {
    sqlx::query_as(
        "select i.code, f.description, f.place, f.observed_at is not null from finding f
           left join deduction_item i on i.id = f.deduction_item_id where f.id = $1",
    )
    .bind(finding)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn ins_09_an_autosave_with_a_future_time_saves_every_other_field_and_names_the_time() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let d06 = item(&app, "D06").await;
    supervisor.headers.push(("x-autosave".into(), "1".into()));
    let typed = [
        ("item_id", d06.to_string()),
        ("description", "窗口无人值守".to_string()),
        ("observed_at", "2099-01-01T10:00".to_string()),
        ("place", "二楼大厅".to_string()),
    ];
    let form: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let partly = supervisor
        .post(&format!("/alpha/findings/{finding}"), &form)
        .await;
    assert_eq!(partly.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        partly
            .header("content-type")
            .starts_with("application/json")
    );
    let answer: serde_json::Value = serde_json::from_str(&partly.body).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({ "errors": { "observed_at": "发现时间不能晚于现在。" } })
    );
    assert_eq!(
        stored_draft(&app, finding).await,
        (
            Some("D06".into()),
            "窗口无人值守".into(),
            "二楼大厅".into(),
            false
        ),
        "every valid field is saved; the refused time keeps its stored value (none)"
    );
    // the time corrected, the whole draft is saved and the answer names nothing
    let fixed = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d06.to_string()),
                ("description", "窗口无人值守"),
                ("observed_at", "2026-11-20T09:30"),
                ("place", "二楼大厅"),
            ],
        )
        .await;
    supervisor.headers.pop();
    assert_eq!(fixed.status, StatusCode::NO_CONTENT, "{}", fixed.body);
    assert!(stored_draft(&app, finding).await.3);
    // the refused time never wipes the stored one
    supervisor.headers.push(("x-autosave".into(), "1".into()));
    supervisor
        .post(&format!("/alpha/findings/{finding}"), &form)
        .await;
    supervisor.headers.pop();
    assert!(stored_draft(&app, finding).await.3);
}

#[tokio::test]
async fn ins_09_a_save_without_script_shows_the_refused_field_beside_it_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    let page = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("description", "叫号机故障无人处理"),
                ("observed_at", "2099-01-01T10:00"),
                ("place", "三楼"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("其余内容已保存");
    assert_beside(&page, "observed_at", "发现时间不能晚于现在。");
    page.assert_contains(r#"value="2099-01-01T10:00""#);
    page.assert_contains("叫号机故障无人处理");
    assert_eq!(
        stored_draft(&app, finding).await,
        (None, "叫号机故障无人处理".into(), "三楼".into(), false)
    );
}

#[tokio::test]
async fn ins_09_a_file_input_left_empty_is_not_a_refused_file() {
    let app = spawn_app().await;
    let (_, finding, mut supervisor) = task_with_draft(&app).await;
    // what a browser sends for a file input nobody used: no name, no bytes
    let nothing = supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("", "application/octet-stream", b"")],
        )
        .await;
    assert_eq!(nothing.status, StatusCode::SEE_OTHER, "{}", nothing.body);
    supervisor
        .get(&format!("/alpha/findings/{finding}"))
        .await
        .assert_contains("没有选择文件");
    // a file with bytes but no name is refused by name
    let unnamed = supervisor
        .post_files(
            &format!("/alpha/findings/{finding}/evidence"),
            &[],
            &[("", "image/jpeg", &jpeg(None))],
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    unnamed.assert_contains("文件名为空");
    assert_eq!(stored_files(&app), (0, 0));
}

#[tokio::test]
async fn ins_15_every_d_item_may_be_used_in_a_covert_inspection_the_typical_ones_listed_first() {
    let app = spawn_app().await;
    let (u1, _, group_a, _) = setup(&app).await;
    let mut staff = app.logged_in("alpha", "office_staff").await;
    let created = staff
        .post(
            "/alpha/years/2026/tasks",
            &[
                ("unit_id", &u1.to_string()),
                ("group_id", &group_a.to_string()),
                ("kind", "covert"),
                ("method", "mystery_visit"),
                ("scheduled_on", "2026-12-03"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let task = id_of(&app, "select id from inspection_task").await;
    let mut supervisor = app.logged_in("alpha", "supervisor").await;
    supervisor
        .post(&format!("/alpha/tasks/{task}/findings"), &[])
        .await;
    let finding = id_of(&app, "select id from finding").await;
    let page = supervisor.get(&format!("/alpha/findings/{finding}")).await;
    // D01 is typical of open inspections: offered, after the items typical of covert ones
    let d01 = page.body.find("D01 ").expect("D01 is offered");
    let d10 = page.body.find("D10 ").expect("D10 is offered");
    assert!(
        d10 < d01,
        "the items typical of a covert inspection come first"
    );
    assert!(
        !page.body.contains("S01 "),
        "the system's own item is never picked by hand"
    );
    let d01_id = item(&app, "D01").await;
    let saved = supervisor
        .post(
            &format!("/alpha/findings/{finding}"),
            &[
                ("item_id", &d01_id.to_string()),
                ("description", "暗访时发现未成立效能考评工作领导小组"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let code: String = sqlx::query_scalar(
        "select i.code from finding f join deduction_item i on i.id = f.deduction_item_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(code, "D01");
}

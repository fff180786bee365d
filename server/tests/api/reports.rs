//! Monthly reports: content, signature (checked with stock `openssl`), outbox and a real SMTP
//! server (Debian's aiosmtpd on loopback), and exactly-once under reruns, failures, crashes and
//! two instances.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::Duration;
use serde_json::{json, Value};
use statuspass_server::clock::Clock;
use statuspass_server::configuration::SmtpTls;
use statuspass_server::store::reports;

use crate::contract_test;
use crate::helpers::{code_at, spawn_app, spawn_app_with, Backend, TestApp, ORG_A, ORG_B};
use statuspass_shared::StatusKind;

/// Scans `keys`' fresh passes on behalf of `ogrn` as `staff`; returns how many were recorded.
async fn scans_on_behalf(app: &TestApp, staff: &str, ogrn: &str, keys: &[&str]) -> usize {
    let client = app.client_for(staff).await;
    let mut recorded = 0;
    for key in keys {
        let (link, _) = app.issue_pass_for(key).await;
        let body: Value = app
            .post_scan_with(&client, json!({"code": link, "on_behalf_of": ogrn}))
            .await
            .json()
            .await
            .unwrap();
        recorded += usize::from(body["recorded"] == true);
    }
    recorded
}

/// Files of a zip archive by name.
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_owned(), data)
        })
        .collect()
}

/// The zip attached to an e-mail.
fn attachment_of(eml: &[u8]) -> (String, Vec<u8>) {
    let mail = mailparse::parse_mail(eml).unwrap();
    for part in mail.parts() {
        if part.ctype.mimetype == "application/zip" {
            let name = part.get_content_disposition().params["filename"].clone();
            return (name, part.get_body_raw().unwrap());
        }
    }
    panic!("no zip attachment");
}

/// Runs stock `openssl cms -verify` on the archive's workbook; true when it verifies.
fn openssl_verifies(files: &HashMap<String, Vec<u8>>, tamper: bool) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let xlsx_name = files.keys().find(|n| n.ends_with(".xlsx")).unwrap();
    let mut xlsx = files[xlsx_name].clone();
    if tamper {
        let mid = xlsx.len() / 2;
        xlsx[mid] ^= 0x01;
    }
    let write = |name: &str, data: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    };
    let content = write("report.xlsx", &xlsx);
    let sig = write("report.xlsx.sig", &files[&format!("{xlsx_name}.sig")]);
    let cert = write("cert.pem", &files["signing-certificate.pem"]);
    Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .arg("-in")
        .arg(sig)
        .arg("-content")
        .arg(content)
        .arg("-CAfile")
        .arg(cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed")
        .success()
}

/// (scan id, OGRN) of every data row of the workbook.
fn workbook_rows(xlsx: &[u8]) -> Vec<(String, String)> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.to_vec())).unwrap();
    let range = wb.worksheet_range("Сканирования").unwrap();
    let header: Vec<String> = range
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        ["№", "ID сканирования", "ОГРН", "Дата", "Время", "Статус"]
    );
    range
        .rows()
        .skip(3)
        .filter(|r| matches!(r[0], Data::Float(_) | Data::Int(_)))
        .map(|r| (r[1].to_string(), r[2].to_string()))
        .collect()
}

/// The status column of every data row, and the «По статусам» sheet as (code, count) rows plus
/// the total.
fn workbook_kinds(xlsx: &[u8]) -> (Vec<String>, Vec<(String, f64)>, f64) {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.to_vec())).unwrap();
    let range = wb.worksheet_range("Сканирования").unwrap();
    let statuses = range
        .rows()
        .skip(3)
        .filter(|r| matches!(r[0], Data::Float(_) | Data::Int(_)))
        .map(|r| r[5].to_string())
        .collect();
    let summary = wb.worksheet_range("По статусам").unwrap();
    let rows: Vec<&[Data]> = summary.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, ["Статус", "Код статуса", "Сканирований"]);
    let per_kind = rows[1..rows.len() - 1]
        .iter()
        .map(|r| (r[1].to_string(), r[2].as_f64().unwrap()))
        .collect();
    let total = rows[rows.len() - 1];
    assert_eq!(total[0].to_string(), "Всего");
    (statuses, per_kind, total[2].as_f64().unwrap())
}

fn outbox_files(app: &TestApp) -> Vec<PathBuf> {
    let dir = app.state.settings.data_dir.join("outbox");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

contract_test!(
    forced_report_holds_exactly_the_scans_and_its_signature_verifies,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        assert_eq!(
            scans_on_behalf(
                &app,
                "staff-active",
                ORG_A,
                &["ivanov", "petrov", "sidorova"]
            )
            .await,
            3
        );
        assert_eq!(
            scans_on_behalf(&app, "staff-b", ORG_B, &["kuznetsov"]).await,
            1
        );
        app.clock.advance(Duration::seconds(1));
        let summary = app.state.reports.run_due(true).await.unwrap();
        assert_eq!(
            (summary.created, summary.sent, summary.waiting_for_email),
            (2, 1, 1)
        );

        let files = outbox_files(&app);
        assert_eq!(files.len(), 1);
        let (name, zip) = attachment_of(&std::fs::read(&files[0]).unwrap());
        assert!(
            name.starts_with(&format!("statuspass-report-{ORG_A}-")) && name.ends_with(".zip"),
            "{name}"
        );
        let files_in_zip = unzip(&zip);
        assert_eq!(files_in_zip.len(), 3, "{:?}", files_in_zip.keys());
        let xlsx = files_in_zip
            .iter()
            .find(|(n, _)| n.ends_with(".xlsx"))
            .unwrap()
            .1;
        let rows = workbook_rows(xlsx);
        assert_eq!(rows.len(), 3);
        assert!(rows
            .iter()
            .all(|(id, ogrn)| ogrn == ORG_A && uuid::Uuid::parse_str(id).is_ok()));
        assert!(
            openssl_verifies(&files_in_zip, false),
            "stock openssl accepts the signature"
        );
        assert!(
            !openssl_verifies(&files_in_zip, true),
            "one flipped byte breaks it"
        );

        // again: nothing new
        let again = app.state.reports.run_due(true).await.unwrap();
        assert_eq!((again.created, again.sent), (0, 0));
        assert_eq!(outbox_files(&app).len(), 1);

        // admins list and download it; the download is the e-mailed archive
        let admin = app.client_for("admin-a").await;
        let list: Value = app
            .get_json(&admin, &format!("/api/orgs/{ORG_A}/reports"))
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["status"], "sent");
        assert_eq!(list[0]["rows"], 3);
        let id = list[0]["id"].as_str().unwrap();
        let r = admin
            .get(app.url(&format!("/api/orgs/{ORG_A}/reports/{id}/archive")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        assert_eq!(r.bytes().await.unwrap().to_vec(), zip);
        let other = app.client_for("admin-b").await;
        let r = other
            .get(app.url(&format!("/api/orgs/{ORG_A}/reports/{id}/archive")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
);

contract_test!(
    a_report_without_contact_email_is_kept_flagged_and_sent_once_it_is_set,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        scans_on_behalf(&app, "staff-b", ORG_B, &["ivanov"]).await;
        app.clock.advance(Duration::seconds(1));
        app.state.reports.run_due(true).await.unwrap();
        let admin = app.client_for("admin-b").await;
        let reports = format!("/api/orgs/{ORG_B}/reports");
        let list = app.get_json(&admin, &reports).await;
        assert_eq!(list[0]["status"], "no_contact_email");
        assert_eq!(list[0]["rows"], 1, "built and kept");
        let r = admin
            .put(app.url(&format!("/api/orgs/{ORG_B}/contact-email")))
            .json(&json!({"email": "kassa@stadium.example.ru"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let summary = app.state.reports.run_due(false).await.unwrap();
        assert_eq!((summary.created, summary.sent), (0, 1));
        let list = app.get_json(&admin, &reports).await;
        assert_eq!(list[0]["status"], "sent");
        assert_eq!(list[0]["sent_to"], "kassa@stadium.example.ru");
        assert_eq!(
            outbox_files(&app).len(),
            2,
            "A's (empty) first report and B's"
        );
    }
);

contract_test!(
    scheduled_reports_come_every_30_days_and_cover_only_new_scans,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        scans_on_behalf(&app, "staff-active", ORG_A, &["ivanov", "petrov"]).await;
        assert_eq!(
            app.state.reports.run_due(false).await.unwrap().created,
            0,
            "not due yet"
        );
        app.clock.advance(Duration::days(30));
        let first = app.state.reports.run_due(false).await.unwrap();
        assert_eq!(
            (first.created, first.sent),
            (2, 1),
            "both organizations; B has no e-mail"
        );
        assert_eq!(app.state.reports.run_due(false).await.unwrap().created, 0);
        scans_on_behalf(&app, "staff-active", ORG_A, &["sidorova"]).await;
        app.clock.advance(Duration::days(30));
        let second = app.state.reports.run_due(false).await.unwrap();
        assert_eq!(second.created, 2);
        let files = outbox_files(&app);
        assert_eq!(files.len(), 2);
        let mut counts: Vec<usize> = files
            .iter()
            .map(|f| {
                let (_, zip) = attachment_of(&std::fs::read(f).unwrap());
                let files = unzip(&zip);
                workbook_rows(files.iter().find(|(n, _)| n.ends_with(".xlsx")).unwrap().1).len()
            })
            .collect();
        counts.sort();
        assert_eq!(counts, [1, 2]);
    }
);

contract_test!(
    a_sender_that_crashed_mid_run_is_retried_after_its_lease,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        scans_on_behalf(&app, "staff-active", ORG_A, &["ivanov"]).await;
        let db = &app.state.db;
        let now = app.clock.now();
        let ogrn = statuspass_shared::Ogrn::parse(ORG_A).unwrap();
        let start = reports::organization_created_at(db, &ogrn).await.unwrap();
        // another instance claimed and leased the report, then died before sending
        assert!(reports::claim(
            db,
            "crashed-report",
            &ogrn,
            start,
            now + Duration::seconds(1),
            now
        )
        .await
        .unwrap());
        assert!(reports::lease(
            db,
            "crashed-report",
            "dead-instance",
            now,
            now + Duration::minutes(10)
        )
        .await
        .unwrap());
        app.clock.advance(Duration::seconds(2));
        let during = app.state.reports.run_due(false).await.unwrap();
        assert_eq!(during.sent, 0, "the lease is still held");
        app.clock.advance(Duration::minutes(10));
        let after = app.state.reports.run_due(false).await.unwrap();
        assert_eq!(after.sent, 1);
        assert_eq!(app.state.reports.run_due(false).await.unwrap().sent, 0);
        assert_eq!(outbox_files(&app).len(), 1);
    }
);

/// Debian's aiosmtpd, a real SMTP server, on a loopback port, delivering into a Maildir.
struct SmtpServer {
    child: Child,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start(port: u16) -> Self {
        let maildir = tempfile::tempdir().unwrap();
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir(maildir.path().join(sub)).unwrap();
        }
        let mut child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (scripts/setup.sh test)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self { child, maildir };
            }
            std::thread::sleep(StdDuration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start");
    }

    fn messages(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.path().join("new");
        std::fs::read_dir(new)
            .map(|d| {
                d.map(|e| std::fs::read(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn use_smtp(port: u16) -> impl FnOnce(&mut statuspass_server::configuration::Settings) {
    move |s| {
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = port;
        s.smtp_tls = SmtpTls::None;
        s.smtp_timeout_secs = 5;
    }
}

fn only_message_verifies(smtp: &SmtpServer) {
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one e-mail");
    let mail = mailparse::parse_mail(&messages[0]).unwrap();
    let to = mail
        .headers
        .iter()
        .find(|h| h.get_key() == "To")
        .unwrap()
        .get_value();
    assert_eq!(to, "reports@museum.example.ru");
    let (_, zip) = attachment_of(&messages[0]);
    let files = unzip(&zip);
    assert!(openssl_verifies(&files, false));
    assert_eq!(
        workbook_rows(files.iter().find(|(n, _)| n.ends_with(".xlsx")).unwrap().1).len(),
        2
    );
}

#[tokio::test]
async fn report_arrives_through_a_real_smtp_server_after_an_outage_exactly_once() {
    let port = free_port();
    let app = spawn_app_with(Backend::Sqlite, use_smtp(port)).await;
    scans_on_behalf(&app, "staff-active", ORG_A, &["ivanov", "petrov"]).await;
    app.clock.advance(Duration::seconds(1));
    // the SMTP server is down: the report is built and kept for a retry, not marked sent
    let down = app.state.reports.run_due(true).await.unwrap();
    assert_eq!((down.created, down.sent, down.failed), (2, 0, 1));
    let admin = app.client_for("admin-a").await;
    let list: Value = app
        .get_json(&admin, &format!("/api/orgs/{ORG_A}/reports"))
        .await;
    assert_eq!(list[0]["status"], "pending");
    assert!(
        list[0]["problem"].as_str().unwrap().contains("SMTP"),
        "{}",
        list[0]
    );
    let smtp = SmtpServer::start(port);
    assert_eq!(
        app.state.reports.run_due(false).await.unwrap().sent,
        0,
        "backoff not over"
    );
    app.clock.advance(Duration::minutes(2));
    let up = app.state.reports.run_due(false).await.unwrap();
    let ogrn = statuspass_shared::Ogrn::parse(ORG_A).unwrap();
    let problem = reports::of_org(&app.state.db, &ogrn).await.unwrap()[0]
        .last_error
        .clone();
    assert_eq!(up.sent, 1, "{up:?} {problem:?}");
    assert_eq!(app.state.reports.run_due(true).await.unwrap().sent, 0);
    only_message_verifies(&smtp);
}

#[tokio::test]
async fn two_instances_on_one_postgres_send_each_report_once() {
    let port = free_port();
    let smtp = SmtpServer::start(port);
    let first = spawn_app_with(Backend::PostgresRedis, use_smtp(port)).await;
    scans_on_behalf(&first, "staff-active", ORG_A, &["ivanov", "petrov"]).await;
    let db_url = first.state.settings.database_url();
    let redis_prefix = first.state.settings.redis_prefix.clone();
    let second = spawn_app_with(Backend::PostgresRedis, move |s| {
        use_smtp(port)(s);
        s.database_url = Some(statuspass_server::configuration::Secret::new(db_url));
        s.redis_prefix = redis_prefix;
    })
    .await;
    // both clocks at the same moment, past the scans
    let lag = first.clock.now() - second.clock.now();
    second.clock.advance(lag + Duration::seconds(1));
    first.clock.advance(Duration::seconds(1));
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            first.state.reports.run_due(true),
            second.state.reports.run_due(true)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.failed + b.failed, 0);
    }
    only_message_verifies(&smtp);
    let ogrn = statuspass_shared::Ogrn::parse(ORG_A).unwrap();
    assert_eq!(
        reports::of_org(&first.state.db, &ogrn).await.unwrap().len(),
        1
    );
}

#[test]
fn outbox_dir_is_under_the_data_dir() {
    // documented location of the embedded setup's mail
    let s = statuspass_server::configuration::Settings::defaults().unwrap();
    let mailer = statuspass_server::reports::mail::Mailer::from_settings(
        &statuspass_server::configuration::Settings {
            data_dir: tempfile::tempdir().unwrap().keep(),
            ..s
        },
    )
    .unwrap();
    match mailer {
        statuspass_server::reports::mail::Mailer::Outbox(_, dir) => {
            assert!(dir.ends_with(Path::new("outbox")))
        }
        _ => panic!("embedded default writes to the outbox"),
    }
}

contract_test!(
    ledger_rows_report_and_stats_carry_the_status_kind,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let staff = app.client_for("staff-active").await;
        let scan = |code: String| {
            let (staff, app) = (staff.clone(), &app);
            async move {
                let body = app
                    .post_json(
                        &staff,
                        "/api/scan",
                        json!({"code": code, "on_behalf_of": ORG_A}),
                    )
                    .await;
                assert_eq!(body["recorded"], true, "{body}");
            }
        };
        let (svo, _) = app.issue_pass_for("ivanov").await;
        scan(svo).await;
        for (key, kind) in [
            ("kovaleva", StatusKind::Student),
            ("fedorov", StatusKind::Student),
            ("orlova", StatusKind::LargeFamily),
        ] {
            let (_, pass) = app.pass_of(key, kind).await;
            scan(code_at(&pass, app.now_ms())).await;
        }

        let ogrn = statuspass_shared::Ogrn::parse(ORG_A).unwrap();
        let from = app.clock.now() - Duration::days(1);
        let until = app.clock.now() + Duration::days(1);
        let kinds: Vec<StatusKind> = {
            use futures_util::TryStreamExt;
            let mut read = app.state.db.begin_long_read().await.unwrap();
            statuspass_server::store::ledger::stream_for_report(&mut read, &ogrn, from, until)
                .map_ok(|e| e.kind)
                .try_collect()
                .await
                .unwrap()
        };
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                StatusKind::SvoParticipant,
                StatusKind::Student,
                StatusKind::Student,
                StatusKind::LargeFamily
            ]
        );

        let admin = app.client_for("admin-a").await;
        let stats = app
            .get_json(&admin, &format!("/api/orgs/{ORG_A}/stats"))
            .await;
        assert_eq!(
            (
                &stats["today"],
                &stats["last_30_days"],
                &stats["this_month"]
            ),
            (&json!(4), &json!(4), &json!(4))
        );
        assert_eq!(
            stats["by_kind"],
            json!({"svo_participant": 1, "student": 2, "large_family": 1})
        );

        app.clock.advance(Duration::seconds(1));
        app.state.reports.run_due(true).await.unwrap();
        let files = outbox_files(&app);
        let (_, zip) = attachment_of(&std::fs::read(&files[0]).unwrap());
        let files_in_zip = unzip(&zip);
        let xlsx = files_in_zip
            .iter()
            .find(|(n, _)| n.ends_with(".xlsx"))
            .unwrap()
            .1;
        let (statuses, per_kind, total) = workbook_kinds(xlsx);
        let mut statuses_sorted = statuses.clone();
        statuses_sorted.sort();
        assert_eq!(
            statuses_sorted,
            ["многодетная семья", "студент", "студент", "участник СВО"]
        );
        assert_eq!(
            per_kind,
            [
                ("svo_participant".to_owned(), 1.0),
                ("svo_family".to_owned(), 0.0),
                ("adult".to_owned(), 0.0),
                ("student".to_owned(), 2.0),
                ("large_family".to_owned(), 1.0)
            ]
        );
        assert_eq!(total, 4.0);
        assert!(openssl_verifies(&files_in_zip, false));
        // 31 days on: the per-kind counts of the last 30 days are empty, the field stays
        app.clock.advance(Duration::days(31));
        let stats = app
            .get_json(&admin, &format!("/api/orgs/{ORG_A}/stats"))
            .await;
        assert_eq!(stats["by_kind"], json!({}));
    }
);

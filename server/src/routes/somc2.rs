//! `GET /somc2/{id}`: what a plain phone camera opens from a pass QR code. It tells the bearer
//! and the checker what to do and, on purpose, nothing about the pass: anyone holding a photo of
//! the code could open this page.

use actix_web::http::header::ContentType;
use actix_web::{web, HttpResponse};

use crate::startup::AppState;

/// The static explanation page.
#[utoipa::path(get, path = "/somc2/{id}", params(("id" = String, Path, description = "pass id")), responses((status = 200, content_type = "text/html")))]
pub async fn pass_page(state: web::Data<AppState>) -> HttpResponse {
    let scanner = format!("{}/scan", state.links.public_url());
    let body = format!(
        r#"<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QR-код подтверждения статуса</title>
<style>body{{font:18px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#111}}a{{color:#0b57d0}}</style>
</head><body>
<h1>QR-код подтверждения статуса</h1>
<p>Код подтверждает один статус по выбору владельца: участник СВО, член семьи участника СВО,
совершеннолетний, студент или многодетная семья.</p>
<p><strong>Проверяющему:</strong> этот код проверяется сканером сервиса, а не камерой телефона.
Откройте <a href="{scanner}">сканер</a>, войдите как сотрудник и наведите камеру на код.</p>
<p><strong>Владельцу кода:</strong> покажите код на экране сотруднику учреждения. Код действует
5 минут; если время истекло, получите новый. Код «Цифрового ID» меняется каждые 30 секунд:
показывайте его с экрана телефона, снимок экрана не подойдёт. Бумажные документы (справка
об участии в СВО, удостоверение ветерана боевых действий, студенческий билет, удостоверение
многодетной семьи) по-прежнему принимаются.</p>
</body></html>"#
    );
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header(("Cache-Control", "no-store"))
        // A static page: its own inline style, nothing else, never framed.
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'",
        ))
        .body(body)
}

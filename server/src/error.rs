//! The API error type: every failure a handler can return, mapped to a status and the JSON
//! `{"error", "message"}` of SPEC §10. The client gets a short Russian message; the log gets the
//! whole cause chain (which never holds personal data: see `registry::RegistryError`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use statuspass_shared::api::ApiError;

/// Every error an API handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("account not confirmed")]
    NotConfirmed,
    #[error("role {0} required")]
    Forbidden(&'static str),
    #[error("no active delegation for this organization")]
    NoActiveDelegation,
    #[error("state-changing request from another site")]
    CrossSite,
    #[error("no confirmed birth date")]
    BirthdateUnknown,
    #[error("registry unavailable")]
    RegistryUnavailable(#[source] anyhow::Error),
    #[error("storage unavailable")]
    StorageUnavailable(#[source] anyhow::Error),
    #[error("request deadline exceeded")]
    DeadlineExceeded,
    #[error("too many registry lookups")]
    TooManyLookups { retry_after_secs: i64 },
    #[error("bad request: {message}")]
    BadRequest { code: &'static str, message: String },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("not found")]
    NotFound,
    #[error("no such demo person")]
    UnknownDemoPerson,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A 400 with its own machine code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::NotConfirmed => "account_not_confirmed",
            Self::Forbidden(_) => "forbidden",
            Self::NoActiveDelegation => "no_active_delegation",
            Self::CrossSite => "cross_site_request",
            Self::BirthdateUnknown => "birthdate_unknown",
            Self::RegistryUnavailable(_) => "registry_unavailable",
            Self::StorageUnavailable(_) => "storage_unavailable",
            Self::DeadlineExceeded => "deadline_exceeded",
            Self::TooManyLookups { .. } => "too_many_lookups",
            Self::BadRequest { code, .. } => code,
            Self::PayloadTooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::UnknownDemoPerson => "unknown_demo_person",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Internal(_) => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Unauthorized => "Войдите, чтобы продолжить".into(),
            Self::NotConfirmed => "Сервис доступен только для подтверждённой учётной записи".into(),
            Self::Forbidden(_) => "Недостаточно прав для этого действия".into(),
            Self::NoActiveDelegation => {
                "Нет действующей доверенности на сканирование от имени этой организации".into()
            }
            Self::CrossSite => "Запрос с другого сайта отклонён".into(),
            Self::BirthdateUnknown => "Не удалось подтвердить совершеннолетие: в учётной записи \
                                       нет подтверждённой даты рождения"
                .into(),
            Self::RegistryUnavailable(_) => "Сервис временно недоступен, попробуйте позже".into(),
            Self::StorageUnavailable(_) => {
                "Сервис временно недоступен, попробуйте позже (хранилище)".into()
            }
            Self::DeadlineExceeded => {
                "Сервис не успел ответить, попробуйте ещё раз через несколько секунд".into()
            }
            Self::TooManyLookups { retry_after_secs } => format!(
                "Слишком много запросов подряд. Попробуйте через {} мин.",
                (retry_after_secs + 59) / 60
            ),
            Self::BadRequest { message, .. } => message.clone(),
            Self::PayloadTooLarge => "Слишком большой запрос".into(),
            Self::NotFound => "Не найдено".into(),
            Self::UnknownDemoPerson => "Нет такого демо-пользователя".into(),
            Self::MethodNotAllowed => "Этот метод здесь не поддерживается".into(),
            Self::Internal(_) => "Внутренняя ошибка сервиса".into(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotConfirmed
            | Self::Forbidden(_)
            | Self::NoActiveDelegation
            | Self::CrossSite => StatusCode::FORBIDDEN,
            Self::RegistryUnavailable(_) | Self::StorageUnavailable(_) | Self::DeadlineExceeded => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::TooManyLookups { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BirthdateUnknown => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound | Self::UnknownDemoPerson => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let source = std::error::Error::source(self).map(|s| format!("{s:#}"));
        if status.is_server_error() {
            tracing::error!(
                code = self.code(),
                cause = source.as_deref(),
                "request failed"
            );
        } else {
            tracing::info!(code = self.code(), "request refused");
        }
        let mut res = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header(("Retry-After", "5"));
        }
        if let Self::TooManyLookups { retry_after_secs } = self {
            res.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        res.json(ApiError {
            error: self.code().to_owned(),
            message: self.message(),
        })
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::StorageUnavailable(e.into())
    }
}

impl From<crate::passes::PassError> for AppError {
    fn from(e: crate::passes::PassError) -> Self {
        use crate::passes::PassError;
        use crate::registry::source::SourceError;
        match e {
            PassError::Source(SourceError::Unavailable(e)) => Self::RegistryUnavailable(e.into()),
            PassError::Source(SourceError::NoBirthDate) => Self::BirthdateUnknown,
            PassError::Store(e) => Self::StorageUnavailable(e.into()),
            PassError::Random(e) => Self::Internal(e.into()),
            PassError::TooManyLookups(wait) => Self::TooManyLookups {
                retry_after_secs: wait.num_seconds().max(1),
            },
        }
    }
}

impl From<crate::tokens::TokenKeyError> for AppError {
    fn from(e: crate::tokens::TokenKeyError) -> Self {
        use crate::tokens::TokenKeyError;
        match e {
            TokenKeyError::Store(e) => Self::StorageUnavailable(e),
            other => Self::Internal(other.into()),
        }
    }
}

//! How a failure is told: to the browser as the `AppError` it stands for (its status and a
//! message without internals), to the operator once per request, by one layer. What caused an
//! internal error (a database failure) is noted while the request runs and logged by that
//! layer with the request's method, path and status, never inside a conversion.

use crate::contract::errors::AppError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::cell::RefCell;

tokio::task_local! {
    /// What caused the current request's failures, in the order noted.
    static CAUSES: RefCell<Vec<String>>;
}

/// Notes why the current request fails, for [`log_failures`]. Outside a request (a job, the
/// start-up) it is logged at once.
pub fn note(cause: String) {
    if CAUSES.try_with(|c| c.borrow_mut().push(cause.clone())).is_err() {
        tracing::error!(cause = %cause, "failure outside a request");
    }
}

/// The layer: runs the request with a place for causes, then logs an answer of 500 or above
/// once, with what caused it.
pub async fn log_failures(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let (response, causes) = CAUSES
        .scope(RefCell::new(Vec::new()), async {
            let response = next.run(request).await;
            (response, CAUSES.with(|c| c.take()))
        })
        .await;
    let status = response.status();
    if status.is_server_error() {
        tracing::error!(%method, %path, status = status.as_u16(), causes = %causes.join("; "), "request failed");
    } else if !causes.is_empty() {
        // A failure the request got over (a retry, a fallback): worth a line, not an alarm.
        tracing::warn!(%method, %path, status = status.as_u16(), causes = %causes.join("; "), "request recovered");
    }
    response
}

/// A database failure: `internal` for the browser, its cause for the log.
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        note(format!("database: {e}"));
        AppError::Internal
    }
}

/// An error as the answer of a plain route (webhooks, the CSV export): its status and its JSON.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status_code(), axum::Json(self)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// Log lines as written, for the assertions.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_database_failure_is_internal_to_the_browser_and_logged_once_with_its_cause() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = axum::Router::new()
            .route("/orders", get(|| async { Err::<(), AppError>(AppError::from(sqlx::Error::PoolTimedOut)) }))
            .layer(axum::middleware::from_fn(log_failures));
        let response = app.oneshot(Request::get("/orders").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), 500);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("pool"), "no driver internals in the answer: {body}");
        let logged = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert_eq!(logged.matches("request failed").count(), 1, "{logged}");
        assert!(logged.contains("/orders") && logged.contains("database: pool timed out"), "{logged}");
    }
}

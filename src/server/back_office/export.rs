//! The orders of a date range as CSV, for the provider's accounting: `POST /admin/orders.csv`
//! with the admin token in the form (never in a URL, so never in a log).
//!
//! UTF-8 with a byte-order mark and a header row, one order per line, amounts in euros with
//! two decimals. German (`lang=de`) gives what German spreadsheets open without an import
//! dialog: `;` between fields and a decimal comma; English gives `,` and a decimal point.
//! The range is whole days in the browser's time zone (`offset`, minutes east of UTC), and
//! times are written in that offset.

use crate::contract::errors::AppError;
use crate::server::orders::product_names;
use crate::server::{store, AppState};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

/// More rows than this in one export is refused: a narrower range answers faster.
pub const MAX_ROWS: i64 = 100_000;

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    pub token: String,
    /// First day, `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// Minutes east of UTC; 0 when absent.
    #[serde(default)]
    pub offset: i32,
    #[serde(default)]
    pub lang: String,
}

pub async fn orders_csv(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Form(form): Form<ExportForm>,
) -> Response {
    match export(&state, client, &form).await {
        Ok((name, body)) => {
            let disposition = format!("attachment; filename=\"{name}\"");
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ASCII file name")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ];
            (StatusCode::OK, headers, body).into_response()
        }
        Err(error) => error.into_response(),
    }
}

async fn export(state: &AppState, client: SocketAddr, form: &ExportForm) -> Result<(String, String), AppError> {
    crate::server::back_office::guard::authorize(state, &form.token, client.ip(), crate::server::clock::now())?;
    let range = Range::parse(&form.from, &form.to, form.offset)?;
    let orders = store::orders::orders_between(&state.db, range.start, range.end, MAX_ROWS + 1).await?;
    if orders.len() as i64 > MAX_ROWS {
        return Err(AppError::BadRequest {
            message: format!("more than {MAX_ROWS} orders in this range: export a shorter one"),
        });
    }
    let german = form.lang.starts_with("de");
    let mut csv = Csv::new(german);
    csv.row(if german { &HEADER_DE } else { &HEADER_EN });
    for o in &orders {
        let amount = format!("{}.{:02}", o.total_cents / 100, o.total_cents % 100);
        csv.row(&[
            &o.id,
            &range.timestamp(o.created_at),
            o.host.code(),
            &o.customer_web_id,
            &o.customer_name,
            &o.user_id,
            &product_names(o).join(", "),
            &if german { amount.replace('.', ",") } else { amount },
            "EUR",
            o.status.code(),
            o.transaction_id.as_deref().unwrap_or_default(),
        ]);
    }
    Ok((format!("orders-{}-{}.csv", form.from.trim(), form.to.trim()), csv.out))
}

const HEADER_EN: [&str; 11] = [
    "order",
    "created",
    "host",
    "customer",
    "customer name",
    "user",
    "products",
    "amount",
    "currency",
    "status",
    "transaction",
];
const HEADER_DE: [&str; 11] = [
    "Bestellung",
    "Erstellt",
    "Host",
    "Kunde",
    "Kundenname",
    "Benutzer",
    "Produkte",
    "Betrag",
    "Währung",
    "Status",
    "Transaktion",
];

/// `[start, end)` in Unix seconds, and the offset its days and times are in.
#[derive(Debug, PartialEq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub offset_secs: i64,
}

impl Range {
    pub fn parse(from: &str, to: &str, offset_minutes: i32) -> Result<Range, AppError> {
        let offset_secs = offset_secs(offset_minutes)?;
        let (from_day, to_day) = (day(from, "from")?, day(to, "to")?);
        if from_day > to_day {
            return Err(bad(format!("the range starts ({from}) after it ends ({to})")));
        }
        Ok(Range { start: from_day * 86_400 - offset_secs, end: (to_day + 1) * 86_400 - offset_secs, offset_secs })
    }

    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the range's offset.
    pub fn timestamp(&self, unix: i64) -> String {
        let local = unix + self.offset_secs;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let date = date_of(days);
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        let off = self.offset_secs.abs() / 60;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            secs / 3600,
            secs % 3600 / 60,
            secs % 60,
            off / 60,
            off % 60
        )
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day(value: &str, field: &str) -> Result<i64, AppError> {
    let wrong = || bad(format!("`{field}` must be a date like 2026-11-24, not {value:?}"));
    let mut parts = value.trim().splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u16>().ok())
    };
    let (year, month, day_of_month) =
        (next(4).ok_or_else(wrong)?, next(2).ok_or_else(wrong)?, next(2).ok_or_else(wrong)?);
    let month = time::Month::try_from(month as u8).map_err(|_| wrong())?;
    let date = time::Date::from_calendar_date(i32::from(year), month, day_of_month as u8).map_err(|_| wrong())?;
    Ok(i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN)
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN: i64 = 2_440_588;

/// The date of a day counted since 1970-01-01.
pub fn date_of(day: i64) -> time::Date {
    time::Date::from_julian_day((day + UNIX_EPOCH_JULIAN) as i32).expect("a day since 1970 is a date")
}

/// A browser's offset (minutes east of UTC) in seconds; more than ±14 h is no time zone.
pub fn offset_secs(offset_minutes: i32) -> Result<i64, AppError> {
    if offset_minutes.abs() > 14 * 60 {
        return Err(bad(format!("offset {offset_minutes} is not a time zone: minutes east of UTC, at most ±840")));
    }
    Ok(i64::from(offset_minutes) * 60)
}

fn bad(message: String) -> AppError {
    AppError::BadRequest { message }
}

/// RFC 4180 rows with a chosen separator, CRLF line ends and a byte-order mark, so
/// spreadsheets read umlauts right. A cell that would start a formula gets a leading `'`.
struct Csv {
    out: String,
    separator: char,
}

impl Csv {
    fn new(german: bool) -> Self {
        Csv { out: String::from('\u{feff}'), separator: if german { ';' } else { ',' } }
    }

    fn row(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(self.separator);
            }
            let cell =
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() };
            if cell.contains([self.separator, '"', '\n', '\r']) {
                self.out.push('"');
                self.out.push_str(&cell.replace('"', "\"\""));
                self.out.push('"');
            } else {
                self.out.push_str(&cell);
            }
        }
        self.out.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_days_in_the_given_offset() {
        // 2026-11-24 00:00 UTC is 1 795 478 400.
        let utc = Range::parse("2026-11-24", "2026-11-24", 0).unwrap();
        assert_eq!((utc.start, utc.end), (1_795_478_400, 1_795_478_400 + 86_400));
        let berlin = Range::parse("2026-11-24", "2026-11-25", 60).unwrap();
        assert_eq!((berlin.start, berlin.end), (1_795_478_400 - 3600, 1_795_478_400 + 2 * 86_400 - 3600));
        assert_eq!(berlin.timestamp(1_795_478_400 - 1800), "2026-11-24T00:30:00+01:00");
        assert_eq!(
            Range::parse("2026-11-24", "2026-11-24", -90).unwrap().timestamp(1_795_478_400),
            "2026-11-23T22:30:00-01:30"
        );
    }

    #[test]
    fn bad_ranges_say_what_to_fix() {
        for (from, to, offset) in [
            ("2026-11-31", "2026-12-01", 0),
            ("24.11.2026", "2026-12-01", 0),
            ("", "2026-12-01", 0),
            ("2026-12-02", "2026-12-01", 0),
            ("2026-12-01", "2026-12-01", 900),
        ] {
            let AppError::BadRequest { message } = Range::parse(from, to, offset).unwrap_err() else { panic!() };
            assert!(!message.is_empty());
        }
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let mut csv = Csv::new(true);
        csv.row(&["Müller; Söhne", "say \"hi\"", "=HYPERLINK(\"x\")", "12,50"]);
        assert_eq!(csv.out, "\u{feff}\"Müller; Söhne\";\"say \"\"hi\"\"\";\"'=HYPERLINK(\"\"x\"\")\";12,50\r\n");
        let mut csv = Csv::new(false);
        csv.row(&["a,b", "12.50"]);
        assert_eq!(csv.out, "\u{feff}\"a,b\",12.50\r\n");
    }
}

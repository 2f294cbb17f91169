//! The provider's back office as both sides see it: signing in, and the overview of sales.
//! The sign-in token is sealed by the server (like storefront sessions) and kept by the
//! back-office page in its tab's `sessionStorage`, so a reload stays signed in and closing
//! the tab signs out.

pub mod orders;
pub mod webhooks;

use crate::browser::client::SessionClient;
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::orders::OrderStatus;
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;
use orders::OrderRow;
use serde::{Deserialize, Serialize};

/// A back-office sign-in: what the page sends instead of the admin token from then on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackOfficeSignIn {
    pub token: String,
    /// Unix seconds after which the sign-in is refused.
    pub expires_at: i64,
}

/// Trades the admin token for a sign-in of a working day (wrong tokens are limited per
/// address like everywhere else). Changing the admin token ends every sign-in.
#[server(endpoint = "admin_sign_in", client = SessionClient, output = Postcard)]
pub async fn admin_sign_in(admin_token: String) -> Result<BackOfficeSignIn, AppError> {
    use crate::server::{back_office::guard, call::handle, clock::now};
    handle(|state| async move { guard::sign_in(&state, &admin_token, crate::server::call::client(), now()) }).await
}

/// Days the overview's chart covers, today included.
pub const CHART_DAYS: usize = 30;

/// Orders and revenue of a period. Revenue counts what is sold: paid orders (`success`) and
/// requests the provider invoices (`requested`); orders count everything placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub orders: i64,
    pub revenue_cents: i64,
}

/// One local day of the chart, by host (only hosts with orders that day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    /// `YYYY-MM-DD` in the browser's time zone.
    pub date: String,
    pub by_host: Vec<(Host, Totals)>,
}

impl Day {
    pub fn total(&self) -> Totals {
        self.by_host.iter().fold(Totals::default(), |sum, (_, t)| Totals {
            orders: sum.orders + t.orders,
            revenue_cents: sum.revenue_cents + t.revenue_cents,
        })
    }
}

/// How the business is going: today, this month, where every order stands, and the last
/// [`CHART_DAYS`] days, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub today: Totals,
    pub month: Totals,
    /// Every stored order by status (what is waiting for payment now, what failed).
    pub by_status: Vec<(OrderStatus, i64)>,
    pub days: Vec<Day>,
}

/// The overview in the browser's time zone (`offset`: minutes east of UTC).
#[server(endpoint = "admin_overview", client = SessionClient, output = Postcard)]
pub async fn admin_overview(admin_token: String, offset: i32) -> Result<Overview, AppError> {
    use crate::server::back_office::{guard::with_admin, overview};
    with_admin(admin_token, |state| async move { overview::overview(&state, offset).await }).await
}

crate::codes! {
    /// What became of a payment callback.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum CallbackOutcome ("callback outcome") {
        /// Verified, and it moved the order.
        Applied = "applied",
        /// Verified, and the order already stood where it asked.
        Repeated = "repeated",
        /// Verified, but not allowed from the order's status (e.g. `success` after `error`).
        Ignored = "ignored",
        /// Not verified: wrong signature, too old, or modified. Nothing changed.
        Refused = "refused",
        /// Without any signature: kept as what the browser reported, the order unchanged.
        Reported = "reported",
        /// The provider confirmed a reported payment (`detail`: who).
        Confirmed = "confirmed",
        /// The provider cancelled a reported payment (`detail`: who).
        Cancelled = "cancelled",
    }
}

/// One line of an order's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineEntry {
    /// Created and signed for the payment popup (or requested, without payment).
    Created {
        at: i64,
    },
    /// A payment callback: `detail` is the status it asked for, or why it was refused.
    Callback {
        at: i64,
        outcome: CallbackOutcome,
        detail: String,
    },
    Status {
        at: i64,
        from: OrderStatus,
        to: OrderStatus,
        reference: Option<String>,
    },
}

/// One order as the back office shows it: the row, where it came from, and its timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub row: OrderRow,
    pub group_id: Option<String>,
    pub estate_id: Option<String>,
    pub address_id: Option<String>,
    /// Enterprise's message with a failed payment.
    pub message: Option<String>,
    /// A payment an unsigned callback reported for this pending order, for the provider to
    /// confirm or cancel against onOffice's transaction overview.
    pub reported: Option<ReportedPayment>,
    pub timeline: Vec<TimelineEntry>,
}

/// What the browser reported, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedPayment {
    pub status: OrderStatus,
    pub reference: Option<String>,
    pub at: i64,
}

/// One order with its timeline.
#[server(endpoint = "admin_order", client = SessionClient, output = Postcard)]
pub async fn admin_order(admin_token: String, id: String) -> Result<OrderDetail, AppError> {
    use crate::server::back_office::{guard::with_admin, orders};
    with_admin(admin_token, |state| async move { orders::order_detail(&state, &id).await }).await
}

/// Settles a payment the browser reported: `confirm` takes its status, otherwise the order
/// fails. Recorded in the order's timeline with who did it; the order as it stands after.
#[server(endpoint = "admin_settle_reported", client = SessionClient, output = Postcard)]
pub async fn admin_settle_reported(admin_token: String, id: String, confirm: bool) -> Result<OrderDetail, AppError> {
    use crate::server::back_office::{guard::with_admin, orders};
    with_admin(admin_token, |state| async move { orders::settle_reported(&state, &id, confirm).await }).await
}

/// A customer who activated the provider, as the back office lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub customer_web_id: String,
    /// From their latest order, when there is one.
    pub name: Option<String>,
    pub activated_at: i64,
    /// The storefront's last API read with their credentials, and onOffice's refusal if it
    /// refused them (`None`: it answered).
    pub api_checked_at: Option<i64>,
    pub api_error: Option<String>,
    pub orders: i64,
}

/// Every activated customer, latest activation first.
#[server(endpoint = "admin_customers", client = SessionClient, output = Postcard)]
pub async fn admin_customers(admin_token: String) -> Result<Vec<CustomerRow>, AppError> {
    use crate::server::back_office::{customers, guard::with_admin};
    with_admin(admin_token, |state| async move { customers::customers(&state).await }).await
}

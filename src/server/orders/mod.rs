//! Server side of orders: pricing from the catalogue, storage, the signed order message,
//! and the provider's list (the payment callback: `payment_callback`).

pub mod log;

use crate::contract::catalogue::{decimal, Catalogue, Circle, Needs};
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::lang::Lang;
use crate::contract::launch::LaunchContext;
use crate::contract::orders::{
    unmet_need, CartLine, MyOrder, OrderKind, OrderRequest, OrderStatus, PlacedOrder, MAX_CART_LINES, MAX_QUANTITY,
};
use crate::server::ids::OrderId;
use crate::server::session::Session;
use crate::server::store::{self, orders::StoredOrder};
use crate::server::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An order priced by the server, stored as JSON with the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Priced {
    Products {
        lines: Vec<PricedLine>,
    },
    /// Stored as `abo`, onOffice's word, so existing rows keep reading.
    #[serde(rename = "abo")]
    Subscription(PricedSubscription),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub product_id: String,
    pub name: String,
    pub unit_cents: i64,
    pub quantity: u32,
    pub circle: Option<Circle>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedSubscription {
    pub id: String,
    pub name: String,
    pub duration_months: u32,
    pub notice_period: String,
    pub automatic_renewal: String,
    pub monthly_cents: i64,
    pub circle: Option<Circle>,
}

impl Priced {
    /// Products: the sum of the lines; a subscription: its monthly cost.
    pub fn total_cents(&self) -> i64 {
        match self {
            Priced::Products { lines } => lines.iter().map(|l| l.unit_cents * i64::from(l.quantity)).sum(),
            Priced::Subscription(s) => s.monthly_cents,
        }
    }

    pub fn names(&self) -> Vec<String> {
        match self {
            Priced::Products { lines } => lines.iter().map(|l| format!("{} × {}", l.quantity, l.name)).collect(),
            Priced::Subscription(s) => vec![s.name.clone()],
        }
    }

    pub fn kind(&self) -> OrderKind {
        match self {
            Priced::Products { .. } => OrderKind::Products,
            Priced::Subscription(_) => OrderKind::Subscription,
        }
    }
}

/// Orders one user may create within [`ORDER_WINDOW_SECS`]; more are refused with 429.
/// Counted in the database, so the limit holds across replicas and new launches.
pub const MAX_ORDERS_PER_WINDOW: i64 = 20;
pub const ORDER_WINDOW_SECS: i64 = 600;

fn needs_ok(needs: Option<Needs>, ctx: &LaunchContext) -> Result<(), AppError> {
    match unmet_need(needs, ctx) {
        Some(Needs::Property) => Err(AppError::bad_request("This service can only be called from a property.")),
        Some(Needs::Address) => Err(AppError::bad_request("This service can only be called from an address.")),
        None => Ok(()),
    }
}

fn circle_ok(offered: &[Circle], chosen: Option<Circle>, ctx: &LaunchContext, what: &str) -> Result<(), AppError> {
    match chosen {
        None if offered.is_empty() => Ok(()),
        None => Err(AppError::bad_request(format!("choose a circle of users for `{what}`"))),
        Some(c) if !offered.contains(&c) => {
            Err(AppError::bad_request(format!("`{what}` is not offered for the circle `{}`", c.code())))
        }
        Some(Circle::Group) if ctx.group_id.is_none() => Err(AppError::bad_request("the user is in no group")),
        Some(_) => Ok(()),
    }
}

/// The cart's lines with the same product and circle merged, checked against the limits.
fn merged(lines: &[CartLine]) -> Result<Vec<CartLine>, AppError> {
    let mut merged: Vec<CartLine> = Vec::new();
    for line in lines {
        match merged.iter_mut().find(|m| m.product_id == line.product_id && m.circle == line.circle) {
            Some(m) => m.quantity = m.quantity.saturating_add(line.quantity),
            None => merged.push(line.clone()),
        }
    }
    if merged.len() > MAX_CART_LINES {
        return Err(AppError::bad_request(format!("a cart holds at most {MAX_CART_LINES} lines")));
    }
    if let Some(line) = merged.iter().find(|l| l.quantity == 0 || l.quantity > MAX_QUANTITY) {
        return Err(AppError::bad_request(format!("quantity of `{}` must be 1 to {MAX_QUANTITY}", line.product_id)));
    }
    Ok(merged)
}

/// Prices `request` from the catalogue for the session's context; refuses anything the
/// storefront would not offer.
pub fn price(catalogue: &Catalogue, ctx: &LaunchContext, request: &OrderRequest) -> Result<Priced, AppError> {
    let lang = Lang::from_user_language(ctx.user_language.as_deref());
    match request {
        OrderRequest::Products { lines } => {
            if lines.is_empty() {
                return Err(AppError::bad_request("the cart is empty"));
            }
            let mut priced = Vec::new();
            for line in merged(lines)? {
                let p = catalogue
                    .product(&line.product_id)
                    .ok_or_else(|| AppError::bad_request(format!("unknown product `{}`", line.product_id)))?;
                needs_ok(p.needs, ctx)?;
                circle_ok(&p.circles, line.circle, ctx, &p.id)?;
                priced.push(PricedLine {
                    product_id: p.id.clone(),
                    name: p.name.get(lang).to_string(),
                    unit_cents: p.price_cents,
                    quantity: line.quantity,
                    circle: line.circle,
                });
            }
            Ok(Priced::Products { lines: priced })
        }
        OrderRequest::Subscription { id, circle } => {
            let s = catalogue
                .subscription(id)
                .ok_or_else(|| AppError::bad_request(format!("unknown subscription `{id}`")))?;
            needs_ok(s.needs, ctx)?;
            circle_ok(&s.circles, *circle, ctx, &s.id)?;
            Ok(Priced::Subscription(PricedSubscription {
                id: s.id.clone(),
                name: s.name.get(lang).to_string(),
                duration_months: s.duration_months,
                notice_period: s.notice_period.get(lang).to_string(),
                automatic_renewal: s.automatic_renewal.get(lang).to_string(),
                monthly_cents: s.monthly_cents,
                circle: *circle,
            }))
        }
    }
}

/// The order message for enterprise's payment popup, signed with the JSON scheme.
pub fn order_message(priced: &Priced, callback_url: &str, parameter_cache_id: &str, now: i64, secret: &[u8]) -> String {
    let mut message = json!({
        "parametercacheid": parameter_cache_id,
        "callbackurl": callback_url,
        "timestamp": now,
    });
    match priced {
        Priced::Products { lines } => {
            message["totalprice"] = json!(decimal(priced.total_cents()));
            message["products"] = lines
                .iter()
                .map(|l| json!({"name": l.name, "price": decimal(l.unit_cents), "quantity": l.quantity, "circleofusers": l.circle.map(Circle::code)}))
                .collect();
        }
        Priced::Subscription(s) => {
            message["abo"] = json!({
                "durationinmonth": s.duration_months.to_string(),
                "noticeperiod": s.notice_period,
                "automaticrenewal": s.automatic_renewal,
                "monthlycosts": decimal(s.monthly_cents),
                "monthlyservicedescription": s.name,
                "circleofusers": s.circle.map(Circle::code),
            });
        }
    }
    signing::message::sign_message(secret, message).to_string()
}

/// Creates (or, for a known idempotency key, finds) the order and signs it. A key whose order
/// is no longer pending signs nothing: the customer could otherwise be charged twice.
pub async fn place(
    state: &AppState,
    session: &Session,
    request: OrderRequest,
    key: &str,
    now: i64,
) -> Result<PlacedOrder, AppError> {
    check_key(key)?;
    let ctx = &session.context;
    let priced = price(&state.catalogue, ctx, &request)?;
    // Scoped to the user, so keys from different users can never collide.
    let scoped_key = format!("{}:{}:{key}", ctx.customer_web_id, ctx.user_id);
    let existing = store::orders::order_by_key(&state.db, &scoped_key).await?;
    if existing.is_none() {
        within_rate(state, ctx, now).await?;
    }
    let stored = match existing {
        Some(order) => order,
        None => {
            let stored = store::orders::insert(&state.db, &new_order(ctx, &priced, scoped_key, now)).await?;
            crate::server::metrics::order("pending");
            stored
        }
    };
    let stored_priced: Priced = serde_json::from_str(&stored.items).map_err(|_| AppError::Internal)?;
    if stored_priced != priced {
        return Err(AppError::bad_request("this idempotency key was used for a different cart"));
    }
    if stored.status != OrderStatus::Pending {
        return Err(AppError::Conflict {
            message: format!(
                "order {} is already {}; start a new cart to order again",
                stored.id,
                stored.status.code()
            ),
        });
    }
    let callback = state.config.callback_url(&stored.id);
    let message = order_message(&stored_priced, &callback, &stored.parameter_cache_id, now, state.signing_secret());
    tracing::info!(order = %stored.id, customer = %stored.customer_web_id, total = stored.total_cents, "order placed");
    Ok(PlacedOrder { order_id: stored.id.into(), total_cents: stored.total_cents, message })
}

/// An idempotency key as the browser may send it: 1 to 100 characters.
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::bad_request("idempotency key must be 1 to 100 characters"));
    }
    Ok(())
}

/// What `order` bought, by name (empty when its stored items cannot be read).
pub fn product_names(order: &StoredOrder) -> Vec<String> {
    serde_json::from_str::<Priced>(&order.items).map(|p| p.names()).unwrap_or_default()
}

/// Refuses a new order when the session's user placed [`MAX_ORDERS_PER_WINDOW`] in the
/// last [`ORDER_WINDOW_SECS`].
pub async fn within_rate(state: &AppState, ctx: &LaunchContext, now: i64) -> Result<(), AppError> {
    let recent = store::orders::orders_since(
        &state.db,
        &ctx.customer_web_id.as_str().into(),
        &ctx.user_id.as_str().into(),
        now - ORDER_WINDOW_SECS,
    )
    .await?;
    if recent >= MAX_ORDERS_PER_WINDOW {
        return Err(AppError::TooManyRequests {
            message: format!(
                "at most {MAX_ORDERS_PER_WINDOW} orders per user in {} minutes; please wait a little",
                ORDER_WINDOW_SECS / 60
            ),
        });
    }
    Ok(())
}

/// A new pending onOffice order of `priced` for the session's context.
pub fn new_order(ctx: &LaunchContext, priced: &Priced, idempotency_key: String, now: i64) -> StoredOrder {
    StoredOrder {
        id: OrderId::random(),
        idempotency_key,
        customer_web_id: ctx.customer_web_id.as_str().into(),
        customer_name: ctx.customer_name.clone(),
        user_id: ctx.user_id.as_str().into(),
        group_id: ctx.group_id.clone(),
        estate_id: ctx.estate_id.clone(),
        address_id: ctx.address_id.clone(),
        parameter_cache_id: ctx.parameter_cache_id.clone(),
        user_language: ctx.user_language.clone(),
        kind: priced.kind(),
        items: serde_json::to_string(priced).expect("priced order serialises"),
        image_ids: serde_json::to_string(&ctx.image_ids).expect("list serialises"),
        total_cents: priced.total_cents(),
        status: OrderStatus::Pending,
        transaction_id: None,
        message: None,
        created_at: now,
        updated_at: now,
        host: Host::OnOffice,
        entity_type: None,
        contract_id: None,
        fulfilment: None,
        reported_status: None,
        reported_reference: None,
        reported_at: None,
    }
}

/// The session user's newest orders through onOffice, without the ones never sent to payment.
pub async fn of_user(state: &AppState, session: &Session) -> Result<Vec<MyOrder>, AppError> {
    let ctx = &session.context;
    let limit = crate::contract::orders::MY_ORDERS;
    let orders = store::orders::of_user(
        &state.db,
        Host::OnOffice,
        &ctx.customer_web_id.as_str().into(),
        &ctx.user_id.as_str().into(),
        limit,
    )
    .await?;
    Ok(orders
        .into_iter()
        .map(|o| MyOrder {
            products: product_names(&o),
            total_cents: o.total_cents,
            status: o.status,
            created_at: o.created_at,
            fulfilment: o.contract_state(),
            id: o.id.into(),
        })
        .collect())
}

//! Server side of orders: pricing from the catalogue, storage, the signed order message,
//! the payment callback and the provider's list.

use super::session::Session;
use super::storage::{self, StoredOrder};
use super::AppState;
use crate::catalogue::{decimal, Catalogue, Circle, Needs};
use crate::errors::AppError;
use crate::i18n::Lang;
use crate::launch::LaunchContext;
use crate::orders::{OrderRequest, OrderResult, OrderRow, OrderStatus, PlacedOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An order priced by the server, stored as JSON with the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Priced {
    Products { lines: Vec<PricedLine> },
    Abo(PricedAbo),
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
pub struct PricedAbo {
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
            Priced::Abo(abo) => abo.monthly_cents,
        }
    }

    pub fn names(&self) -> Vec<String> {
        match self {
            Priced::Products { lines } => lines.iter().map(|l| format!("{} × {}", l.quantity, l.name)).collect(),
            Priced::Abo(abo) => vec![abo.name.clone()],
        }
    }
}

pub const MAX_QUANTITY: u32 = 99;

fn needs_ok(needs: Option<Needs>, ctx: &LaunchContext) -> Result<(), AppError> {
    match needs {
        Some(Needs::Property) if ctx.estate_id.is_none() => Err(AppError::bad_request("This service can only be called from a property.")),
        Some(Needs::Address) if ctx.address_id.is_none() => Err(AppError::bad_request("This service can only be called from an address.")),
        _ => Ok(()),
    }
}

fn circle_ok(offered: &[Circle], chosen: Option<Circle>, ctx: &LaunchContext, what: &str) -> Result<(), AppError> {
    match chosen {
        None if offered.is_empty() => Ok(()),
        None => Err(AppError::bad_request(format!("choose a circle of users for `{what}`"))),
        Some(c) if !offered.contains(&c) => Err(AppError::bad_request(format!("`{what}` is not offered for the circle `{}`", c.code()))),
        Some(Circle::Group) if ctx.group_id.is_none() => Err(AppError::bad_request("the user is in no group")),
        Some(_) => Ok(()),
    }
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
            for line in lines {
                let p = catalogue
                    .product(&line.product_id)
                    .ok_or_else(|| AppError::bad_request(format!("unknown product `{}`", line.product_id)))?;
                if line.quantity == 0 || line.quantity > MAX_QUANTITY {
                    return Err(AppError::bad_request(format!("quantity must be 1 to {MAX_QUANTITY}")));
                }
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
            Ok(Priced::Abo(PricedAbo {
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
        Priced::Abo(abo) => {
            message["abo"] = json!({
                "durationinmonth": abo.duration_months.to_string(),
                "noticeperiod": abo.notice_period,
                "automaticrenewal": abo.automatic_renewal,
                "monthlycosts": decimal(abo.monthly_cents),
                "monthlyservicedescription": abo.name,
                "circleofusers": abo.circle.map(Circle::code),
            });
        }
    }
    signing::message::sign_message(secret, message).to_string()
}

fn internal(e: sqlx::Error) -> AppError {
    tracing::error!(error = %e, "database");
    AppError::Internal
}

/// Creates (or, for a known idempotency key, finds) the order and signs it.
pub async fn place(state: &AppState, session: &Session, request: OrderRequest, key: &str, now: i64) -> Result<PlacedOrder, AppError> {
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::bad_request("idempotency key must be 1 to 100 characters"));
    }
    let ctx = &session.context;
    let priced = price(&state.catalogue, ctx, &request)?;
    let candidate = StoredOrder {
        id: hex::encode(rand::random::<[u8; 12]>()),
        // Scoped to the user, so keys from different users can never collide.
        idempotency_key: format!("{}:{}:{key}", ctx.customer_web_id, ctx.user_id),
        customer_web_id: ctx.customer_web_id.clone(),
        customer_name: ctx.customer_name.clone(),
        user_id: ctx.user_id.clone(),
        group_id: ctx.group_id.clone(),
        estate_id: ctx.estate_id.clone(),
        address_id: ctx.address_id.clone(),
        parameter_cache_id: ctx.parameter_cache_id.clone(),
        user_language: ctx.user_language.clone(),
        kind: match priced { Priced::Products { .. } => "products", Priced::Abo(_) => "abo" }.into(),
        items: serde_json::to_string(&priced).expect("priced order serialises"),
        image_ids: serde_json::to_string(&ctx.image_ids).expect("list serialises"),
        total_cents: priced.total_cents(),
        status: OrderStatus::Pending.code().into(),
        transaction_id: None,
        message: None,
        created_at: now,
        updated_at: now,
    };
    let stored = storage::insert_order(&state.db, &candidate).await.map_err(internal)?;
    let stored_priced: Priced = serde_json::from_str(&stored.items).map_err(|_| AppError::Internal)?;
    if stored.id != candidate.id && stored_priced != priced {
        return Err(AppError::bad_request("this idempotency key was used for a different cart"));
    }
    let callback = state.config.callback_url(&stored.id);
    let message = order_message(&stored_priced, &callback, &stored.parameter_cache_id, now, state.signing_secret());
    tracing::info!(order = %stored.id, customer = %stored.customer_web_id, total = stored.total_cents, "order placed");
    Ok(PlacedOrder { order_id: stored.id, total_cents: stored.total_cents, message })
}

/// Verifies a payment callback and applies it once. Returns the order and whether the call
/// was signed (only signed calls may open a new session).
pub async fn apply_callback(state: &AppState, query: &str, now: i64) -> Result<(StoredOrder, bool), AppError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let signed = query.split('&').any(|p| p.starts_with("signature="));
    let params = if signed || !state.config.accept_unsigned_callbacks {
        let verified = state.callback_verifier.verify(query, now).map_err(|r| {
            tracing::warn!(reason = r.code(), "payment callback refused");
            AppError::LaunchRejected { reason: r.code().to_string() }
        })?;
        CallbackParams::from(|k: &str| verified.get(k).map(str::to_string))
    } else {
        let parsed = signing::php::parse_str(query).map_err(|r| AppError::LaunchRejected { reason: r.code().to_string() })?;
        CallbackParams::from(|k: &str| {
            let value = parsed.get(&signing::php::PhpKey::from(k))?.as_bytes()?;
            String::from_utf8(value.to_vec()).ok()
        })
    };
    let id = params.order.ok_or_else(|| AppError::bad_request("the callback names no order"))?;
    let status = params
        .status
        .as_deref()
        .and_then(OrderStatus::from_code)
        .filter(|s| *s != OrderStatus::Pending)
        .ok_or_else(|| AppError::bad_request("the callback has no valid status"))?;
    let order = storage::order(&state.db, &id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
    let changed = storage::finish_order(&state.db, &id, status.code(), params.reference.as_deref(), params.message.as_deref(), now)
        .await
        .map_err(internal)?;
    if changed {
        tracing::info!(order = %id, status = status.code(), "payment callback applied");
    }
    let order = if changed { storage::order(&state.db, &id).await.map_err(internal)?.unwrap_or(order) } else { order };
    Ok((order, signed))
}

struct CallbackParams {
    order: Option<String>,
    status: Option<String>,
    reference: Option<String>,
    message: Option<String>,
}

impl CallbackParams {
    fn from(get: impl Fn(&str) -> Option<String>) -> Self {
        CallbackParams {
            order: get("order"),
            status: get("status"),
            reference: get("transactionid").or_else(|| get("aboid")).filter(|s| !s.is_empty()),
            message: get("message").filter(|s| !s.is_empty()),
        }
    }
}

/// The callback view's data, with a fresh session for the refresh/close buttons.
pub async fn callback_result(state: &AppState, query: &str, now: i64) -> Result<OrderResult, AppError> {
    let (order, signed) = apply_callback(state, query, now).await?;
    let session = signed.then(|| super::launch::resume_session(state, &order, now));
    Ok(OrderResult {
        order_id: order.id.clone(),
        status: OrderStatus::from_code(&order.status).unwrap_or(OrderStatus::Pending),
        subscription: order.kind == "abo",
        reference: order.transaction_id.clone(),
        message: order.message.clone(),
        session,
    })
}

/// Checks the provider's admin token in constant time; the list is off without one.
pub fn check_admin(state: &AppState, token: &str) -> Result<(), AppError> {
    use subtle::ConstantTimeEq;
    let Some(expected) = state.config.admin_token.as_deref() else {
        return Err(AppError::NotFound);
    };
    if !bool::from(token.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(AppError::Unauthorized);
    }
    Ok(())
}

/// The provider's list of orders, newest first.
pub async fn admin_list(state: &AppState, token: &str) -> Result<Vec<OrderRow>, AppError> {
    check_admin(state, token)?;
    let orders = storage::list_orders(&state.db, 500).await.map_err(internal)?;
    Ok(orders
        .into_iter()
        .map(|o| OrderRow {
            products: serde_json::from_str::<Priced>(&o.items).map(|p| p.names()).unwrap_or_default(),
            id: o.id,
            customer_name: o.customer_name,
            customer_web_id: o.customer_web_id,
            user_id: o.user_id,
            total_cents: o.total_cents,
            status: o.status,
            reference: o.transaction_id,
            created_at: o.created_at,
        })
        .collect())
}

//! Fulfilment by contract. A product may name a Oneflow template (`oneflow_template` in the
//! catalogue); once such an order is paid (onOffice) or requested (Kolibri24), its contract
//! is created and sent through Oneflow's API by a job ([`CreateContract`], queued once per
//! order; retried like any job), and Oneflow's notifications move the
//! order's fulfilment: `creating → sent → signed | declined`.

use super::api::{ApiFailure, NewContract};
use crate::contract::errors::AppError;
use crate::contract::host::Host;
use crate::contract::orders::{Fulfilment, OrderStatus};
use crate::server::ids::OrderId;
use crate::server::jobs::{For, Job, JobContext, JobError, Queued};
use crate::server::orders::Priced;
use crate::server::store::{self, orders::StoredOrder};
use crate::server::webhooks::{Delivery, WebhookHandler};
use crate::server::AppState;
use futures::future::BoxFuture;
use serde_json::Value;

/// The template of the first product of `order` that names one.
fn template_of(state: &AppState, order: &StoredOrder) -> Option<String> {
    let Ok(Priced::Products { lines }) = serde_json::from_str::<Priced>(&order.items) else { return None };
    lines.iter().find_map(|l| state.catalogue.product(&l.product_id)?.oneflow_template.clone())
}

/// Queues the contract of a paid or requested order whose product names a template. Safe to
/// call again (a replayed callback): the job is stored once per order.
pub async fn queue_if_needed(state: &AppState, order: &StoredOrder) -> Result<(), AppError> {
    if !matches!(order.status, OrderStatus::Success | OrderStatus::Requested) {
        return Ok(());
    }
    let Some(template) = template_of(state, order) else { return Ok(()) };
    store::orders::start_fulfilment(&state.db, &order.id).await?;
    let job = CreateContract { order_id: order.id.clone(), template };
    let who = For {
        host: Host::Oneflow.code(),
        customer_web_id: order.customer_web_id.as_str(),
        user_id: order.user_id.as_str(),
    };
    state.jobs.enqueue(&job, who, crate::server::clock::now()).await.map(drop)
}

fn failed(e: ApiFailure) -> JobError {
    if e.retry {
        JobError::Retry(e.message)
    } else {
        JobError::Permanent(e.message)
    }
}

/// Creates and sends one order's contract. The contract id is stored before it is sent, so a
/// retry after a failed send sends the same contract instead of creating a second.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CreateContract {
    pub order_id: OrderId,
    /// The Oneflow template the order's product names.
    pub template: String,
}

impl Job for CreateContract {
    const NAME: &'static str = "create-contract";

    /// One contract per order.
    fn dedupe_key(&self) -> String {
        format!("oneflow-contract:{}", self.order_id)
    }

    fn run<'a>(&'a self, ctx: &'a JobContext, _: &'a Queued) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let (order_id, template) = (&self.order_id, &self.template);
            let order = store::orders::order(&ctx.db, order_id)
                .await?
                .ok_or_else(|| JobError::Permanent(format!("order {order_id} does not exist")))?;
            let api = ctx.state.config.oneflow.api.as_ref().ok_or_else(|| {
                JobError::Permanent("set MARKTSTAND_ONEFLOW_API_TOKEN and MARKTSTAND_ONEFLOW_USER_EMAIL".into())
            })?;
            let contract_id = match order.contract_id.clone() {
                Some(id) => id,
                None => {
                    let priced: Priced = serde_json::from_str(&order.items)
                        .map_err(|e| JobError::Permanent(format!("order items unreadable: {e}")))?;
                    let contract = NewContract {
                        template_id: template.to_string(),
                        data_fields: vec![
                            ("order_id".into(), order.id.to_string()),
                            ("customer_name".into(), order.customer_name.clone()),
                            ("customer_id".into(), order.customer_web_id.to_string()),
                            ("property_id".into(), order.estate_id.clone().unwrap_or_default()),
                            ("products".into(), priced.names().join(", ")),
                            ("total".into(), crate::contract::catalogue::decimal(order.total_cents)),
                        ],
                        party_name: order.customer_name.clone(),
                    };
                    let id = api.create(&contract).await.map_err(failed)?;
                    store::orders::set_contract(&ctx.db, &order.id, &id).await?;
                    id
                }
            };
            if order.contract_state().is_none_or(|f| f == Fulfilment::Creating) {
                api.publish(&contract_id).await.map_err(failed)?;
                store::orders::move_fulfilment(&ctx.db, &order.id, Fulfilment::Creating, Fulfilment::Sent).await?;
            }
            tracing::info!(order = %order.id, contract = %contract_id, "Oneflow contract sent");
            Ok(())
        })
    }
}

/// What an event type means for fulfilment. **Assumption:** Oneflow's event types
/// `contract:publish`, `contract:sign` and `contract:decline`; others change nothing.
pub fn fulfilment_after(event: &str) -> Option<Fulfilment> {
    match event {
        "contract:publish" => Some(Fulfilment::Sent),
        "contract:sign" => Some(Fulfilment::Signed),
        "contract:decline" => Some(Fulfilment::Declined),
        _ => None,
    }
}

/// Whether fulfilment may move from `from` to `to`: forward only; signed and declined are final.
pub fn can_move(from: Fulfilment, to: Fulfilment) -> bool {
    use Fulfilment::*;
    matches!((from, to), (Creating, Sent | Signed | Declined) | (Sent, Signed | Declined))
}

/// Applies a Oneflow notification's events to the order that owns its contract.
pub struct ContractEvents;

impl WebhookHandler for ContractEvents {
    fn name(&self) -> &'static str {
        "oneflow_contract"
    }

    fn handle<'a>(&'a self, ctx: &'a JobContext, d: &'a Delivery) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let contract_id = d
                .param("contract_id")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| JobError::Permanent("the notification names no contract".into()))?;
            let order: StoredOrder = store::orders::by_contract(&ctx.db, contract_id)
                .await?
                .ok_or_else(|| JobError::Permanent(format!("no order has Oneflow contract {contract_id}")))?;
            let events: Vec<&str> = d
                .value("events")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let from = order.contract_state().unwrap_or(Fulfilment::Creating);
            let to = events.iter().filter_map(|e| fulfilment_after(e)).fold(from, |at, next| {
                if can_move(at, next) {
                    next
                } else {
                    at
                }
            });
            if to != from && !store::orders::move_fulfilment(&ctx.db, &order.id, from, to).await? {
                return Err(JobError::Retry("the order's fulfilment changed meanwhile".into()));
            }
            tracing::info!(order = %order.id, contract = contract_id, fulfilment = to.code(), "Oneflow notification applied");
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fulfilment_only_moves_forward() {
        use Fulfilment::*;
        assert!(can_move(Creating, Sent) && can_move(Sent, Signed) && can_move(Creating, Declined));
        assert!(!can_move(Signed, Declined) && !can_move(Declined, Signed) && !can_move(Signed, Sent));
        assert_eq!(fulfilment_after("contract:sign"), Some(Signed));
        assert_eq!(fulfilment_after("contract:view"), None);
    }
}

//! Small reusable views. The back office's own (its lists, filters and order details) are
//! compiled only into the back-office bundle (and the server's type check), never into the
//! storefront's.

pub mod cart;
pub mod circle_picker;
pub mod context_bar;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod customer_table;
pub mod host_actions;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod order_detail;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod order_export;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod order_filter;
pub mod order_history;
pub mod problem;
pub mod product_card;
pub mod property_panel;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod sales_overview;
pub mod session;
pub mod subscription_card;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod webhook_table;

//! Small reusable views.

pub mod cart;
pub mod circle_picker;
pub mod context_bar;
pub mod customer_table;
pub mod host_actions;
pub mod order_detail;
pub mod order_export;
pub mod order_filter;
pub mod order_history;
pub mod problem;
pub mod product_card;
pub mod property_panel;
pub mod sales_overview;
pub mod session;
pub mod subscription_card;
pub mod webhook_table;

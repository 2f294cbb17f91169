//! One module per screen.

pub mod activation;
pub mod admin;
pub mod callback;
pub mod launch;
pub mod shop;
pub mod widget;

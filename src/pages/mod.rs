//! One module per screen.

pub mod admin;
pub mod callback;
pub mod shop;

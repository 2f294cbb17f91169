//! One module per screen.

pub mod activation;
pub mod back_office;
pub mod callback;
pub mod launch;
pub mod shop;
pub mod widget;

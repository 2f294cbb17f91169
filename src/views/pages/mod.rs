//! One module per screen.

#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod activation;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod back_office;
pub mod callback;
pub mod launch;
pub mod shop;
#[cfg(any(feature = "widget", feature = "ssr"))]
pub mod widget;

//! The back office: the provider's pages behind the admin token (served at `/admin`). Every
//! back-office server function goes through [`guard::with_admin`]; the CSV export, a plain
//! route, checks the same token with [`guard::authorize`].

pub mod customers;
pub mod export;
pub mod guard;
pub mod orders;
pub mod overview;
pub mod webhooks;

pub use guard::AdminGuard;

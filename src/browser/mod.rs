//! What runs only in the browser: the server-function transport, the parent window, the
//! session and checkout as signals, the back office's sign-in kept for the tab, and small
//! page helpers. Compiled for the server too (views and server functions name these types),
//! where the DOM calls are never made.

pub mod checkout;
pub mod client;
pub mod parent;
pub mod session;
#[cfg(any(feature = "back-office", feature = "ssr"))]
pub mod sign_in;
pub mod ui;

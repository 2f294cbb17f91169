//! The wire contract between the browser and the server: the types both sides share, the
//! rules that hold on both (cart limits, circles, the payment state machine) and the server
//! functions. It imports neither views nor server internals: a server function's body hands
//! its arguments to one function of `crate::server` (the server-function seam), and names the
//! browser's transport ([`crate::browser::client`]) it is called through.

pub mod activation;
pub mod back_office;
pub mod catalogue;
pub mod codec;
pub mod codes;
pub mod errors;
pub mod host;
pub mod lang;
pub mod launch;
pub mod messaging;
pub mod orders;
pub mod widget;

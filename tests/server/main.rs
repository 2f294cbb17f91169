//! The server's integration tests, one binary with a module per area: each starts real
//! servers over real HTTP with a real database ([`common`]). The signature vectors replayed at
//! the time PHP signed them are a binary of their own (`tests/vectors_http.rs`): they set the
//! process's clock.

#![cfg(feature = "ssr")]

mod activation;
mod assets;
mod back_office;
mod bounds;
mod cli;
mod common;
mod export;
mod fulfilment;
mod headers;
mod hosts;
mod idempotency;
mod input_properties;
mod launch;
mod logs;
mod metrics;
mod onoffice_api;
mod orders;
mod payments;
mod pipeline;
mod published_hosts;
mod replicas;
mod rotation;
mod storage;
mod webhooks;
mod webhooks_durability;

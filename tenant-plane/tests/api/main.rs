//! End to end: control plane and tenant plane on real Postgres, two tenants attacking each
//! other, lifecycle changes seen by a running tenant plane, and bad input on both planes.

mod bad_input;
mod helpers;
mod isolation;
mod lifecycle;

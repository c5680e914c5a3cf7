//! One module per subcommand: argument handling and wiring, no business logic.
pub mod demo;
pub mod extract;
pub mod replay;
pub mod run;
pub mod view;

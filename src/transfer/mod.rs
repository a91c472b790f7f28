//! The transfer queue: UI-agnostic, so the window and the command line drive the same engine.
//!
//! `model` is the queue as data; `engine` is the worker pool (each worker one reused session);
//! `browse` is the separate session for listings and folder operations;
//! `walk` lists folder trees; `find` searches one by name; `plan` turns a walk into items to queue; `sync` compares two walked trees into the changes that make them agree, `sync_run` walks, compares and carries the changes out; `watch` turns a watched local folder's changes into uploads; `names` turns untrusted remote names into safe local paths.

pub mod browse;
pub mod engine;
pub mod find;
pub mod limit;
pub mod model;
pub mod names;
pub mod plan;
pub mod queue;
pub mod sync;
pub mod sync_run;
pub mod walk;
pub mod watch;

pub use browse::{BrowseRequest, BrowseResult, Browser};
pub use engine::{Command, Connector, Engine, EngineConfig, Event, Totals};
pub use limit::SpeedLimit;
pub use model::{Direction, FileExistsPolicy, Item, ItemState, Job, NewItem};

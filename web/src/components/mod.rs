//! The page's components, one per file.

pub mod cluster_diagram;
pub mod error_banner;
pub mod help_overlay;
pub mod inspector;
pub mod kv_store;
pub mod link_inspector;
pub mod link_line;
pub mod log_rows;
pub mod message_glyph;
pub mod message_inspector;
pub mod node_faults;
pub mod node_glyph;
pub mod node_inspector;
pub mod progress_table;
pub mod ready_inspector;
pub mod timeline;
pub mod toolbar;

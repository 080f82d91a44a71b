//! The page's components, one per file.

pub mod clients_panel;
pub mod cluster_diagram;
pub mod dock;
pub mod error_banner;
pub mod event_log;
pub mod help_overlay;
pub mod inspector;
pub mod kv_store;
pub mod learn_list;
pub mod lesson_panel;
pub mod link_inspector;
pub mod link_line;
pub mod log_rows;
pub mod message_inspector;
pub mod message_layer;
pub mod node_faults;
pub mod node_glyph;
pub mod node_inspector;
pub mod partition_editor;
pub mod progress_table;
pub mod ready_inspector;
pub mod script_panel;
pub mod storage_threads;
pub mod timeline;
pub mod toolbar;

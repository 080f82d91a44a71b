//! Quorum arithmetic: given who acknowledged what (or who voted how), decide what a configuration
//! of voters has agreed on. Mirrors etcd raft's `quorum` package.
//!
//! A [`MajorityConfig`] is a plain set of voters; a [`JointConfig`] is the pair of majorities
//! that must both agree while a membership change is in flight. The shared vocabulary, [`Index`],
//! [`AckedIndexer`] and [`VoteResult`], lives in leaf modules that both configurations import.

mod index;
mod joint;
mod majority;
mod vote;

pub use index::{AckedIndexer, Index};
pub use joint::JointConfig;
pub use majority::MajorityConfig;
pub use vote::VoteResult;

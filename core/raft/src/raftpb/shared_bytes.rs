//! `SharedBytes`, the bytes of a message's `context`: shared rather than owned, and free when
//! empty.
//!
//! Nearly every message has an empty context, and every message is created, moved and dropped
//! on the hot path. A `Vec<u8>` took three words of each; an `Arc<[u8]>` takes two, but its empty
//! default is a shared static whose count is incremented and decremented atomically for every
//! message. This takes two words and does nothing at all when empty; when not, a heartbeat's
//! context is one allocation shared by the messages to all peers. It reads as a `&[u8]`, and
//! prints, compares, hashes and (de)serializes exactly as the `Vec<u8>` it stands for.

use std::ops::Deref;
use std::sync::Arc;

/// Bytes shared between the messages that carry them, empty without allocating. Build them
/// from a `Vec<u8>` or a slice with `.into()`.
#[derive(Clone, Default)]
pub struct SharedBytes(Option<Arc<[u8]>>);

impl Deref for SharedBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl From<Vec<u8>> for SharedBytes {
    fn from(v: Vec<u8>) -> Self {
        // Empty is always None: nothing to allocate or count.
        SharedBytes((!v.is_empty()).then(|| v.into()))
    }
}

impl From<&[u8]> for SharedBytes {
    fn from(b: &[u8]) -> Self {
        SharedBytes((!b.is_empty()).then(|| b.into()))
    }
}

super::slice_like::like_a_vec!(SharedBytes, u8);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_compares_and_serializes_as_the_vec_it_stands_for() {
        for v in [Vec::new(), b"ctx".to_vec()] {
            let b = SharedBytes::from(v.clone());
            assert_eq!(&*b, &v[..]);
            assert_eq!(b, SharedBytes::from(&v[..]));
            assert_eq!(format!("{:?}", b), format!("{:?}", v));
            assert_eq!(
                serde_json::to_string(&b).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
            let back: SharedBytes =
                serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
            assert_eq!(back, b);
        }
        assert_eq!(SharedBytes::default(), Vec::new().into());
        assert!(SharedBytes::from(Vec::new()).0.is_none());
    }
}

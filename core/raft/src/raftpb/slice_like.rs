//! What a compact stand-in for a `Vec` owes the code that used the `Vec`: it compares, hashes,
//! prints and (de)serializes exactly as the vector it stands for. One definition for every such
//! type (`SharedBytes`, `Responses`), so they cannot drift apart.

/// Implements `PartialEq`, `Eq`, `Hash`, `Debug`, `Serialize` and `Deserialize` for `$ty`, which
/// reads as a `[$elem]` (through `Deref`) and is built from a `Vec<$elem>` (through `From`), by
/// going through the slice.
macro_rules! like_a_vec {
    ($ty:ty, $elem:ty) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                **self == **other
            }
        }

        impl Eq for $ty {}

        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (**self).hash(state)
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                (**self).fmt(f)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                (**self).serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <Vec<$elem> as serde::Deserialize>::deserialize(d).map(<$ty>::from)
            }
        }
    };
}

pub(crate) use like_a_vec;

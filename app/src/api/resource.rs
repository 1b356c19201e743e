//! The pages' resources, read from JSON the way server functions read their answers.
//!
//! A resource's value travels twice: in the server-rendered page (read when the page hydrates)
//! and in a server function's answer (read when it loads again). Leptos' default codec reads
//! the first with `serde_json::from_str` and the server function the second with
//! `serde_json::from_slice`, and serde_json compiles a reader of every type for each: two
//! copies of each type's decoder in the wasm bundle. This codec reads both from bytes, so each
//! type has one. The text is the same JSON either way.
use leptos::server::codee::{Decoder, Encoder};
use serde::{Serialize, de::DeserializeOwned};

/// JSON in both directions, read with the reader server functions use.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// A page's resource (Leptos' `Resource` with the [`Json`] codec).
pub type Resource<T> = leptos::prelude::Resource<T, Json>;

/// A resource loaded while the page streams: `Resource::new` with the [`Json`] codec.
#[track_caller]
pub fn new<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// A resource the page waits for before it is sent (its title and headers depend on it):
/// `Resource::new_blocking` with the [`Json`] codec.
#[track_caller]
pub fn blocking<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_as_they_went() {
        let value: Result<Vec<(String, Option<u32>)>, String> = Ok(vec![
            ("甲状腺 \"结节\"\n".into(), Some(3)),
            ("".into(), None),
        ]);
        let text = <Json as Encoder<_>>::encode(&value).unwrap();
        assert_eq!(text, serde_json::to_string(&value).unwrap());
        let back: Result<Vec<(String, Option<u32>)>, String> =
            <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back, value);
        assert!(<Json as Decoder<Vec<u32>>>::decode("[1,").is_err());
    }
}

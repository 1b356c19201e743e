//! `multipart/related` answers (PS3.18 §8.6.1.2) streamed part by part as they are read or
//! decoded, so a study or a clip is never held in memory whole. A part that cannot be read
//! ends the body with an error rather than a short, valid-looking message.
use super::Problem;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::blobs::{Blobs, GetRange};
use futures_util::StreamExt;
use std::ops::Range;
use tokio::sync::mpsc;

type Chunk = Result<Bytes, std::io::Error>;

/// The writing end of a streamed `multipart/related` body. Every method answers `false` once
/// the client has gone (or the body has failed): the producer should stop.
pub(super) struct Parts {
    boundary: String,
    tx: mpsc::Sender<Chunk>,
}

/// A `multipart/related; type="{part_type}"` response and the writer of its parts.
pub(super) fn multipart(part_type: &str) -> (Parts, Response) {
    let boundary = format!("sonohub-{}", uuid::Uuid::now_v7().simple());
    let content_type = format!("multipart/related; type=\"{part_type}\"; boundary={boundary}");
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| Problem::Internal.into_response());
    (Parts { boundary, tx }, response)
}

impl Parts {
    fn head(&self, content_type: &str, len: u64) -> Bytes {
        Bytes::from(format!(
            "--{}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n\r\n",
            self.boundary
        ))
    }

    fn closing(&self) -> Bytes {
        Bytes::from(format!("--{}--\r\n", self.boundary))
    }

    async fn send(&self, chunk: Chunk) -> bool {
        self.tx.send(chunk).await.is_ok()
    }

    /// One part whose body is in memory.
    pub async fn part(&self, content_type: &str, body: Bytes) -> bool {
        self.send(Ok(self.head(content_type, body.len() as u64)))
            .await
            && self.send(Ok(body)).await
            && self.send(Ok(Bytes::from_static(b"\r\n"))).await
    }

    /// One part read from the blob `sha`: the whole blob, or the concatenation of `ranges`.
    pub async fn blob_part(
        &self,
        blobs: &Blobs,
        sha: &str,
        ranges: Option<&[Range<u64>]>,
        content_type: &str,
        len: u64,
    ) -> bool {
        if !self.send(Ok(self.head(content_type, len))).await {
            return false;
        }
        let reads: Vec<Option<GetRange>> = match ranges {
            Some(ranges) => ranges
                .iter()
                .map(|r| Some(GetRange::Bounded(r.clone())))
                .collect(),
            None => vec![None],
        };
        for range in reads {
            let read = match blobs.read(sha, range).await {
                Ok(Some(read)) => read,
                Ok(None) => return self.fail(sha, "stored instance has no blob").await,
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), sha, "reading a blob failed");
                    return self.fail(sha, "storage error").await;
                }
            };
            let mut chunks = read.body.into_stream();
            while let Some(chunk) = chunks.next().await {
                let failed = chunk.is_err();
                if !self.send(chunk.map_err(std::io::Error::other)).await || failed {
                    return false;
                }
            }
        }
        self.send(Ok(Bytes::from_static(b"\r\n"))).await
    }

    /// Ends the body with an error; the client sees a broken transfer, not a short answer.
    pub async fn fail(&self, sha: &str, why: &'static str) -> bool {
        tracing::error!(sha, why, "a multipart answer was cut short");
        let _ = self.send(Err(std::io::Error::other(why))).await;
        false
    }

    /// Closes the body after the last part.
    pub async fn finish(self) {
        let closing = self.closing();
        let _ = self.send(Ok(closing)).await;
    }

    /// [`Parts::part`] from blocking code (a decoder on `spawn_blocking`).
    pub fn blocking_part(&self, content_type: &str, body: Bytes) -> bool {
        let head = self.head(content_type, body.len() as u64);
        [head, body, Bytes::from_static(b"\r\n")]
            .into_iter()
            .all(|chunk| self.tx.blocking_send(Ok(chunk)).is_ok())
    }

    /// [`Parts::fail`] from blocking code.
    pub fn blocking_fail(&self, why: &'static str) {
        let _ = self.tx.blocking_send(Err(std::io::Error::other(why)));
    }

    /// [`Parts::finish`] from blocking code.
    pub fn blocking_finish(self) {
        let closing = self.closing();
        let _ = self.tx.blocking_send(Ok(closing));
    }
}

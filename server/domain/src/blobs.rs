//! The blob store: anonymised DICOM files, content-addressed by SHA-256. A local folder by
//! default, an S3-compatible object store behind `SONOHUB_BLOB_STORE=s3://bucket/prefix`.
//! Writes are atomic (the local store writes a staging file and renames it; object stores
//! publish a whole object or nothing). Only anonymised bytes ever come here.
use anyhow::{Context, Result, bail};
use bytes::Bytes;
pub use object_store::GetRange;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::sync::Arc;

/// Where the blobs live.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// "local folder …" or "s3://…", for logs.
    pub describe: String,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blobs")
            .field("describe", &self.describe)
            .finish()
    }
}

/// A blob, or the part of it a Range asked for.
pub struct BlobRead {
    /// Size of the whole blob.
    pub size: u64,
    /// The bytes served.
    pub range: Range<u64>,
    pub body: object_store::GetResult,
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True for 64 lower-case hex digits: the only names the store accepts.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn location(sha: &str) -> ObjectPath {
    ObjectPath::from(format!("{}/{}/{sha}", &sha[..2], &sha[2..4]))
}

/// Counts a failed call to the store (a missing blob is an answer, not a failure).
fn store_error(op: &'static str) {
    metrics::counter!("sonohub_blob_store_errors_total", "op" => op).increment(1);
}

impl Blobs {
    /// Blobs in a folder (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<Blobs> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the blob folder {}", dir.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Blobs {
            store: Arc::new(store),
            describe: format!("local folder {}", dir.display()),
        })
    }

    /// Blobs in an S3-compatible bucket, `s3://bucket[/prefix]`; credentials, region and
    /// endpoint come from the usual `AWS_*` variables.
    pub fn s3(url: &str) -> Result<Blobs> {
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!("blob store url must be s3://bucket[/prefix]");
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .context("configuring the S3 blob store")?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
        };
        Ok(Blobs {
            store,
            describe: url.to_string(),
        })
    }

    /// Stores `bytes` under their SHA-256 and returns it. Storing the same bytes twice keeps one.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String> {
        // Hashing half a gigabyte takes a second or more: off the threads that serve requests.
        let (sha, bytes) = tokio::task::spawn_blocking(move || (sha256_hex(&bytes), bytes)).await?;
        if self.size(&sha).await?.is_some() {
            return Ok(sha);
        }
        self.store
            .put(&location(&sha), PutPayload::from(Bytes::from(bytes)))
            .await
            .inspect_err(|_| store_error("put"))
            .with_context(|| format!("writing blob {sha}"))?;
        Ok(sha)
    }

    /// The size of a blob, `None` when there is none.
    pub async fn size(&self, sha: &str) -> Result<Option<u64>> {
        if !is_sha256(sha) {
            return Ok(None);
        }
        match self.store.head(&location(sha)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => {
                store_error("head");
                Err(e).with_context(|| format!("looking up blob {sha}"))
            }
        }
    }

    /// Reads a blob, whole or a range of it; `None` when there is none.
    pub async fn read(&self, sha: &str, range: Option<GetRange>) -> Result<Option<BlobRead>> {
        if !is_sha256(sha) {
            return Ok(None);
        }
        let options = GetOptions {
            range,
            ..GetOptions::default()
        };
        match self.store.get_opts(&location(sha), options).await {
            Ok(body) => Ok(Some(BlobRead {
                size: body.meta.size,
                range: body.range.clone(),
                body,
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => {
                store_error("get");
                Err(e).with_context(|| format!("reading blob {sha}"))
            }
        }
    }

    /// A whole blob in memory.
    pub async fn bytes(&self, sha: &str) -> Result<Option<Bytes>> {
        match self.read(sha, None).await? {
            Some(read) => Ok(Some(
                read.body
                    .bytes()
                    .await
                    .inspect_err(|_| store_error("get"))?,
            )),
            None => Ok(None),
        }
    }

    /// Deletes a blob; deleting a missing one is not an error.
    pub async fn delete(&self, sha: &str) -> Result<()> {
        if !is_sha256(sha) {
            return Ok(());
        }
        match self.store.delete(&location(sha)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => {
                store_error("delete");
                Err(e).with_context(|| format!("deleting blob {sha}"))
            }
        }
    }

    /// Every blob with its last-modified time (unix seconds).
    pub async fn list(&self) -> Result<Vec<(String, i64)>> {
        use futures_util::TryStreamExt;
        let metas: Vec<object_store::ObjectMeta> = self
            .store
            .list(None)
            .try_collect()
            .await
            .inspect_err(|_| store_error("list"))?;
        Ok(metas
            .into_iter()
            .filter_map(|m| {
                let name = m.location.filename()?.to_string();
                is_sha256(&name).then(|| (name, m.last_modified.timestamp()))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_named_by_content_and_read_back_in_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::local(dir.path()).unwrap();
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let sha = blobs.put(data.clone()).await.unwrap();
        assert_eq!(sha, sha256_hex(&data));
        assert_eq!(
            blobs.put(data.clone()).await.unwrap(),
            sha,
            "same bytes, same blob"
        );
        assert_eq!(blobs.size(&sha).await.unwrap(), Some(10_000));
        let part = blobs
            .read(&sha, Some(GetRange::Bounded(100..200)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(part.size, 10_000);
        assert_eq!(part.range, 100..200);
        assert_eq!(&part.body.bytes().await.unwrap()[..], &data[100..200]);
        let tail = blobs
            .read(&sha, Some(GetRange::Suffix(10)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&tail.body.bytes().await.unwrap()[..], &data[9_990..]);
        assert_eq!(blobs.list().await.unwrap().len(), 1);
        blobs.delete(&sha).await.unwrap();
        assert!(blobs.bytes(&sha).await.unwrap().is_none());
        // Names that are not a SHA-256 never reach the file system.
        assert!(blobs.bytes("../../etc/passwd").await.unwrap().is_none());
        // No staging file is left behind.
        let leftovers: Vec<_> = walk(dir.path());
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }
}

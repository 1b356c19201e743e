//! The server's background jobs: the import worker, the DICOM receiver, the demo library seed
//! and the housekeeping (hourly: expired sessions, old sign-in attempts, unreferenced blobs;
//! every minute: quiz attempts whose time ran out).
//! Every job stops when the server does: on SIGTERM, `Started::stop` asks them all and waits.
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The running jobs and the signal that stops them.
pub struct Jobs {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            stop: watch::channel(false).0,
            tasks: JoinSet::new(),
        }
    }
}

impl Jobs {
    /// A receiver that turns true when the server stops, for jobs that watch it themselves.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Runs `job`, which watches `stopping()` itself (the import worker, the DICOM receiver),
    /// or ends on its own (the demo seed).
    pub fn spawn(&mut self, job: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(job);
    }

    /// Runs `job` now and then every `period` until the server stops; a run in progress is
    /// abandoned at the stop (each is one idempotent statement or sweep).
    pub fn every<F, Fut>(&mut self, period: Duration, mut job: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let mut stop = self.stopping();
        self.tasks.spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = stopped(&mut stop) => return,
                    _ = tick.tick() => {
                        tokio::select! {
                            () = stopped(&mut stop) => return,
                            () = job() => {}
                        }
                    }
                }
            }
        });
    }

    /// Asks every job to stop and waits until they have.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        while let Some(done) = self.tasks.join_next().await {
            if let Err(e) = done
                && e.is_panic()
            {
                tracing::error!(error = %e, "a background job panicked");
            }
        }
    }

    /// Ends every job at once, as a crash would: nothing is finished.
    pub fn abort(mut self) {
        self.tasks.abort_all();
        self.tasks.detach_all();
    }
}

/// Resolves once the stop signal is true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn periodic_jobs_run_now_then_each_period_and_stop_with_the_server() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::default();
        let counter = runs.clone();
        jobs.every(Duration::from_secs(3600), move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let mut stopping = jobs.stopping();
        let watcher = Arc::new(AtomicUsize::new(0));
        let seen = watcher.clone();
        jobs.spawn(async move {
            let _ = stopping.wait_for(|s| *s).await;
            seen.store(1, Ordering::SeqCst);
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1, "runs at start");
        tokio::time::sleep(Duration::from_secs(2 * 3600)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "then once an hour");
        jobs.stop().await;
        assert_eq!(
            watcher.load(Ordering::SeqCst),
            1,
            "jobs that watch the signal see it"
        );
        tokio::time::sleep(Duration::from_secs(3 * 3600)).await;
        assert_eq!(
            runs.load(Ordering::SeqCst),
            3,
            "nothing runs after the stop"
        );
    }
}

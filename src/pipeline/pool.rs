//! The extraction threads: a fixed set of long-lived OS threads, one per
//! core, that run the CPU-bound work queued by the async side.
//!
//! Why not `tokio::task::spawn_blocking` behind a semaphore (the first
//! design): every article then took several thread wake-ups to hand over (a
//! permit released on one thread, the next job started on another), and the
//! worker kept only about 1.5 of 2 cores busy. Here the queue holds the next
//! jobs while the threads work, so a thread that finishes one starts the next
//! at once. The queue is unbounded, but the consumer bounds what is queued:
//! at most `--max-in-flight` messages are ever between consumer and output.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// A handle to the extraction threads. They end once every handle is gone
/// and the queued jobs are done.
#[derive(Clone)]
pub struct ExtractionPool {
    queue: mpsc::Sender<Job>,
}

/// A job gave no result: its thread is gone (process shutdown) or it
/// panicked.
#[derive(Debug, thiserror::Error)]
#[error("the extraction job did not finish")]
pub struct JobLost;

impl ExtractionPool {
    /// One thread per core.
    pub fn per_core() -> std::io::Result<ExtractionPool> {
        ExtractionPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Starts `threads` threads (at least one). Fails if the system refuses
    /// one: a worker without its extraction threads must not start, or every
    /// article would end up in the dead-letter topic.
    pub fn new(threads: usize) -> std::io::Result<ExtractionPool> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads.max(1) {
            let jobs = Arc::clone(&jobs);
            // On an error, the threads already started end with `queue`.
            std::thread::Builder::new()
                .name(format!("extract-{n}"))
                .spawn(move || run_jobs(&jobs))?;
        }
        Ok(ExtractionPool { queue })
    }

    /// Runs `job` on an extraction thread and returns its result. Callers
    /// catch their own panics; one that escapes gives [`JobLost`], and the
    /// thread goes on with the next job.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobLost> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        self.queue.send(job).map_err(|_| JobLost)?;
        result.await.map_err(|_| JobLost)
    }
}

fn run_jobs(jobs: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // Hold the lock only to take a job, not while running it.
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            Err(_) => return, // every handle is gone
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_its_threads_and_survives_a_panic() {
        let pool = ExtractionPool::new(2).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.is_some_and(|n| n.starts_with("extract-")));
        let panicked = pool.run(|| -> u32 { panic!("boom") }).await;
        assert!(panicked.is_err());
        let sums = futures::future::join_all((0..100u64).map(|i| pool.run(move || i * 2))).await;
        let total: u64 = sums.into_iter().map(Result::unwrap).sum();
        assert_eq!(total, 9_900);
    }
}

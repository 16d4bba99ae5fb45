//! The writer thread: the one PostgreSQL connection, the queue of jobs in order, and the
//! durability watermark. Writes are numbered when queued and run in batches, one transaction per
//! batch (group commit); a batch that meets a database error is retried one write per
//! transaction so that only the failing write fails; a lost connection is reopened and the
//! batch retried, so nothing queued is dropped. Reads and synchronous writes ("calls") run in
//! queue order, so they see every write queued before them.

use postgres::{Client, NoTls, Transaction};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// One queued write: re-runnable, since a lost connection makes the worker run it again.
pub(crate) type Write = Box<dyn Fn(&mut Transaction<'_>) -> Result<(), postgres::Error> + Send>;

/// One call: runs once, with the connection or the reason there is none, and answers through
/// whatever channel it captured.
pub(crate) type Call = Box<dyn FnOnce(Result<&mut Client, &str>) + Send>;

enum Job {
    Write(u64, Write),
    Call(Instant, Call),
}

/// How the writes stand, shared by the worker and every handle.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The number of the last write queued.
    queued: u64,
    /// Every write up to this number has been run: committed, or failed.
    settled: u64,
    /// Writes that failed (a database error on their own), not yet forgotten.
    failed: BTreeSet<u64>,
    /// The last failure, for the error a barrier reports.
    last_error: Option<String>,
    /// Futures waiting for `settled` to move.
    wakers: Vec<Waker>,
    /// The worker ended (the database handle was dropped, or the thread panicked).
    gone: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
    moved: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settle(&self, through: u64, failed: &[u64], error: Option<String>) {
        let wakers = {
            let mut state = self.lock();
            state.settled = state.settled.max(through);
            state.failed.extend(failed.iter().copied());
            if error.is_some() {
                state.last_error = error;
            }
            std::mem::take(&mut state.wakers)
        };
        self.moved.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }

    /// `Some` once every write in `(since, through]` has run: `Ok` when all were committed.
    fn outcome(state: &State, since: u64, through: u64) -> Option<Result<(), String>> {
        if state.failed.range(since + 1..=through).next().is_some() {
            let reason = state.last_error.clone().unwrap_or_default();
            return Some(Err(format!("a write failed: {reason}")));
        }
        if state.settled >= through {
            return Some(Ok(()));
        }
        state
            .gone
            .then(|| Err("the PostgreSQL writer stopped".to_owned()))
    }
}

/// The handle every store holds: queues jobs, and answers for durability.
#[derive(Debug)]
pub(crate) struct Worker {
    jobs: Mutex<Sender<Job>>,
    shared: Arc<Shared>,
    max_queued: u64,
    timeout: Duration,
}

/// Settings of the worker.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub url: String,
    pub max_queued: u64,
    pub timeout: Duration,
}

impl Worker {
    /// Starts the thread, which opens the connection and runs `setup` on it (the migrations)
    /// before it takes jobs: the driver runs its own event loop, so no connection is made on
    /// the caller's thread (which may be inside an async runtime).
    pub(crate) fn start<E: Send + 'static>(
        settings: Settings,
        setup: impl FnOnce(Result<&mut Client, postgres::Error>) -> Result<(), E> + Send + 'static,
    ) -> Result<Worker, E> {
        let (jobs, queue) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let running = Arc::clone(&shared);
        let url = settings.url.clone();
        let (ready, started) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("xmppkit-postgres".into())
            .spawn(move || {
                let ended = Ended(Arc::clone(&running));
                let (client, outcome) = match Client::connect(&url, NoTls) {
                    Ok(mut client) => {
                        let outcome = setup(Ok(&mut client));
                        (Some(client), outcome)
                    }
                    Err(e) => (None, setup(Err(e))),
                };
                let ok = outcome.is_ok();
                let _ = ready.send(outcome);
                if ok {
                    run(client, &url, &queue, &running);
                }
                drop(ended);
            })
            .expect("spawning the PostgreSQL writer thread");
        match started.recv() {
            Ok(Ok(())) => Ok(Worker {
                jobs: Mutex::new(jobs),
                shared,
                max_queued: settings.max_queued,
                timeout: settings.timeout,
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => panic!("the PostgreSQL writer thread ended while starting"),
        }
    }

    /// Queues a write; its number comes back. Refused when `max_queued` writes are waiting
    /// (the database is down or slower than the traffic): the caller answers with an error.
    pub(crate) fn write(&self, write: Write) -> Result<u64, String> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let mut state = self.shared.lock();
        if state.gone {
            return Err("the PostgreSQL writer stopped".into());
        }
        let waiting = state.queued - state.settled;
        if waiting >= self.max_queued {
            return Err(format!(
                "{waiting} writes wait for PostgreSQL (the most is {})",
                self.max_queued
            ));
        }
        state.queued += 1;
        let seq = state.queued;
        jobs.send(Job::Write(seq, write))
            .map_err(|_| "the PostgreSQL writer stopped".to_owned())?;
        Ok(seq)
    }

    /// Runs `f` on the connection after every job queued before it and waits for its answer,
    /// at most the configured timeout (then the call is skipped if it has not started).
    pub(crate) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, String> {
        let (answer, answered) = mpsc::sync_channel(1);
        let call: Call = Box::new(move |client| {
            let result = match client {
                Ok(client) => f(client).map_err(|e| describe(&e)),
                Err(reason) => Err(reason.to_owned()),
            };
            let _ = answer.send(result);
        });
        let deadline = Instant::now() + self.timeout;
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(Job::Call(deadline, call))
            .map_err(|_| "the PostgreSQL writer stopped".to_owned())?;
        match answered.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "PostgreSQL did not answer within {:?}",
                self.timeout
            )),
            Err(RecvTimeoutError::Disconnected) => Err("the PostgreSQL writer stopped".into()),
        }
    }

    /// The number of the last write queued.
    pub(crate) fn queued(&self) -> u64 {
        self.shared.lock().queued
    }

    /// Resolves once the writes in `(since, through]` have run.
    pub(crate) fn durable(&self, since: u64, through: u64) -> Durable {
        Durable {
            shared: Arc::clone(&self.shared),
            since,
            through,
        }
    }

    /// Blocks until the writes in `(since, through]` have run, or `timeout`.
    pub(crate) fn wait(&self, since: u64, through: u64, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        loop {
            if let Some(outcome) = Shared::outcome(&state, since, through) {
                return outcome;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("PostgreSQL did not commit within {timeout:?}"));
            }
            state = self
                .shared
                .moved
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// Marks the worker gone when its thread ends, however it ends.
struct Ended(Arc<Shared>);

impl Drop for Ended {
    fn drop(&mut self) {
        let wakers = {
            let mut state = self.0.lock();
            state.gone = true;
            std::mem::take(&mut state.wakers)
        };
        self.0.moved.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// The future of [`Database::durable`](crate::Database::durable): `Ok` once the writes it covers are committed, `Err` when
/// one of them failed.
#[derive(Debug)]
pub struct Durable {
    shared: Arc<Shared>,
    since: u64,
    through: u64,
}

impl Future for Durable {
    type Output = Result<(), String>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.shared.lock();
        match Shared::outcome(&state, self.since, self.through) {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                state.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The most writes in one transaction.
const BATCH: usize = 512;

fn run(mut client: Option<Client>, url: &str, queue: &Receiver<Job>, shared: &Shared) {
    let mut next: Option<Job> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        match job {
            Job::Call(deadline, call) => {
                if Instant::now() > deadline {
                    // Its caller stopped waiting: a late write must not happen behind its back.
                    continue;
                }
                match connection(&mut client, url) {
                    Ok(c) => call(Ok(c)),
                    Err(reason) => call(Err(&reason)),
                }
            }
            Job::Write(seq, write) => {
                let mut batch = vec![(seq, write)];
                while batch.len() < BATCH {
                    match queue.try_recv() {
                        Ok(Job::Write(seq, write)) => batch.push((seq, write)),
                        Ok(call) => {
                            next = Some(call);
                            break;
                        }
                        Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                    }
                }
                let (failed, error) = commit(&mut client, url, &batch);
                let through = batch.last().map_or(seq, |(s, _)| *s);
                shared.settle(through, &failed, error);
            }
        }
    }
}

/// The open connection, reopened when it was lost.
fn connection<'a>(client: &'a mut Option<Client>, url: &str) -> Result<&'a mut Client, String> {
    if client.as_ref().is_some_and(Client::is_closed) {
        *client = None;
    }
    if client.is_none() {
        *client = Some(Client::connect(url, NoTls).map_err(|e| format!("PostgreSQL: {e}"))?);
    }
    Ok(client.as_mut().expect("just opened"))
}

/// What the server said (its message and SQLSTATE), or what the driver did.
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

/// Whether `e` means the connection is gone (so the same write may succeed on a new one).
fn lost(e: &postgres::Error) -> bool {
    e.is_closed() || e.as_db_error().is_none()
}

/// Commits `batch` in one transaction; on a database error, each write in its own. Retries a
/// lost connection until it is back. Returns the writes that failed and the last error.
fn commit(
    client: &mut Option<Client>,
    url: &str,
    batch: &[(u64, Write)],
) -> (Vec<u64>, Option<String>) {
    let mut pause = Duration::from_millis(50);
    let mut retry = || {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(2));
    };
    // The whole batch at once.
    loop {
        let Ok(c) = connection(client, url) else {
            retry();
            continue;
        };
        match run_all(c, batch.iter().map(|(_, w)| w)) {
            Ok(()) => return (Vec::new(), None),
            Err(e) if lost(&e) => retry(),
            Err(_) => break,
        }
    }
    // One at a time: only the writes that fail on their own fail.
    let (mut failed, mut error) = (Vec::new(), None);
    for (seq, write) in batch {
        loop {
            let Ok(c) = connection(client, url) else {
                retry();
                continue;
            };
            match run_all(c, std::iter::once(write)) {
                Ok(()) => break,
                Err(e) if lost(&e) => retry(),
                Err(e) => {
                    failed.push(*seq);
                    error = Some(describe(&e));
                    break;
                }
            }
        }
    }
    (failed, error)
}

fn run_all<'a>(
    client: &mut Client,
    writes: impl Iterator<Item = &'a Write>,
) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    for write in writes {
        write(&mut tx)?;
    }
    tx.commit()
}

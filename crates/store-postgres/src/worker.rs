//! The writer thread: the one PostgreSQL connection, the queue of jobs in order, and the
//! durability watermark. Writes are numbered when queued and run in batches, one transaction per
//! batch (group commit); a batch that meets a database error is retried one write per
//! transaction so that only the failing write fails; a lost connection is reopened and the
//! batch retried, so nothing queued is dropped. Each transaction also records the number of its
//! last write under this writer's name (`write_marks`), so that a batch whose COMMIT lost its
//! connection is looked up, not run again: a message is never archived or stored offline twice. Reads and synchronous writes ("calls") run in
//! queue order, so they see every write queued before them.

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// One queued write: re-runnable, since a lost connection makes the worker run it again.
pub(crate) type Write = Box<dyn Fn(&mut Tx<'_, '_>) -> Result<(), postgres::Error> + Send>;

/// A row among others of its kind: consecutive rows of one kind in a batch are written by one
/// statement (one round trip for many archived messages).
pub(crate) struct BatchRow {
    /// The kind: rows of the same kind go together.
    pub kind: &'static str,
    /// Writes rows of this kind, in order.
    pub insert: fn(&mut Tx<'_, '_>, &[&RowData]) -> Result<(), postgres::Error>,
    /// This row.
    pub data: RowData,
}

/// A row's values, for its kind's `insert` to read back.
pub(crate) type RowData = Box<dyn std::any::Any + Send>;

/// What the writer runs.
enum Queued {
    Run(Write),
    Row(BatchRow),
}

/// The statements prepared on the current connection, by their SQL: a write's statements are
/// parsed and planned once per connection, not once per write.
#[derive(Default)]
struct Statements(HashMap<String, Statement>);

/// The transaction a write runs in, with the connection's prepared statements.
pub(crate) struct Tx<'a, 'b> {
    tx: &'a mut Transaction<'b>,
    statements: &'a mut Statements,
}

impl Tx<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.0.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs `sql` (prepared once per connection); the number of rows it changed.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.statement(sql)?;
        self.tx.execute(&statement, params)
    }

    /// The row `sql` returns, if any.
    pub(crate) fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.tx.query_opt(&statement, params)
    }
}

/// One call: runs once, with the connection or the reason there is none, and answers through
/// whatever channel it captured.
pub(crate) type Call = Box<dyn FnOnce(Result<&mut Client, &str>) + Send>;

enum Job {
    Write(u64, Queued),
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
    /// What the writer did so far.
    stats: Stats,
}

/// What the writer did so far, for an operator's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Transactions committed with a batch of writes.
    pub batches: u64,
    /// Writes committed.
    pub committed: u64,
    /// Batches that met a database error and were retried one write per transaction.
    pub split: u64,
    /// Writes that failed on their own.
    pub failed: u64,
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

    fn settle(&self, through: u64, written: usize, outcome: &Outcome) {
        let (failed, error) = (&outcome.failed, outcome.error.clone());
        let wakers = {
            let mut state = self.lock();
            state.stats.batches += 1;
            state.stats.split += u64::from(outcome.split);
            state.stats.failed += failed.len() as u64;
            state.stats.committed += (written - failed.len()) as u64;
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
        self.queue(Queued::Run(write))
    }

    /// Queues a row, written with the rows of its kind around it; its number comes back.
    pub(crate) fn write_row(&self, row: BatchRow) -> Result<u64, String> {
        self.queue(Queued::Row(row))
    }

    fn queue(&self, write: Queued) -> Result<u64, String> {
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

    /// What the writer did so far.
    pub(crate) fn stats(&self) -> Stats {
        self.shared.lock().stats
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
    let mut statements = Statements::default();
    let writer = Writer::named();
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
                match connection(&mut client, &mut statements, url) {
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
                let outcome = commit(&mut client, &mut statements, url, &writer, &batch);
                let through = batch.last().map_or(seq, |(s, _)| *s);
                shared.settle(through, batch.len(), &outcome);
            }
        }
    }
}

/// The open connection, reopened when it was lost (its prepared statements with it).
fn connection<'a>(
    client: &'a mut Option<Client>,
    statements: &mut Statements,
    url: &str,
) -> Result<&'a mut Client, String> {
    if client.as_ref().is_some_and(Client::is_closed) {
        *client = None;
    }
    if client.is_none() {
        statements.0.clear();
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

impl Outcome {
    /// The whole batch committed in one transaction.
    fn committed() -> Outcome {
        Outcome {
            failed: Vec::new(),
            error: None,
            split: false,
        }
    }
}

/// How a batch went.
struct Outcome {
    /// The writes that failed on their own.
    failed: Vec<u64>,
    /// The last error.
    error: Option<String>,
    /// Whether the batch was split into one transaction per write.
    split: bool,
}

/// This writer thread's name in `write_marks`: unique per thread and process start.
struct Writer(String);

impl Writer {
    fn named() -> Writer {
        static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Writer(format!("{}-{since_epoch}-{n}", std::process::id()))
    }

    /// Whether this writer's transaction that ended with write `through` was committed: asked
    /// after a connection was lost, when its COMMIT may have happened without our hearing.
    fn committed(&self, client: &mut Client, through: u64) -> Result<bool, postgres::Error> {
        let row = client.query_opt(
            "SELECT through FROM write_marks WHERE writer = $1",
            &[&self.0],
        )?;
        let mark = row.map_or(-1, |r| r.get::<_, i64>(0));
        Ok(mark >= i64::try_from(through).unwrap_or(i64::MAX))
    }
}

/// Commits `batch` in one transaction; on a database error, each write in its own. Retries a
/// lost connection until it is back, first asking whether the lost transaction was committed.
fn commit(
    client: &mut Option<Client>,
    statements: &mut Statements,
    url: &str,
    writer: &Writer,
    batch: &[(u64, Queued)],
) -> Outcome {
    let mut pause = Duration::from_millis(50);
    let mut retry = || {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(2));
    };
    let through = batch.last().map_or(0, |(seq, _)| *seq);
    let mut in_doubt = false;
    // The whole batch at once.
    loop {
        let Ok(c) = connection(client, statements, url) else {
            retry();
            continue;
        };
        if in_doubt {
            match writer.committed(c, through) {
                Ok(true) => return Outcome::committed(),
                Ok(false) => {}
                Err(_) => {
                    retry();
                    continue;
                }
            }
        }
        match run_all(c, statements, writer, through, batch.iter().map(|(_, w)| w)) {
            Ok(()) => return Outcome::committed(),
            Err(e) if lost(&e) => {
                in_doubt = true;
                retry()
            }
            Err(_) => break,
        }
    }
    // One at a time: only the writes that fail on their own fail.
    let (mut failed, mut error) = (Vec::new(), None);
    for (seq, write) in batch {
        let mut in_doubt = false;
        loop {
            let Ok(c) = connection(client, statements, url) else {
                retry();
                continue;
            };
            if in_doubt {
                match writer.committed(c, *seq) {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(_) => {
                        retry();
                        continue;
                    }
                }
            }
            match run_all(c, statements, writer, *seq, std::iter::once(write)) {
                Ok(()) => break,
                Err(e) if lost(&e) => {
                    in_doubt = true;
                    retry()
                }
                Err(e) => {
                    failed.push(*seq);
                    error = Some(describe(&e));
                    break;
                }
            }
        }
    }
    Outcome {
        failed,
        error,
        split: true,
    }
}

/// Runs `writes` (the last numbered `through`) in one transaction with this writer's mark.
fn run_all<'a>(
    client: &mut Client,
    statements: &mut Statements,
    writer: &Writer,
    through: u64,
    writes: impl Iterator<Item = &'a Queued>,
) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    {
        let mut tx = Tx {
            tx: &mut tx,
            statements,
        };
        let mut rows: Vec<&BatchRow> = Vec::new();
        for write in writes {
            match write {
                Queued::Row(row) => {
                    if rows.first().is_some_and(|r| r.kind != row.kind) {
                        insert(&mut tx, &rows)?;
                        rows.clear();
                    }
                    rows.push(row);
                }
                Queued::Run(run) => {
                    insert(&mut tx, &rows)?;
                    rows.clear();
                    run(&mut tx)?;
                }
            }
        }
        insert(&mut tx, &rows)?;
        tx.execute(
            "INSERT INTO write_marks (writer, through) VALUES ($1, $2) \
             ON CONFLICT (writer) DO UPDATE SET through = EXCLUDED.through, at = now()",
            &[&writer.0, &i64::try_from(through).unwrap_or(i64::MAX)],
        )?;
    }
    tx.commit()
}

/// Writes `rows` (all of one kind) with their kind's statement.
fn insert(tx: &mut Tx<'_, '_>, rows: &[&BatchRow]) -> Result<(), postgres::Error> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let data: Vec<&RowData> = rows.iter().map(|r| &r.data).collect();
    (first.insert)(tx, &data)
}

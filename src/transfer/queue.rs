//! The transfer queue as a state machine: commands and worker reports in, effects out. No
//! threads, no sockets, no files and no clock of its own (the caller passes `now`), so every
//! rule of the queue is a plain function call a unit test can drive, and the engine around it
//! only adds threads and I/O.
//!
//! Everything a worker does per file is O(log n) in the size of the queue: items are kept in
//! id order (ids only grow) and found by binary search, the queued items wait in a priority
//! set, items in a retry backoff wait in a time-ordered set, and the totals are kept up to date
//! item by item instead of being summed again. A 100 000-file folder claims its last file as
//! fast as its first.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::model::{Direction, FileExistsPolicy, Item, ItemState, Job, NewItem};
use super::names;
use crate::ftp::ErrorClass;

/// What the front end asks of the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Queue a job of items.
    Add {
        /// Shown to the user.
        label: String,
        /// Its file-exists policy.
        on_exists: FileExistsPolicy,
        /// The files.
        items: Vec<NewItem>,
    },
    /// Stop an item and remove its partial data.
    Cancel(u64),
    /// Stop every unfinished item.
    CancelAll,
    /// Stop an item, keeping its partial data.
    Pause(u64),
    /// Queue a paused item again.
    Resume(u64),
    /// Queue a failed or cancelled item again (and allow connecting again after a refused
    /// login or certificate).
    Retry(u64),
    /// Answer a file-exists question; `for_job` applies it to the rest of the job.
    Answer {
        /// The item that asked.
        item: u64,
        /// What to do (anything but `Ask`).
        decision: FileExistsPolicy,
        /// Apply to every later question of the same job.
        for_job: bool,
    },
    /// Move an item to run before or after others.
    SetPriority(u64, i32),
    /// Forget finished items.
    ClearFinished,
}

/// What the engine tells the front end. Events carry their data: a front end never has to ask
/// the engine for a copy of the queue to understand one.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A job was queued: its items, in queue order.
    Added {
        /// The job (its label: "Download /www to ~/site").
        job: Job,
        /// Its items.
        items: Vec<Item>,
    },
    /// An item changed state.
    State {
        /// The item.
        id: u64,
        /// Its new state.
        state: ItemState,
        /// Why, for failures and retries.
        error: Option<String>,
    },
    /// Progress of an active item, at most ~10 times a second per item.
    Progress {
        /// The item.
        id: u64,
        /// Bytes of the target written so far.
        bytes_done: u64,
        /// Its size, if known.
        total: Option<u64>,
        /// Moving average, bytes per second.
        speed: f64,
        /// Seconds left at that speed, when both are known.
        eta: Option<f64>,
    },
    /// The target exists and the policy is Ask: the item waits for a [`Command::Answer`].
    Question {
        /// The item.
        id: u64,
        /// The target that exists.
        target: String,
        /// Its size.
        existing_size: Option<u64>,
        /// The source's size.
        source_size: Option<u64>,
    },
    /// A line for the log.
    Log(String),
    /// Totals over the queue, after every item that finishes.
    Totals(Totals),
    /// The server refused a further connection because it has too many, while this many of
    /// the engine's connections were open: what the server allows. A front end can remember it
    /// for the site. Sent once per new number.
    ConnectionLimit(usize),
    /// Items were forgotten ([`Command::ClearFinished`]).
    Removed(Vec<u64>),
    /// Nothing left to do: every item is finished, paused or asking.
    Idle,
}

/// The queue in numbers, for a status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Items in the queue.
    pub items: usize,
    /// Items finished (done, skipped, failed or cancelled).
    pub finished: usize,
    /// Items that failed.
    pub failed: usize,
    /// Bytes of all items whose size is known.
    pub bytes: u64,
    /// Bytes written so far (finished items count whole).
    pub bytes_done: u64,
}

impl Totals {
    /// What one item adds to the totals.
    fn of(item: &Facts) -> Totals {
        let finished = item.state.is_finished();
        let lost = matches!(item.state, ItemState::Failed | ItemState::Cancelled);
        Totals {
            items: 1,
            finished: usize::from(finished),
            failed: usize::from(item.state == ItemState::Failed),
            bytes: item.size.unwrap_or(0),
            bytes_done: match (finished, lost) {
                (true, true) => 0,
                (true, false) => item.size.unwrap_or(item.bytes_done),
                (false, _) => item.bytes_done,
            },
        }
    }

    fn add(&mut self, t: Totals) {
        self.items += t.items;
        self.finished += t.finished;
        self.failed += t.failed;
        self.bytes = self.bytes.saturating_add(t.bytes);
        self.bytes_done = self.bytes_done.saturating_add(t.bytes_done);
    }

    fn sub(&mut self, t: Totals) {
        self.items -= t.items;
        self.finished -= t.finished;
        self.failed -= t.failed;
        self.bytes = self.bytes.saturating_sub(t.bytes);
        self.bytes_done = self.bytes_done.saturating_sub(t.bytes_done);
    }
}

/// What the queue asks its caller to do: tell the front end, or touch the disk.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// Send this to the front end.
    Event(Event),
    /// Raise the stop flag of this active item (its worker stops and reports).
    Stop(u64),
    /// Delete this partial file (a cancelled download).
    RemovePartial(PathBuf),
    /// Delete this partial file if it is empty (a failed download that never got data).
    RemoveEmptyPartial(PathBuf),
}

/// Why no worker may connect now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blocked {
    pub error: String,
    pub class: ErrorClass,
}

/// How one attempt ended, as the worker saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    Skipped(String),
    Asking {
        existing_size: Option<u64>,
    },
    Stopped,
    /// Worth another attempt.
    Retry(String, ErrorClass),
    /// Will not get better by retrying.
    Fail(String, ErrorClass),
}

impl Outcome {
    /// The outcome of an engine error: retried or not by its class.
    pub(crate) fn from_error(message: String, class: ErrorClass) -> Outcome {
        if class.is_retryable() {
            Outcome::Retry(message, class)
        } else {
            Outcome::Fail(message, class)
        }
    }
}

/// An item a worker has claimed, with what it needs to move it.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub item: Item,
    pub policy: FileExistsPolicy,
}

/// The rules the queue applies that come from the configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// Attempts after the first before an item fails.
    pub retries: u32,
    /// Wait before the first retry; doubled each time, at most 30 s.
    pub backoff: Duration,
}

impl Rules {
    fn backoff(&self, failures: u32) -> Duration {
        self.backoff
            .saturating_mul(1 << failures.saturating_sub(1).min(5))
            .min(Duration::from_secs(30))
    }
}

/// Bytes an attempt must have moved for its failure not to count as one of the retries.
pub(crate) const FREE_RETRY_PROGRESS: u64 = 64 * 1024;

/// The queue and everything the engine decides with it.
#[derive(Debug)]
pub(crate) struct Queue {
    rules: Rules,
    /// Every item, in id order (ids only grow, so pushing keeps the order).
    items: Vec<Item>,
    jobs: Vec<Job>,
    next_id: u64,
    /// Queued items that may start now: highest priority first, then queue order.
    ready: BTreeSet<(Reverse<i32>, u64)>,
    /// Queued items waiting out a retry backoff, earliest first.
    backoff: BTreeSet<(Instant, u64)>,
    /// The end of each item's backoff (the key into `backoff`).
    not_before: HashMap<u64, Instant>,
    /// Active items the user stopped, and as what (paused, cancelled, or back to the queue
    /// at shutdown).
    stopping: HashMap<u64, ItemState>,
    /// Per-item answers to file-exists questions.
    answers: HashMap<u64, FileExistsPolicy>,
    /// Items whose next attempt must start over (the server's copy failed its checksum).
    restart: HashSet<u64>,
    /// Where each item's last attempt started (bytes already there), to tell a flaky line
    /// from a failing file.
    starts: HashMap<u64, u64>,
    totals: Totals,
    queued: usize,
    active: usize,
    /// Workers holding a logged-in session.
    sessions: usize,
    /// Set when connecting failed for a reason retrying cannot fix (login, certificate, TLS),
    /// or failed too often with no session open: queued items fail with it, and no worker
    /// connects until the user retries.
    blocked: Option<Blocked>,
    /// Connection attempts that failed in a row.
    connect_failures: u32,
    /// Workers without a session wait until then before connecting again.
    connect_not_before: Option<Instant>,
    /// The connection limit last reported ([`Event::ConnectionLimit`]).
    limit_reported: Option<usize>,
    idle_reported: bool,
    /// Changed since the last save.
    dirty: bool,
}

impl Queue {
    /// An empty queue.
    pub(crate) fn new(rules: Rules) -> Queue {
        Queue {
            rules,
            items: Vec::new(),
            jobs: Vec::new(),
            next_id: 1,
            ready: BTreeSet::new(),
            backoff: BTreeSet::new(),
            not_before: HashMap::new(),
            stopping: HashMap::new(),
            answers: HashMap::new(),
            restart: HashSet::new(),
            starts: HashMap::new(),
            totals: Totals::default(),
            queued: 0,
            active: 0,
            sessions: 0,
            blocked: None,
            connect_failures: 0,
            connect_not_before: None,
            limit_reported: None,
            idle_reported: false,
            dirty: false,
        }
    }

    /// A saved queue: interrupted items go back to the queue (their partial files are
    /// continued).
    pub(crate) fn restore(rules: Rules, jobs: Vec<Job>, mut items: Vec<Item>) -> Queue {
        let mut queue = Queue::new(rules);
        items.sort_by_key(|i| i.id);
        items.dedup_by_key(|i| i.id);
        queue.next_id = items
            .iter()
            .map(|i| i.id)
            .chain(jobs.iter().map(|j| j.id))
            .max()
            .unwrap_or(0)
            + 1;
        queue.jobs = jobs;
        queue.jobs.sort_by_key(|j| j.id);
        for mut item in items {
            if item.state == ItemState::Active {
                item.state = ItemState::Queued;
            }
            queue.enter(&Facts::of(&item));
            queue.items.push(item);
        }
        queue
    }

    // ---- reading ------------------------------------------------------------------------

    /// Every item, in queue order.
    pub(crate) fn items(&self) -> &[Item] {
        &self.items
    }

    /// Every job.
    pub(crate) fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// The item with this id.
    pub(crate) fn item(&self, id: u64) -> Option<&Item> {
        self.position(id).map(|p| &self.items[p])
    }

    /// The queue in numbers.
    pub(crate) fn totals(&self) -> Totals {
        self.totals
    }

    /// Nothing queued and nothing moving.
    pub(crate) fn is_idle(&self) -> bool {
        self.active == 0 && self.queued == 0
    }

    /// Why connecting is not allowed, if it is not.
    pub(crate) fn blocked(&self) -> Option<&Blocked> {
        self.blocked.as_ref()
    }

    /// Changed since the last [`Queue::saved`].
    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The caller has written the queue to disk.
    pub(crate) fn saved(&mut self) {
        self.dirty = false;
    }

    /// How long a worker (with or without a session) may sleep before something it waits
    /// for is due: the earliest backoff.
    pub(crate) fn next_wake(&self, has_session: bool, now: Instant) -> Option<Duration> {
        let retry = self.backoff.first().map(|(t, _)| *t);
        let connect = self.connect_not_before.filter(|_| !has_session);
        [retry, connect]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t.saturating_duration_since(now))
    }

    // ---- the invariants -----------------------------------------------------------------

    fn position(&self, id: u64) -> Option<usize> {
        self.items.binary_search_by_key(&id, |i| i.id).ok()
    }

    /// Counts a new item in (totals, ready set).
    fn enter(&mut self, item: &Facts) {
        self.totals.add(Totals::of(item));
        if item.state == ItemState::Queued {
            self.queued += 1;
            match self.not_before.get(&item.id) {
                Some(t) => {
                    self.backoff.insert((*t, item.id));
                }
                None => {
                    self.ready.insert((Reverse(item.priority), item.id));
                }
            }
        }
    }

    /// Counts an item out (before it changes or goes).
    fn leave(&mut self, item: &Facts) {
        self.totals.sub(Totals::of(item));
        if item.state == ItemState::Queued {
            self.queued -= 1;
            self.ready.remove(&(Reverse(item.priority), item.id));
            if let Some(t) = self.not_before.get(&item.id) {
                self.backoff.remove(&(*t, item.id));
            }
        }
    }

    /// Changes one item, keeping the totals and the sets true. None if there is no such item.
    fn update<R>(&mut self, id: u64, change: impl FnOnce(&mut Item) -> R) -> Option<R> {
        let pos = self.position(id)?;
        let before = Facts::of(&self.items[pos]);
        self.leave(&before);
        let result = change(&mut self.items[pos]);
        let after = Facts::of(&self.items[pos]);
        self.enter(&after);
        self.dirty = true;
        Some(result)
    }

    /// Puts a queued item into a backoff until `until` (or takes it out with None).
    fn set_backoff(&mut self, id: u64, until: Option<Instant>) {
        let Some(pos) = self.position(id) else { return };
        let snapshot = Facts::of(&self.items[pos]);
        self.leave(&snapshot);
        match until {
            Some(t) => {
                self.not_before.insert(id, t);
            }
            None => {
                self.not_before.remove(&id);
            }
        }
        self.enter(&snapshot);
    }

    fn state_event(id: u64, state: ItemState, error: Option<String>) -> Effect {
        Effect::Event(Event::State { id, state, error })
    }

    // ---- commands -----------------------------------------------------------------------

    /// Applies a front end's command.
    pub(crate) fn apply(&mut self, command: Command) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.dirty = true;
        match command {
            Command::Add {
                label,
                on_exists,
                items,
            } => self.add(label, on_exists, items, &mut effects),
            Command::Cancel(id) => self.stop(id, ItemState::Cancelled, &mut effects),
            Command::Pause(id) => self.stop(id, ItemState::Paused, &mut effects),
            Command::CancelAll => {
                let ids: Vec<u64> = self
                    .items
                    .iter()
                    .filter(|i| !i.state.is_finished())
                    .map(|i| i.id)
                    .collect();
                for id in ids {
                    self.stop(id, ItemState::Cancelled, &mut effects);
                }
            }
            Command::Resume(id) | Command::Retry(id) => self.retry(id, &mut effects),
            Command::Answer {
                item,
                decision,
                for_job,
            } => self.answer(item, decision, for_job, &mut effects),
            Command::SetPriority(id, priority) => {
                self.update(id, |i| i.priority = priority);
            }
            Command::ClearFinished => {
                let removed: Vec<u64> = self
                    .items
                    .iter()
                    .filter(|i| i.state.is_finished())
                    .map(|i| i.id)
                    .collect();
                if !removed.is_empty() {
                    self.items.retain(|i| !i.state.is_finished());
                    for id in &removed {
                        self.answers.remove(id);
                        self.starts.remove(id);
                        self.restart.remove(id);
                    }
                    let mut totals = Totals::default();
                    for item in &self.items {
                        totals.add(Totals::of(&Facts::of(item)));
                    }
                    self.totals = totals;
                    let live: HashSet<u64> = self.items.iter().map(|i| i.job).collect();
                    self.jobs.retain(|j| live.contains(&j.id));
                    effects.push(Effect::Event(Event::Removed(removed)));
                }
            }
        }
        effects
    }

    fn add(
        &mut self,
        label: String,
        on_exists: FileExistsPolicy,
        items: Vec<NewItem>,
        effects: &mut Vec<Effect>,
    ) {
        let job = self.next_id;
        self.next_id += 1;
        let new_job = Job {
            id: job,
            label,
            on_exists,
        };
        self.jobs.push(new_job.clone());
        let mut added = Vec::with_capacity(items.len());
        for new in items {
            let item = Item {
                id: self.next_id,
                job,
                direction: new.direction,
                local: new.local,
                remote: new.remote,
                size: new.size,
                modified: new.modified,
                modified_exact: new.modified_exact,
                state: ItemState::Queued,
                bytes_done: 0,
                attempts: 0,
                last_error: None,
                error_class: None,
                priority: 0,
                own_target: false,
            };
            self.next_id += 1;
            self.enter(&Facts::of(&item));
            added.push(item.clone());
            self.items.push(item);
        }
        self.idle_reported = false;
        effects.push(Effect::Event(Event::Added {
            job: new_job,
            items: added,
        }));
        // New work after a refused login fails at once (the same login would be refused
        // again); after a network failure it is worth another try.
        if let Some(blocked) = self.blocked.clone() {
            if blocked.class.stops_connecting() {
                self.fail_queued(&blocked, effects);
            } else {
                self.unblock();
            }
        }
    }

    fn unblock(&mut self) {
        self.blocked = None;
        self.connect_failures = 0;
        self.connect_not_before = None;
    }

    fn stop(&mut self, id: u64, why: ItemState, effects: &mut Vec<Effect>) {
        let Some(item) = self.item(id) else { return };
        if item.state == ItemState::Active {
            // The worker reports the new state when it has stopped.
            self.stopping.insert(id, why);
            effects.push(Effect::Stop(id));
            return;
        }
        if item.state.is_finished() {
            return;
        }
        let partial = (why == ItemState::Cancelled && item.direction == Direction::Download)
            .then(|| partial_of(item));
        if item.state == ItemState::Queued {
            self.set_backoff(id, None);
        }
        self.update(id, |i| i.state = why);
        if let Some(part) = partial {
            effects.push(Effect::RemovePartial(part));
        }
        effects.push(Self::state_event(id, why, None));
    }

    fn retry(&mut self, id: u64, effects: &mut Vec<Effect>) {
        let retryable = self.item(id).is_some_and(|i| {
            matches!(
                i.state,
                ItemState::Paused | ItemState::Failed | ItemState::Cancelled
            )
        });
        if !retryable {
            return;
        }
        self.update(id, |i| {
            i.state = ItemState::Queued;
            i.attempts = 0;
            i.last_error = None;
            i.error_class = None;
        });
        effects.push(Self::state_event(id, ItemState::Queued, None));
        self.idle_reported = false;
        // The user asks for another try: connecting is allowed again.
        self.unblock();
    }

    fn answer(
        &mut self,
        item: u64,
        decision: FileExistsPolicy,
        for_job: bool,
        effects: &mut Vec<Effect>,
    ) {
        let job = self.item(item).map(|i| i.job);
        if for_job
            && let Some(job) = job
            && let Some(j) = self.jobs.iter_mut().find(|j| j.id == job)
        {
            j.on_exists = decision;
        }
        self.answers.insert(item, decision);
        let requeue: Vec<u64> = if for_job {
            self.items
                .iter()
                .filter(|i| i.state == ItemState::Asking && (i.id == item || Some(i.job) == job))
                .map(|i| i.id)
                .collect()
        } else {
            self.item(item)
                .filter(|i| i.state == ItemState::Asking)
                .map(|i| vec![i.id])
                .unwrap_or_default()
        };
        for id in requeue {
            self.update(id, |i| i.state = ItemState::Queued);
            effects.push(Self::state_event(id, ItemState::Queued, None));
        }
        self.idle_reported = false;
    }

    /// Fails every queued item with the blocking error.
    fn fail_queued(&mut self, blocked: &Blocked, effects: &mut Vec<Effect>) {
        let queued: Vec<u64> = self
            .items
            .iter()
            .filter(|i| i.state == ItemState::Queued)
            .map(|i| i.id)
            .collect();
        for id in queued {
            self.set_backoff(id, None);
            self.update(id, |i| {
                i.state = ItemState::Failed;
                i.last_error = Some(blocked.error.clone());
                i.error_class = Some(blocked.class);
            });
            effects.push(Self::state_event(
                id,
                ItemState::Failed,
                Some(blocked.error.clone()),
            ));
        }
    }

    // ---- workers ------------------------------------------------------------------------

    /// The next item for a worker (highest priority, then queue order), marked active; None
    /// when there is nothing it may take now. A worker without a session may take work only
    /// while connecting is allowed. `idle` is pushed the first time the queue has nothing
    /// left.
    pub(crate) fn claim(
        &mut self,
        has_session: bool,
        now: Instant,
        effects: &mut Vec<Effect>,
    ) -> Option<Claim> {
        // Backoffs that have ended make their items ready again.
        while let Some(&(t, id)) = self.backoff.first()
            && t <= now
        {
            self.set_backoff(id, None);
        }
        let may_connect =
            self.blocked.is_none() && self.connect_not_before.is_none_or(|t| t <= now);
        if !(has_session || may_connect) {
            self.report_idle(effects);
            return None;
        }
        let Some(&(_, id)) = self.ready.first() else {
            self.report_idle(effects);
            return None;
        };
        self.update(id, |i| {
            i.state = ItemState::Active;
            i.attempts += 1;
        });
        self.active += 1;
        let item = self.item(id)?.clone();
        let policy = self.answers.get(&id).copied().unwrap_or_else(|| {
            self.jobs
                .binary_search_by_key(&item.job, |j| j.id)
                .ok()
                .map_or(FileExistsPolicy::Ask, |p| self.jobs[p].on_exists)
        });
        effects.push(Self::state_event(id, ItemState::Active, None));
        Some(Claim { item, policy })
    }

    fn report_idle(&mut self, effects: &mut Vec<Effect>) {
        if self.is_idle() && !self.idle_reported {
            self.idle_reported = true;
            effects.push(Effect::Event(Event::Idle));
        }
    }

    /// Bytes of an active item written so far.
    pub(crate) fn progress(&mut self, id: u64, bytes_done: u64) {
        self.update(id, |i| i.bytes_done = bytes_done);
    }

    /// An attempt knows where it starts: if that is well past where the last one started,
    /// the last one made progress before it failed. A cut connection after real progress is a
    /// flaky line, not a failing file, so that failure does not count: a file cut twenty times
    /// still arrives with the default three retries.
    pub(crate) fn note_start(&mut self, id: u64, offset: u64) {
        let previous = self.starts.insert(id, offset);
        if previous.is_some_and(|p| offset >= p.saturating_add(FREE_RETRY_PROGRESS)) {
            self.update(id, |i| i.attempts = i.attempts.saturating_sub(1).max(1));
        }
    }

    /// The next attempt of this item must start from nothing.
    pub(crate) fn must_restart(&mut self, id: u64) {
        self.restart.insert(id);
    }

    /// A worker asked the server (MDTM) for the exact time of a download whose listing gave
    /// only the server's local time to the minute: the item keeps it, so that its partial file
    /// ([`partial_of`]) is named after the exact version from now on, here and in the saved
    /// queue.
    pub(crate) fn exact_time_learned(&mut self, id: u64, unix_seconds: i64) {
        self.update(id, |item| {
            item.modified = Some(unix_seconds);
            item.modified_exact = true;
        });
    }

    /// A worker starts writing an item's target under "rename" (at the name it chose when the
    /// first was taken): the item keeps that name and knows the target as its own (see
    /// [`Item::own_target`]), here and in the saved queue.
    pub(crate) fn target_taken(&mut self, id: u64, local: PathBuf, remote: String) {
        self.update(id, |item| {
            item.local = local;
            item.remote = remote;
            item.own_target = true;
        });
    }

    /// Whether this attempt must start from nothing (asked once per attempt).
    pub(crate) fn take_restart(&mut self, id: u64) -> bool {
        self.restart.remove(&id)
    }

    /// A worker reports how an attempt at a claimed item ended.
    pub(crate) fn finish(&mut self, claim: &Item, outcome: Outcome, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        let id = claim.id;
        let stopped_as = self.stopping.remove(&id).unwrap_or(ItemState::Cancelled);
        self.active = self.active.saturating_sub(1);
        let started_at = self.starts.get(&id).copied();
        let Some(entry) = self.item(id) else {
            return effects;
        };
        let (attempts, bytes_done) = (entry.attempts, entry.bytes_done);
        // Data moved before the line broke: try again at once (whether the attempt counts is
        // decided when the next one knows where it starts, see `note_start`).
        let moved_data = matches!(outcome, Outcome::Retry(_, ErrorClass::Transient))
            && started_at.is_some_and(|s| bytes_done >= s.saturating_add(FREE_RETRY_PROGRESS));
        let mut attempts_after = attempts;
        let (state, error, class) = match outcome {
            Outcome::Done => (ItemState::Done, None, None),
            Outcome::Skipped(why) => (ItemState::Skipped, Some(why), None),
            Outcome::Asking { existing_size } => {
                effects.push(Effect::Event(Event::Question {
                    id,
                    target: match claim.direction {
                        Direction::Download => claim.local.display().to_string(),
                        Direction::Upload => claim.remote.clone(),
                    },
                    existing_size,
                    source_size: claim.size,
                }));
                attempts_after = attempts.saturating_sub(1);
                (ItemState::Asking, None, None)
            }
            Outcome::Stopped => {
                if stopped_as == ItemState::Cancelled && claim.direction == Direction::Download {
                    effects.push(Effect::RemovePartial(partial_of(claim)));
                }
                (stopped_as, None, None)
            }
            Outcome::Retry(why, class) if attempts <= self.rules.retries => {
                effects.push(Effect::Event(Event::Log(format!(
                    "{}: {why}; retrying",
                    crate::ftp::text::escape(&claim.remote),
                ))));
                (ItemState::Queued, Some(why), Some(class))
            }
            Outcome::Retry(why, class) | Outcome::Fail(why, class) => {
                // Keep partial data for a retry, but not an empty file from a refused RETR.
                if claim.direction == Direction::Download {
                    effects.push(Effect::RemoveEmptyPartial(partial_of(claim)));
                }
                (ItemState::Failed, Some(why), Some(class))
            }
        };
        if state.is_finished() {
            self.starts.remove(&id);
        }
        if state == ItemState::Queued && !moved_data {
            // Back off before the retry: the item waits in the queue, the worker moves on.
            self.not_before
                .insert(id, now + self.rules.backoff(attempts_after));
        }
        let last_error = error.clone();
        self.update(id, |entry| {
            entry.state = state;
            entry.last_error = last_error;
            entry.error_class = class;
            entry.attempts = attempts_after;
            if state == ItemState::Done {
                entry.bytes_done = entry.size.unwrap_or(entry.bytes_done);
            }
        });
        effects.push(Self::state_event(id, state, error.clone()));
        // A refused login or certificate in the middle (a reconnect): stop everything.
        if let (Some(class), Some(error)) = (class, error)
            && class.stops_connecting()
        {
            let blocked = Blocked { error, class };
            self.fail_queued(&blocked, &mut effects);
            self.blocked = Some(blocked);
        }
        effects.push(Effect::Event(Event::Totals(self.totals)));
        effects
    }

    /// A worker could not open a session for a claimed item. The item goes back to the queue
    /// untouched (its attempt does not count), unless connecting cannot work: then it and
    /// every queued item fail at once with the reason. `is_limit`: the server said it has too
    /// many connections.
    pub(crate) fn not_connected(
        &mut self,
        claim: &Item,
        message: String,
        class: ErrorClass,
        is_limit: bool,
        now: Instant,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        let id = claim.id;
        // Paused or cancelled while it waited for the connection: keep what the user chose.
        let stopped_by_user = self
            .stopping
            .remove(&id)
            .filter(|why| *why != ItemState::Queued);
        self.active = self.active.saturating_sub(1);
        let state = stopped_by_user.unwrap_or(ItemState::Queued);
        let error = message.clone();
        let found = self.update(id, |entry| {
            entry.attempts = entry.attempts.saturating_sub(1);
            entry.state = state;
            entry.last_error = Some(error);
            entry.error_class = Some(class);
        });
        if found.is_some() {
            effects.push(Self::state_event(id, state, Some(message.clone())));
        }
        if is_limit && self.sessions > 0 && self.limit_reported != Some(self.sessions) {
            self.limit_reported = Some(self.sessions);
            effects.push(Effect::Event(Event::ConnectionLimit(self.sessions)));
        }
        self.connect_failures += 1;
        let give_up = class.stops_connecting()
            || (self.sessions == 0 && self.connect_failures > self.rules.retries);
        if give_up {
            effects.push(Effect::Event(Event::Log(format!(
                "cannot connect: {message}"
            ))));
            let blocked = Blocked {
                error: message,
                class,
            };
            self.fail_queued(&blocked, &mut effects);
            self.blocked = Some(blocked);
            return effects;
        }
        let wait = self.rules.backoff(self.connect_failures);
        self.connect_not_before = Some(now + wait);
        effects.push(Effect::Event(Event::Log(format!(
            "could not connect ({message}); trying again in {} s{}",
            wait.as_secs().max(1),
            if self.sessions > 0 {
                format!(", meanwhile {} connection(s) go on", self.sessions)
            } else {
                String::new()
            }
        ))));
        effects
    }

    /// Connecting failed in a way retrying cannot fix: recorded before the next worker may
    /// try, so it does not try the same login.
    pub(crate) fn block(&mut self, blocked: Blocked) {
        self.blocked = Some(blocked);
    }

    /// A worker logged in.
    pub(crate) fn session_opened(&mut self) {
        self.sessions += 1;
        self.connect_failures = 0;
        self.connect_not_before = None;
    }

    /// A worker's session ended.
    pub(crate) fn session_closed(&mut self) {
        self.sessions = self.sessions.saturating_sub(1);
    }

    /// The engine is shutting down: every active item goes back to the queue when its worker
    /// stops. Returns the items to stop.
    pub(crate) fn shut_down(&mut self) -> Vec<u64> {
        let active: Vec<u64> = self
            .items
            .iter()
            .filter(|i| i.state == ItemState::Active)
            .map(|i| i.id)
            .collect();
        for id in &active {
            self.stopping.insert(*id, ItemState::Queued);
        }
        active
    }
}

/// The fields of an item the queue's bookkeeping reads (totals, ready set), copied cheaply.
#[derive(Debug, Clone, Copy)]
struct Facts {
    id: u64,
    state: ItemState,
    priority: i32,
    size: Option<u64>,
    bytes_done: u64,
}

impl Facts {
    fn of(item: &Item) -> Facts {
        Facts {
            id: item.id,
            state: item.state,
            priority: item.priority,
            size: item.size,
            bytes_done: item.bytes_done,
        }
    }
}

/// The partial file of a download item.
pub(crate) fn partial_of(item: &Item) -> PathBuf {
    names::partial_path(&item.local, &item.remote, item.size, item.modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            retries: 2,
            backoff: Duration::from_secs(1),
        }
    }

    fn new_item(name: &str, size: u64) -> NewItem {
        NewItem {
            direction: Direction::Download,
            local: PathBuf::from(format!("/tmp/ferry-queue-test/{name}")),
            remote: format!("/{name}"),
            size: Some(size),
            modified: None,
            modified_exact: false,
        }
    }

    fn add(queue: &mut Queue, n: usize, policy: FileExistsPolicy) -> Vec<u64> {
        let effects = queue.apply(Command::Add {
            label: "job".into(),
            on_exists: policy,
            items: (0..n).map(|i| new_item(&format!("f{i}"), 100)).collect(),
        });
        match effects.first() {
            Some(Effect::Event(Event::Added { items, .. })) => items.iter().map(|i| i.id).collect(),
            other => panic!("expected Added first, got {other:?}"),
        }
    }

    /// The totals kept item by item equal the totals summed from scratch.
    fn check_totals(queue: &Queue) {
        let mut summed = Totals::default();
        for item in queue.items() {
            summed.add(Totals::of(&Facts::of(item)));
        }
        assert_eq!(queue.totals(), summed);
        let queued = queue
            .items()
            .iter()
            .filter(|i| i.state == ItemState::Queued)
            .count();
        assert_eq!(queue.queued, queued);
        assert_eq!(queue.ready.len() + queue.backoff.len(), queued);
    }

    fn claim(queue: &mut Queue, now: Instant) -> Option<Item> {
        queue
            .claim(true, now, &mut Vec::new())
            .map(|claim| claim.item)
    }

    #[test]
    fn claims_by_priority_then_queue_order() {
        let mut queue = Queue::new(rules());
        let ids = add(&mut queue, 5, FileExistsPolicy::Overwrite);
        queue.apply(Command::SetPriority(ids[3], 5));
        queue.apply(Command::SetPriority(ids[1], 5));
        let now = Instant::now();
        let order: Vec<u64> = std::iter::from_fn(|| claim(&mut queue, now).map(|i| i.id)).collect();
        assert_eq!(order, vec![ids[1], ids[3], ids[0], ids[2], ids[4]]);
        check_totals(&queue);
    }

    #[test]
    fn a_retry_waits_out_its_backoff_and_keeps_its_place() {
        let mut queue = Queue::new(rules());
        let ids = add(&mut queue, 2, FileExistsPolicy::Overwrite);
        let t0 = Instant::now();
        let first = claim(&mut queue, t0).expect("first item");
        let effects = queue.finish(
            &first,
            Outcome::Retry("cut".into(), ErrorClass::Transient),
            t0,
        );
        assert!(effects.contains(&Effect::Event(Event::State {
            id: ids[0],
            state: ItemState::Queued,
            error: Some("cut".into()),
        })));
        // In its backoff the second item goes first.
        assert_eq!(claim(&mut queue, t0).map(|i| i.id), Some(ids[1]));
        assert!(claim(&mut queue, t0).is_none());
        assert_eq!(queue.next_wake(true, t0), Some(Duration::from_secs(1)));
        check_totals(&queue);
        let later = t0 + Duration::from_secs(1);
        let again = claim(&mut queue, later).expect("retried item");
        assert_eq!((again.id, again.attempts), (ids[0], 2));
        check_totals(&queue);
    }

    #[test]
    fn an_item_fails_after_its_retries() {
        let mut queue = Queue::new(rules());
        add(&mut queue, 1, FileExistsPolicy::Overwrite);
        let mut now = Instant::now();
        for attempt in 1..=3 {
            let item = claim(&mut queue, now).expect("claimable");
            assert_eq!(item.attempts, attempt);
            queue.finish(
                &item,
                Outcome::Retry("no".into(), ErrorClass::Transient),
                now,
            );
            now += Duration::from_secs(60);
        }
        let item = &queue.items()[0];
        assert_eq!(item.state, ItemState::Failed);
        assert_eq!(queue.totals().failed, 1);
        assert!(queue.is_idle());
        check_totals(&queue);
    }

    #[test]
    fn a_refused_login_fails_everything_queued_and_new_work_too() {
        let mut queue = Queue::new(rules());
        add(&mut queue, 3, FileExistsPolicy::Overwrite);
        let now = Instant::now();
        let item = queue
            .claim(false, now, &mut Vec::new())
            .expect("may connect")
            .item;
        queue.not_connected(
            &item,
            "530 Login incorrect".into(),
            ErrorClass::Auth,
            false,
            now,
        );
        assert!(queue.items().iter().all(|i| i.state == ItemState::Failed));
        assert!(queue.claim(false, now, &mut Vec::new()).is_none());
        add(&mut queue, 1, FileExistsPolicy::Overwrite);
        assert!(queue.items().iter().all(|i| i.state == ItemState::Failed));
        // Retry lets it connect again.
        queue.apply(Command::Retry(item.id));
        assert!(queue.claim(false, now, &mut Vec::new()).is_some());
        check_totals(&queue);
    }

    #[test]
    fn a_connection_limit_waits_and_is_reported_once() {
        let mut queue = Queue::new(rules());
        add(&mut queue, 4, FileExistsPolicy::Overwrite);
        let now = Instant::now();
        queue.session_opened();
        queue.session_opened();
        let item = queue.claim(false, now, &mut Vec::new()).expect("item").item;
        let effects = queue.not_connected(
            &item,
            "421 too many".into(),
            ErrorClass::Transient,
            true,
            now,
        );
        assert!(effects.contains(&Effect::Event(Event::ConnectionLimit(2))));
        assert_eq!(
            queue.item(item.id).map(|i| (i.state, i.attempts)),
            Some((ItemState::Queued, 0))
        );
        // Without a session it waits; with one it goes on.
        assert!(queue.claim(false, now, &mut Vec::new()).is_none());
        assert!(queue.claim(true, now, &mut Vec::new()).is_some());
        let other = queue.claim(false, now + Duration::from_secs(5), &mut Vec::new());
        let effects = queue.not_connected(
            &other.expect("after the wait").item,
            "421 too many".into(),
            ErrorClass::Transient,
            true,
            now,
        );
        assert!(!effects.contains(&Effect::Event(Event::ConnectionLimit(2))));
        check_totals(&queue);
    }

    #[test]
    fn cancel_pause_answer_and_clear() {
        let mut queue = Queue::new(rules());
        let ids = add(&mut queue, 4, FileExistsPolicy::Ask);
        let now = Instant::now();
        let active = claim(&mut queue, now).expect("item");
        assert_eq!(
            queue.apply(Command::Cancel(active.id)),
            vec![Effect::Stop(active.id)]
        );
        let effects = queue.finish(&active, Outcome::Stopped, now);
        assert!(effects.contains(&Effect::RemovePartial(partial_of(&active))));
        assert_eq!(
            queue.item(active.id).map(|i| i.state),
            Some(ItemState::Cancelled)
        );
        queue.apply(Command::Pause(ids[1]));
        let asking = claim(&mut queue, now).expect("item");
        assert_eq!(asking.id, ids[2]);
        queue.finish(
            &asking,
            Outcome::Asking {
                existing_size: Some(1),
            },
            now,
        );
        let fourth = claim(&mut queue, now).expect("item");
        queue.finish(
            &fourth,
            Outcome::Asking {
                existing_size: Some(1),
            },
            now,
        );
        queue.apply(Command::Answer {
            item: asking.id,
            decision: FileExistsPolicy::Overwrite,
            for_job: true,
        });
        let claimed: Vec<(u64, FileExistsPolicy)> =
            std::iter::from_fn(|| queue.claim(true, now, &mut Vec::new()))
                .map(|c| (c.item.id, c.policy))
                .collect();
        assert_eq!(
            claimed,
            vec![
                (ids[2], FileExistsPolicy::Overwrite),
                (ids[3], FileExistsPolicy::Overwrite)
            ]
        );
        for (id, _) in claimed {
            let item = queue.item(id).cloned().expect("item");
            queue.finish(&item, Outcome::Done, now);
        }
        check_totals(&queue);
        let effects = queue.apply(Command::ClearFinished);
        assert_eq!(
            effects,
            vec![Effect::Event(Event::Removed(vec![ids[0], ids[2], ids[3]]))]
        );
        assert_eq!(queue.items().len(), 1);
        check_totals(&queue);
    }

    #[test]
    fn a_large_queue_keeps_its_books_through_every_kind_of_change() {
        let mut queue = Queue::new(rules());
        let ids = add(&mut queue, 20_000, FileExistsPolicy::Overwrite);
        let mut now = Instant::now();
        let mut seed = 0x2545_f491_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut claimed = Vec::new();
        for step in 0..60_000u64 {
            match next() % 8 {
                0..=2 => {
                    if let Some(item) = claim(&mut queue, now) {
                        claimed.push(item);
                    }
                }
                3 | 4 => {
                    if !claimed.is_empty() {
                        let item = claimed.swap_remove((next() as usize) % claimed.len());
                        queue.progress(item.id, 50);
                        let outcome = match next() % 4 {
                            0 => Outcome::Retry("cut".into(), ErrorClass::Transient),
                            1 => Outcome::Fail("bad".into(), ErrorClass::Refused),
                            _ => Outcome::Done,
                        };
                        queue.finish(&item, outcome, now);
                    }
                }
                5 => {
                    let id = ids[(next() as usize) % ids.len()];
                    queue.apply(Command::SetPriority(id, (next() % 3) as i32));
                }
                6 => {
                    let id = ids[(next() as usize) % ids.len()];
                    let state = queue.item(id).map(|i| i.state);
                    if state != Some(ItemState::Active) {
                        queue.apply(Command::Pause(id));
                        queue.apply(Command::Resume(id));
                    }
                }
                _ => now += Duration::from_millis(300),
            }
            if step % 5_000 == 0 {
                check_totals(&queue);
            }
        }
        check_totals(&queue);
        // Drain: everything ends finished.
        for item in claimed.drain(..) {
            queue.finish(&item, Outcome::Done, now);
        }
        now += Duration::from_secs(3600);
        while let Some(item) = claim(&mut queue, now) {
            queue.finish(&item, Outcome::Done, now);
        }
        assert!(queue.is_idle());
        check_totals(&queue);
        assert_eq!(queue.totals().finished, 20_000);
    }

    #[test]
    fn restore_puts_active_items_back_in_the_queue() {
        let mut queue = Queue::new(rules());
        add(&mut queue, 3, FileExistsPolicy::Overwrite);
        let now = Instant::now();
        let active = claim(&mut queue, now).expect("item");
        let done = claim(&mut queue, now).expect("item");
        queue.finish(&done, Outcome::Done, now);
        let restored = Queue::restore(rules(), queue.jobs().to_vec(), queue.items().to_vec());
        check_totals(&restored);
        assert_eq!(
            restored.item(active.id).map(|i| i.state),
            Some(ItemState::Queued)
        );
        assert_eq!(restored.next_id, queue.next_id);
    }
}

//! XEP-0388 §2.6.2 tasks on the server's side. With [`ServerConfig::sasl2_tasks`] a SASL2 login
//! whose mechanism succeeded is not yet a login: the application says which tasks the client
//! must still complete ([`ServerEvent::TasksNeeded`], [`ServerSession::sasl2_tasks`]), runs the
//! one the client picks step by step ([`ServerEvent::Sasl2Task`],
//! [`ServerSession::sasl2_task_step`]), and only then is the user authenticated: the
//! [`ServerEvent::Authenticated`] event, FAST, resumption and Bind 2 all come after the last task.
//!
//! [`ServerConfig::sasl2_tasks`]: super::ServerConfig::sasl2_tasks

use super::{ServerEvent, ServerSession, State};
use crate::sasl2;
use crate::tasks::{Continue, Next};
use minidom::Element;
use std::time::Instant;
use xmppkit_jid::BareJid;

/// The application's answer to one step of a task ([`ServerEvent::Sasl2Task`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStep {
    /// Send this `<challenge/>`; the client's `<response/>` comes back as another
    /// [`ServerEvent::Sasl2Task`].
    Challenge(Vec<u8>),
    /// The task is done. `data` goes to the client as additional data (in the next
    /// `<continue/>`, or in the `<success/>`); `next` names the tasks still required, one of
    /// which the client picks next; none: the login goes on to its success.
    Done {
        /// Additional data for the client.
        data: Option<Vec<u8>>,
        /// Tasks still required.
        next: Vec<String>,
    },
    /// The task failed: `<failure/>` with this RFC 6120 §6.5 condition (`not-authorized`,
    /// `temporary-auth-failure`, ...), counted as a failed login.
    Failed(&'static str),
}

/// A SASL2 login between its mechanism's success and its last task.
#[derive(Debug)]
pub(crate) struct Pending {
    user: BareJid,
    mechanism: &'static str,
    /// The data the last step ended with, for the next `<continue/>` or the success.
    data: Vec<u8>,
    /// The tasks offered in the last `<continue/>`; empty before the application answered.
    offered: Vec<String>,
    /// The task the client picked, running.
    running: Option<String>,
}

impl ServerSession {
    /// The mechanism succeeded for `user` under SASL2: ask the application for tasks when it
    /// wants to be asked, else go on.
    pub(super) fn sasl2_mechanism_done(
        &mut self,
        user: BareJid,
        mechanism: &'static str,
        data: &[u8],
        now: Instant,
    ) {
        self.deadline = Some(now + self.config.timeouts.negotiation);
        if !self.config.sasl2_tasks {
            return self.sasl2_logged_in(user, mechanism, data);
        }
        self.events.push_back(ServerEvent::TasksNeeded {
            user: user.clone(),
            mechanism,
        });
        self.state = State::Sasl2Tasks(Box::new(Pending {
            user,
            mechanism,
            data: data.to_vec(),
            offered: Vec::new(),
            running: None,
        }));
    }

    /// Authenticated at last: what was asked inline, then one success.
    fn sasl2_logged_in(&mut self, user: BareJid, mechanism: &'static str, data: &[u8]) {
        self.user = Some(user.clone());
        self.events.push_back(ServerEvent::Authenticated {
            user: user.clone(),
            mechanism,
        });
        self.sasl2_authenticated(user, data);
    }

    /// The answer to [`ServerEvent::TasksNeeded`]: the tasks of which the client must complete
    /// one (XEP-0388 §2.6.2: several required are asked one `<continue/>` after another), with
    /// a text for its user; none: the login goes on to its success.
    pub fn sasl2_tasks(&mut self, tasks: Vec<String>, text: Option<String>) {
        let Some(mut pending) = self.take_tasks(|p| p.offered.is_empty() && p.running.is_none())
        else {
            return;
        };
        if tasks.is_empty() {
            return self.sasl2_logged_in(pending.user, pending.mechanism, &pending.data);
        }
        let offer = Continue {
            additional: Some(std::mem::take(&mut pending.data)),
            tasks: tasks.clone(),
            text,
        };
        pending.offered = tasks;
        self.state = State::Sasl2Tasks(pending);
        self.transport.send(&offer.element());
    }

    /// The answer to [`ServerEvent::Sasl2Task`].
    pub fn sasl2_task_step(&mut self, step: TaskStep) {
        let Some(mut pending) = self.take_tasks(|p| p.running.is_some()) else {
            return;
        };
        match step {
            TaskStep::Challenge(data) => {
                self.state = State::Sasl2Tasks(pending);
                self.send_challenge(&data);
            }
            TaskStep::Done { data, next } if !next.is_empty() => {
                let offer = Continue {
                    additional: data,
                    tasks: next.clone(),
                    text: None,
                };
                pending.running = None;
                pending.offered = next;
                self.state = State::Sasl2Tasks(pending);
                self.transport.send(&offer.element());
            }
            TaskStep::Done { data, .. } => {
                let data = data.unwrap_or_default();
                self.sasl2_logged_in(pending.user, pending.mechanism, &data);
            }
            TaskStep::Failed(condition) => self.login_refused(condition, "a SASL2 task failed"),
        }
    }

    /// The pending tasks when `ready` holds for them (the state becomes `Negotiating` until
    /// put back); `None`, with nothing changed, otherwise.
    fn take_tasks(&mut self, ready: impl Fn(&Pending) -> bool) -> Option<Box<Pending>> {
        match std::mem::replace(&mut self.state, State::Negotiating) {
            State::Sasl2Tasks(pending) if ready(&pending) => Some(pending),
            other => {
                self.state = other;
                None
            }
        }
    }

    /// A client's element while tasks are pending: `<next/>` picks one of those offered,
    /// `<response/>` answers the running one's challenge, `<abort/>` ends the login.
    pub(super) fn on_task_element(&mut self, mut pending: Box<Pending>, el: Element) {
        if el.is("authenticate", sasl2::NS) {
            // XEP-0388 §4 (Multiple Authentication): after a <continue/>, a stream error.
            return self.protocol_error(
                xmppkit_stanza::StreamErrorCondition::PolicyViolation,
                "<authenticate/> after <continue/>",
            );
        }
        if el.is("abort", sasl2::NS) {
            self.send_failure("aborted");
            self.state = State::Negotiating;
            return;
        }
        let step = match (&pending.running, Next::read(&el)) {
            (None, Some(next)) if pending.offered.contains(&next.task) => {
                pending.running = Some(next.task.clone());
                Some((next.task, next.initial))
            }
            (None, Some(_)) => {
                // Not one of the tasks offered: like a mechanism that is not.
                self.state = State::Negotiating;
                return self.login_refused("invalid-mechanism", "a task not offered");
            }
            (Some(task), None) if el.is("response", sasl2::NS) => {
                sasl2::decode(&el).map(|data| (task.clone(), Some(data)))
            }
            _ => None,
        };
        let Some((task, data)) = step else {
            self.state = State::Negotiating;
            return self.login_refused("malformed-request", "an unexpected element in a task");
        };
        self.state = State::Sasl2Tasks(pending);
        self.events.push_back(ServerEvent::Sasl2Task { task, data });
    }
}

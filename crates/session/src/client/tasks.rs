//! XEP-0388 §2.6.2 tasks on the client's side: at a `<continue/>` the mechanism's data is
//! checked as a success's would be (the server proved itself before any task runs), the tasks
//! the application can carry out ([`crate::ClientConfig::sasl2_tasks`]) are handed to it, and
//! it runs the one it picks through [`ClientSession::sasl2_next`] and
//! [`ClientSession::sasl2_task_response`]; the `<success/>` that ends the last task is not
//! checked against the mechanism again.

use super::sasl2::Sasl2Exchange;
use super::{ClientEvent, ClientSession, State};
use crate::error::SessionError;
use crate::sasl2;
use crate::tasks::{Continue, Next};
use minidom::Element;

/// Where a SASL2 exchange is with its tasks.
#[derive(Debug, Default)]
pub(super) struct Tasks {
    /// A `<continue/>` came and the mechanism's data in it was checked.
    pub verified: bool,
    /// The tasks the last `<continue/>` offered that the application can carry out.
    pub offered: Vec<String>,
    /// The task started.
    pub running: Option<String>,
}

impl ClientSession {
    /// `<continue/>`: the mechanism's data checked the first time, then the tasks offered.
    pub(super) fn on_continue(&mut self, mut exchange: Box<Sasl2Exchange>, el: Element) {
        let Some(offer) = Continue::read(&el) else {
            return self.protocol_error("a <continue/> that cannot be read");
        };
        if !exchange.tasks.verified {
            let data = offer.additional.clone().unwrap_or_default();
            if let Err(e) = self.verify_mechanism(&exchange, &data) {
                return self.fail_with(None, SessionError::Mechanism(e));
            }
            exchange.tasks.verified = true;
        }
        let doable: Vec<String> = offer
            .tasks
            .iter()
            .filter(|t| self.config.sasl2_tasks.contains(t))
            .cloned()
            .collect();
        if doable.is_empty() {
            self.transport
                .send(&Element::builder("abort", sasl2::NS).build());
            return self.fail_with(
                None,
                SessionError::NoCommonTask {
                    offered: offer.tasks,
                },
            );
        }
        exchange.tasks.offered = doable.clone();
        exchange.tasks.running = None;
        self.state = State::Sasl2(exchange);
        self.events.push_back(ClientEvent::Sasl2Continue {
            tasks: doable,
            text: offer.text,
        });
    }

    /// A `<challenge/>` of the running task, for the application.
    pub(super) fn on_task_challenge(&mut self, exchange: Box<Sasl2Exchange>, el: Element) {
        let Some(data) = sasl2::decode(&el) else {
            return self.fail_with(
                None,
                SessionError::Mechanism("challenge is not base64".into()),
            );
        };
        let task = exchange.tasks.running.clone().unwrap_or_default();
        self.state = State::Sasl2(exchange);
        self.events
            .push_back(ClientEvent::Sasl2TaskChallenge { task, data });
    }

    /// After [`ClientEvent::Sasl2Continue`]: starts `task` (one of those offered) with its
    /// initial response. Returns `false`, sending nothing, when no task can start now.
    pub fn sasl2_next(&mut self, task: &str, initial: Option<Vec<u8>>) -> bool {
        let State::Sasl2(exchange) = &mut self.state else {
            return false;
        };
        let tasks = &mut exchange.tasks;
        if tasks.running.is_some() || !tasks.offered.iter().any(|t| t == task) {
            return false;
        }
        tasks.running = Some(task.to_owned());
        let next = Next {
            task: task.to_owned(),
            initial,
        };
        self.transport.send(&next.element());
        true
    }

    /// After [`ClientEvent::Sasl2TaskChallenge`]: the task's `<response/>`. Returns `false`,
    /// sending nothing, when no task is running.
    pub fn sasl2_task_response(&mut self, data: &[u8]) -> bool {
        let State::Sasl2(exchange) = &self.state else {
            return false;
        };
        if exchange.tasks.running.is_none() {
            return false;
        }
        self.transport.send(&sasl2::data_element("response", data));
        true
    }
}

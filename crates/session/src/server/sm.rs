//! The server's side of XEP-0198 inside [`ServerSession`]: `<enable/>` → `<enabled/>` (§3),
//! counting every stanza both ways, `<r/>` / `<a/>` (§4), and resumption (§5): `<resume/>` is
//! handed to the application, which gives back the detached session to take over or refuses.
//! Whatever was never acknowledged when the stream ends for good is handed back as an event.

use super::{ServerEvent, ServerSession, Sm, State};
use crate::error::SessionError;
use minidom::Element;
use std::time::{Duration, Instant};
use xmppkit_sm::{DetachedSession, Nonza, SmStream, Tick};
use xmppkit_stanza::{DefinedCondition, StreamErrorCondition};

impl ServerSession {
    /// Takes over `detached` after a [`ServerEvent::ResumeRequest`] for its id: answers
    /// `<resumed/>`, sends again what the client has not acknowledged and goes online as the
    /// detached session's JID. Gives the session back (to keep or to resume elsewhere) when no
    /// resumption of it is pending here, or when it belongs to another user.
    pub fn resume(
        &mut self,
        mut detached: DetachedSession,
        now: Instant,
    ) -> Result<(), Box<DetachedSession>> {
        let State::ResumePending { previd, h } = &self.state else {
            return Err(Box::new(detached));
        };
        let own = self
            .user
            .as_ref()
            .is_some_and(|user| *user == detached.jid.to_bare());
        if *previd != detached.id || !own {
            return Err(Box::new(detached));
        }
        let h = *h;
        self.now = now;
        if let Err(error) = detached.stream.ack(h, now) {
            self.report_unacked(detached.stream.take_unacked());
            self.fail_with(
                Some(error.stream_error()),
                SessionError::Protocol("the client acknowledged unsent stanzas".into()),
            );
            return Ok(());
        }
        let resumed = Nonza::Resumed {
            h: detached.stream.h(),
            previd: detached.id.clone(),
        };
        self.acknowledgements += 1;
        detached.stream.restart_timers(now);
        self.jid = Some(detached.jid.clone());
        self.sm = Sm::Enabled {
            stream: detached.stream,
            id: Some(detached.id),
        };
        if self.sasl2.is_some() {
            // XEP-0198 inside SASL2: `<resumed/>` goes in the success.
            self.sasl2_resumed(resumed.into());
        } else {
            self.transport.send(&resumed.into());
        }
        // What the client has not acknowledged, again, after the answer.
        let mut resent = 0;
        if let Sm::Enabled { stream, .. } = &self.sm {
            for stanza in stream.unacked_queued() {
                self.transport.send_bytes(stanza.bytes());
                resent += 1;
            }
        }
        self.state = State::Online;
        self.deadline = None;
        self.events.push_back(ServerEvent::Resumed {
            jid: detached.jid,
            resent,
        });
        Ok(())
    }

    /// Answers a [`ServerEvent::ResumeRequest`] with `<failed><item-not-found/></failed>` (the id
    /// is unknown or expired); the client may bind a new resource instead. `h`: the expired
    /// session's handled count when known
    /// ([`DetachedSessions::expired_h`](xmppkit_sm::DetachedSessions::expired_h)), so the client
    /// knows exactly which of its stanzas were lost.
    pub fn refuse_resume(&mut self, h: Option<u32>) {
        if let State::ResumePending { .. } = self.state {
            let failed = Nonza::Failed {
                h,
                condition: Some(DefinedCondition::ItemNotFound),
            };
            if self.sasl2.is_some() {
                // XEP-0386 §2.2: the failure in the success, and Bind 2 instead.
                return self.sasl2_resume_failed(failed.into());
            }
            self.transport.send(&failed.into());
            self.state = State::Negotiating;
        }
    }

    /// The connection is gone (end of file, a read or write error, an acknowledgement timeout,
    /// or another connection resuming this stream). A resumable stream becomes a
    /// [`DetachedSession`] to keep until `expires` (see
    /// [`DetachedSessions`](xmppkit_sm::DetachedSessions)); otherwise the stanzas the client never
    /// acknowledged come as a last [`ServerEvent::Unacknowledged`]. Nothing more is written.
    pub fn detach(&mut self, now: Instant) -> Option<DetachedSession> {
        self.transport.closed_ours = true;
        self.deadline = None;
        let was = std::mem::replace(&mut self.state, State::Closed);
        let live = matches!(was, State::Online | State::Closing | State::Closed);
        match (std::mem::replace(&mut self.sm, Sm::Off), self.jid.clone()) {
            (
                Sm::Enabled {
                    stream,
                    id: Some(id),
                },
                Some(jid),
            ) if live => {
                let expires = now + stream.config().max_resume;
                Some(DetachedSession {
                    id,
                    jid,
                    expires,
                    stream,
                })
            }
            (sm, _) => {
                self.sm = sm;
                self.end_sm();
                None
            }
        }
    }

    /// Turns stream management on (XEP-0198 §3) and returns the `<enabled/>` to answer with.
    fn enable_sm(
        &mut self,
        config: xmppkit_sm::SmConfig,
        resume: bool,
        max: Option<u32>,
    ) -> Element {
        let resume = resume && config.resume;
        let id = resume.then(|| (self.random)());
        // The client may ask for less time than we allow, never more.
        let max_resume = max
            .map(|m| Duration::from_secs(m.into()).min(config.max_resume))
            .unwrap_or(config.max_resume);
        let enabled = Nonza::Enabled {
            id: id.clone(),
            resume,
            max: resume.then(|| u32::try_from(max_resume.as_secs()).unwrap_or(u32::MAX)),
            location: None,
        };
        self.sm = Sm::Enabled {
            stream: SmStream::new(xmppkit_sm::SmConfig {
                max_resume,
                ..config
            }),
            id: id.clone(),
        };
        self.events.push_back(ServerEvent::SmEnabled { id });
        enabled.into()
    }

    /// XEP-0386 / XEP-0198 §3: an `<enable/>` inside a Bind 2 request; the answer goes in
    /// `<bound/>` (`<failed/>` when stream management is not offered or the element is bad).
    pub(super) fn sm_inline_enable(&mut self, enable: Element) -> Option<Element> {
        let failed = || {
            Nonza::Failed {
                h: None,
                condition: Some(DefinedCondition::FeatureNotImplemented),
            }
            .into()
        };
        let Some(config) = self.config.stream_management else {
            return Some(failed());
        };
        match Nonza::try_from(enable) {
            Ok(Nonza::Enable { resume, max }) if matches!(self.sm, Sm::Off) => {
                Some(self.enable_sm(config, resume, max))
            }
            _ => Some(failed()),
        }
    }

    /// Whether stream management is on.
    pub fn sm_enabled(&self) -> bool {
        matches!(self.sm, Sm::Enabled { .. })
    }

    /// Writes a stanza and, under stream management, queues it until acknowledged.
    pub(super) fn write_stanza(&mut self, stanza: Element) {
        let stream = match &mut self.sm {
            Sm::Enabled { stream, .. } => Some(stream),
            _ => None,
        };
        self.transport.send_stanza(&stanza, stream, self.now);
    }

    /// `<enable/>` or `<resume/>` after authentication, before a resource is bound.
    pub(super) fn on_sm_before_bind(&mut self, el: Element) {
        match Nonza::try_from(el) {
            Ok(Nonza::Resume { h, previd }) if self.config.stream_management.is_some() => {
                self.state = State::ResumePending {
                    previd: previd.clone(),
                    h,
                };
                self.events
                    .push_back(ServerEvent::ResumeRequest { previd, h });
            }
            // §3: enabling before binding is an unexpected request.
            Ok(Nonza::Enable { .. }) => self.sm_failed(DefinedCondition::UnexpectedRequest),
            Ok(_) | Err(_) => self.protocol_error(
                StreamErrorCondition::UnsupportedStanzaType,
                "unexpected stream management element before binding",
            ),
        }
    }

    /// `<enable/>`, `<r/>` and `<a/>` once online.
    pub(super) fn on_sm_element(&mut self, el: Element) {
        let Some(config) = self.config.stream_management else {
            return self.protocol_error(
                StreamErrorCondition::UnsupportedStanzaType,
                "stream management is not offered",
            );
        };
        let nonza = match Nonza::try_from(el) {
            Ok(nonza) => nonza,
            Err(e) => {
                return self.protocol_error(
                    StreamErrorCondition::InvalidXml,
                    &format!("bad stream management element: {e}"),
                )
            }
        };
        let now = self.now;
        match (nonza, &mut self.sm) {
            (Nonza::Enable { resume, max }, Sm::Off) => {
                let enabled = self.enable_sm(config, resume, max);
                self.transport.send(&enabled);
            }
            (Nonza::Enable { .. }, Sm::Enabled { .. }) => {
                self.sm_failed(DefinedCondition::UnexpectedRequest)
            }
            (nonza @ (Nonza::Request | Nonza::Ack { .. }), Sm::Enabled { stream, .. }) => {
                let request = matches!(nonza, Nonza::Request);
                match stream.handle(nonza, now) {
                    Ok(Some(reply)) => {
                        self.transport.send(&reply);
                        self.acknowledgements += u64::from(request);
                    }
                    Ok(None) => {}
                    Err(error) => self.fail_with(
                        Some(error.stream_error()),
                        SessionError::Protocol("the client acknowledged unsent stanzas".into()),
                    ),
                }
            }
            (Nonza::Request | Nonza::Ack { .. }, Sm::Off) => {
                self.sm_failed(DefinedCondition::UnexpectedRequest)
            }
            (other, _) => self.protocol_error(
                StreamErrorCondition::UnsupportedStanzaType,
                &format!("unexpected stream management element {other:?}"),
            ),
        }
    }

    fn sm_failed(&mut self, condition: DefinedCondition) {
        let failed = Nonza::Failed {
            h: None,
            condition: Some(condition),
        };
        self.transport.send(&failed.into());
    }

    pub(super) fn sm_timeout(&mut self, now: Instant) {
        if !matches!(self.state, State::Online | State::Closing) {
            return;
        }
        let Sm::Enabled { stream, .. } = &mut self.sm else {
            return;
        };
        match stream.handle_timeout(now) {
            Tick::Idle => {}
            Tick::Send(request) => self.transport.send(&request),
            Tick::Dead => {
                // Nothing is written: the application detaches the session and may keep it.
                self.state = State::Closed;
                self.deadline = None;
                self.events
                    .push_back(ServerEvent::Failed(SessionError::Timeout(
                        "a stream management acknowledgement",
                    )));
            }
        }
    }

    pub(super) fn sm_poll_timeout(&self) -> Option<Instant> {
        match (&self.state, &self.sm) {
            (State::Online | State::Closing, Sm::Enabled { stream, .. }) => stream.poll_timeout(),
            _ => None,
        }
    }

    /// Before our closing tag: acknowledge what we handled and ask for the client's count.
    pub(super) fn flush_acks(&mut self) {
        if let Sm::Enabled { stream, .. } = &self.sm {
            for element in stream.before_close() {
                self.transport.send(&element);
            }
            self.acknowledgements += 1;
        }
    }

    /// The stream ended for good: report what the client never acknowledged.
    pub(super) fn end_sm(&mut self) {
        if let Sm::Enabled { mut stream, .. } = std::mem::replace(&mut self.sm, Sm::Off) {
            self.report_unacked(stream.take_unacked());
        }
    }

    fn report_unacked(&mut self, unacked: Vec<Element>) {
        if !unacked.is_empty() {
            self.events.push_back(ServerEvent::Unacknowledged(unacked));
        }
    }
}

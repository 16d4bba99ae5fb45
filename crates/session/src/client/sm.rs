//! The client's side of XEP-0198 inside [`ClientSession`]: `<enable/>` after bind (§3), counting
//! every stanza both ways, answering `<r/>` and taking `<a/>` (§4), and the answer to `<resume/>`
//! (§5): replay on `<resumed/>`, a report of what may be lost on `<failed/>`.

use super::{ClientEvent, ClientSession, Sm, State};
use crate::error::SessionError;
use minidom::Element;
use std::time::Instant;
use xmppkit_sm::{Nonza, Resumption, SmStream};
use xmppkit_stanza::{DefinedCondition, StreamError, StreamErrorCondition};

impl ClientSession {
    /// Writes a stanza and, under stream management, queues it until acknowledged.
    pub(super) fn write_stanza(&mut self, stanza: Element) {
        let stream = self.sm.stream_mut();
        self.transport.send_stanza(&stanza, stream, self.now);
    }

    /// The stream that counts incoming stanzas: only once `<enabled/>` arrived (§3).
    pub(super) fn counting_stream(&mut self) -> Option<&mut SmStream> {
        match &mut self.sm {
            Sm::Enabled { stream, .. } => Some(stream),
            _ => None,
        }
    }

    /// Online after bind: ask for stream management when configured and offered.
    pub(super) fn enable_sm(&mut self) {
        let Some(config) = self.config.stream_management else {
            return;
        };
        let offered = self
            .features
            .as_ref()
            .is_some_and(|f| f.has_child("sm", xmppkit_sm::NS));
        if offered {
            let enable = Nonza::Enable {
                resume: config.resume,
                max: config
                    .resume
                    .then(|| u32::try_from(config.max_resume.as_secs()).unwrap_or(u32::MAX)),
            };
            self.transport.send(&enable.into());
            self.sm = Sm::Enabling(SmStream::new(config));
        }
    }

    /// `<enabled/>`, `<failed/>`, `<r/>` and `<a/>` once online.
    pub(super) fn on_sm_element(&mut self, el: Element) {
        let nonza = match Nonza::try_from(el) {
            Ok(nonza) => nonza,
            Err(e) => return self.protocol_error(&format!("bad stream management element: {e}")),
        };
        let now = self.now;
        match (nonza, std::mem::replace(&mut self.sm, Sm::Off)) {
            (
                Nonza::Enabled {
                    id,
                    resume,
                    max,
                    location,
                },
                Sm::Enabling(stream),
            ) => {
                let id = id.filter(|_| resume);
                self.events.push_back(ClientEvent::SmEnabled {
                    resumable: id.is_some(),
                });
                self.sm = Sm::Enabled {
                    stream,
                    id,
                    location,
                    max,
                };
            }
            // The server refused: the stream goes on without acknowledgements.
            (Nonza::Failed { .. }, Sm::Enabling(_)) => {}
            (nonza @ (Nonza::Request | Nonza::Ack { .. }), mut sm @ Sm::Enabled { .. }) => {
                let answer = sm.stream_mut().map(|s| s.handle(nonza, now));
                self.sm = sm;
                match answer {
                    Some(Ok(Some(reply))) => self.transport.send(&reply),
                    Some(Err(error)) => self.fail_with(
                        Some(error.stream_error()),
                        SessionError::Protocol("the server acknowledged unsent stanzas".into()),
                    ),
                    _ => {}
                }
            }
            (nonza, sm) => {
                self.sm = sm;
                self.protocol_error(&format!("unexpected stream management element {nonza:?}"))
            }
        }
    }

    /// The answer to `<resume/>` (§5).
    pub(super) fn on_resume_answer(
        &mut self,
        mut resumption: Resumption,
        el: Element,
        now: Instant,
    ) {
        match Nonza::try_from(el) {
            Ok(Nonza::Resumed { h, previd }) if previd == resumption.id => {
                if let Err(error) = resumption.stream.ack(h, now) {
                    self.report_unacked(resumption.stream.take_unacked());
                    return self.fail_with(
                        Some(error.stream_error()),
                        SessionError::Protocol("the server acknowledged unsent stanzas".into()),
                    );
                }
                resumption.stream.restart_timers(now);
                let mut resent = 0;
                for stanza in resumption.stream.unacked_queued() {
                    self.transport.send_bytes(stanza.bytes());
                    resent += 1;
                }
                let jid = resumption.jid.clone();
                self.jid = Some(jid.clone());
                self.state = State::Online;
                self.deadline = None;
                self.sm = Sm::Enabled {
                    stream: resumption.stream,
                    id: Some(resumption.id),
                    location: resumption.location,
                    max: None,
                };
                self.events.push_back(ClientEvent::Resumed { jid, resent });
            }
            Ok(Nonza::Failed { h, condition }) => {
                if let Some(h) = h {
                    // What the server did handle is not lost; a wrong h proves nothing.
                    let _ = resumption.stream.ack(h, now);
                }
                self.resume_failed(resumption, condition);
                let features = self.features.take().unwrap_or_else(|| {
                    Element::builder("features", xmppkit_stanza::ns::STREAMS).build()
                });
                self.start_bind(features);
            }
            Ok(other) => {
                self.state = State::Resuming(Box::new(resumption));
                self.protocol_error(&format!("unexpected answer to <resume/>: {other:?}"))
            }
            Err(e) => {
                self.state = State::Resuming(Box::new(resumption));
                self.protocol_error(&format!("bad answer to <resume/>: {e}"))
            }
        }
    }

    /// Resumption is impossible: say so and report what may be lost.
    pub(super) fn resume_failed(
        &mut self,
        mut resumption: Resumption,
        condition: Option<DefinedCondition>,
    ) {
        self.events
            .push_back(ClientEvent::ResumeFailed { condition });
        self.report_unacked(resumption.stream.take_unacked());
    }

    pub(super) fn report_unacked(&mut self, unacked: Vec<Element>) {
        if !unacked.is_empty() {
            self.events.push_back(ClientEvent::Unacknowledged(unacked));
        }
    }

    /// The stream ended for good: stream management is over; report what was never acknowledged.
    pub(super) fn end_sm(&mut self) {
        match std::mem::replace(&mut self.sm, Sm::Off) {
            Sm::Off => {}
            Sm::Enabling(mut stream) | Sm::Enabled { mut stream, .. } => {
                self.report_unacked(stream.take_unacked())
            }
        }
    }

    /// The server stopped answering. A resumable stream ends without a word (a stream error or a
    /// closing tag would end the session on the server too), so that
    /// [`connection_lost`](ClientSession::connection_lost) still gives the token; any other
    /// stream is closed with `connection-timeout`.
    pub(super) fn link_dead(&mut self, waiting_for: &'static str) {
        if matches!(self.sm, Sm::Enabled { id: Some(_), .. }) {
            self.state = State::Closed;
            self.deadline = None;
            self.events
                .push_back(ClientEvent::Failed(SessionError::Timeout(waiting_for)));
        } else {
            self.fail_with(
                Some(StreamError::new(StreamErrorCondition::ConnectionTimeout)),
                SessionError::Timeout(waiting_for),
            );
        }
    }

    /// Before our closing tag: acknowledge what we handled and ask for the server's count.
    pub(super) fn flush_acks(&mut self) {
        if let Sm::Enabled { stream, .. } = &self.sm {
            for element in stream.before_close() {
                self.transport.send(&element);
            }
        }
    }
}

//! The receiving side of a server-to-server stream (RFC 6120 §4.2, jabber:server): answer the
//! header, offer STARTTLS, then SASL EXTERNAL when the peer's certificate proves its domain
//! (XEP-0178) and dialback (XEP-0220); answer `db:verify` questions as the Authoritative Server;
//! and pass on only the stanzas whose `from` and `to` match a domain pair the stream
//! authenticated.

use crate::dialback::{element, error_result, NS_DIALBACK};
use crate::features::{bare, external_authzid, Offered, NS_BIDI};
use crate::{LinkError, PeerCertificate, S2sConfig, S2sTls};
use minidom::Element;
use std::collections::VecDeque;
use xmppkit_codec::{
    ns, with_content_ns, Decoder, Event, StreamErrorCondition, StreamHeader, Wire,
};
use xmppkit_jid::Jid;
use xmppkit_stanza::StreamError;

/// What a receiving stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ReceivingEvent {
    /// The peer asked for STARTTLS and got `<proceed/>`: start TLS on the socket (asking for
    /// the peer's certificate), then call [`Receiving::tls_established`].
    StartTls,
    /// The peer proved `domain`: stanzas from it are accepted from now on.
    Authenticated {
        /// The peer's domain.
        domain: String,
    },
    /// The peer sent a dialback key for `originating`: ask the Authoritative Server for that
    /// domain (an [`Initiating::verifier`](crate::Initiating::verifier) stream to it), then
    /// call [`Receiving::dialback_result`].
    VerifyDialback {
        /// The domain the peer claims.
        originating: String,
        /// Our domain it wants to send to.
        receiving: String,
        /// This stream's id.
        stream_id: String,
        /// The key to check.
        key: String,
    },
    /// A stanza from an authenticated domain to one of ours, in `jabber:client`.
    Stanza(Element),
    /// The peer turned on XEP-0288 and authenticated a pair: stanzas from our `local` domain to
    /// its `remote` one may now go back on this stream ([`Receiving::send`]).
    Reverse {
        /// Our domain.
        local: String,
        /// The peer's domain.
        remote: String,
    },
    /// The stream ended.
    Closed(Option<LinkError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Header,
    Open,
    Tls,
    Closed,
}

/// A remote server's stream to us.
pub struct Receiving {
    wire: Wire,
    config: S2sConfig,
    stream_id: String,
    step: Step,
    tls_on: bool,
    header_sent: bool,
    /// The peer's certificate, as the application checked it (RFC 6125).
    certificate: Box<dyn PeerCertificate>,
    header_from: Option<String>,
    /// The domain SASL EXTERNAL authenticated, which may send to any of ours.
    sasl: Option<String>,
    /// Dialback's authenticated (originating, receiving) pairs, and those being verified.
    pairs: Vec<(String, String)>,
    pending: Vec<(String, String)>,
    /// The stream header's `to`.
    header_to: String,
    /// XEP-0288 turned on by the peer, and the (local, remote) pairs that may go back.
    bidi: bool,
    reverse: Vec<(String, String)>,
    events: VecDeque<ReceivingEvent>,
}

impl Receiving {
    /// A stream accepted from a peer; `stream_id` is fresh and unpredictable (dialback keys are
    /// bound to it).
    ///
    /// ```
    /// use xmppkit_s2s::*;
    /// let config = S2sConfig::new("b.example", DialbackSecret::new("s"));
    /// let mut link = Receiving::new(config, "id-1".into());
    /// link.handle_input(b"<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
    ///     xmlns:stream='http://etherx.jabber.org/streams' from='a.example' to='b.example' version='1.0'>");
    /// let out = link.poll_transmit().unwrap();
    /// assert!(std::str::from_utf8(&out).unwrap().contains("<required/></starttls>"));
    /// ```
    pub fn new(config: S2sConfig, stream_id: String) -> Self {
        Receiving {
            wire: Wire::new(Decoder::new().with_namespaces([ns::SERVER])),
            tls_on: config.direct_tls,
            config,
            stream_id,
            step: Step::Header,
            header_sent: false,
            certificate: Box::new(()),
            header_from: None,
            sasl: None,
            pairs: Vec::new(),
            pending: Vec::new(),
            header_to: String::new(),
            bidi: false,
            reverse: Vec::new(),
            events: VecDeque::new(),
        }
    }

    /// The domain the peer's stream header names (`from`), whose certificate check the
    /// application reports in [`Self::tls_established`].
    pub fn peer_domain(&self) -> Option<&str> {
        self.header_from.as_deref()
    }

    /// The domains the peer authenticated so far.
    pub fn authenticated(&self) -> Vec<&str> {
        let pairs = self.pairs.iter().map(|(o, _)| o.as_str());
        self.sasl.as_deref().into_iter().chain(pairs).collect()
    }

    /// Bytes read from the connection.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.wire.decoder.feed(bytes);
        while !matches!(self.step, Step::Closed | Step::Tls) {
            match self.wire.decoder.next_event() {
                Ok(None) => break,
                Ok(Some(event)) => self.handle_event(event),
                Err(e) => {
                    let error = StreamError::from(&e);
                    self.fail(error, Some(LinkError::Decode(e)));
                }
            }
        }
    }

    /// TLS is up after STARTTLS, with the peer's certificate as the application checked it
    /// (`Vec<String>` of the domains it proves will do); the stream restarts (RFC 6120
    /// §5.4.3.3).
    pub fn tls_established(&mut self, certificate: impl PeerCertificate + 'static) {
        if self.step != Step::Tls {
            return;
        }
        self.tls_on = true;
        self.certificate = Box::new(certificate);
        self.wire.decoder.restart_discarding();
        self.step = Step::Header;
    }

    /// For direct TLS (XEP-0368, [`S2sConfig::direct_tls`]): the peer's certificate, given
    /// before its first bytes are handled.
    pub fn with_certificate(mut self, certificate: impl PeerCertificate + 'static) -> Self {
        self.certificate = Box::new(certificate);
        self
    }

    /// The Authoritative Server's answer for a [`ReceivingEvent::VerifyDialback`] (XEP-0220
    /// §2.4). Invalid on a stream with no other pair: `type='invalid'` and the stream closes;
    /// with other pairs: a `<forbidden/>` dialback error, the stream stays.
    pub fn dialback_result(&mut self, originating: &str, receiving: &str, valid: bool) {
        let pair = (originating.to_owned(), receiving.to_owned());
        let Some(at) = self.pending.iter().position(|p| *p == pair) else {
            return;
        };
        self.pending.remove(at);
        if self.step == Step::Closed {
            return;
        }
        if valid {
            self.wire.send(&element(
                "result",
                receiving,
                originating,
                None,
                Some("valid"),
                None,
            ));
            self.pairs.push(pair);
            self.events.push_back(ReceivingEvent::Authenticated {
                domain: originating.to_owned(),
            });
            self.reverse_pair(receiving, originating);
        } else if self.pairs.is_empty() && self.sasl.is_none() {
            self.wire.send(&element(
                "result",
                receiving,
                originating,
                None,
                Some("invalid"),
                None,
            ));
            let reason = format!("the key for {originating} did not verify");
            self.finish(Some(LinkError::DialbackRefused(reason)));
        } else {
            self.wire
                .send(&error_result(receiving, originating, "forbidden", "auth"));
        }
    }

    fn handle_event(&mut self, event: Event) {
        let el = match event {
            Event::StreamOpen(header) if self.step == Step::Header => return self.opened(header),
            Event::Whitespace => return,
            // The peer ends its stream: how a link normally ends.
            Event::StreamClose => return self.finish(None),
            Event::Stanza(el) => el,
            Event::StreamOpen(_) => return self.refuse(StreamErrorCondition::InvalidXml),
        };
        if el.is("error", ns::STREAMS) {
            let error = StreamError::try_from(el).ok();
            return self.finish(error.map(LinkError::FromPeer));
        }
        let tls_missing = !self.tls_on && self.config.tls == S2sTls::Required;
        match (el.name(), el.ns().as_str()) {
            ("starttls", ns::TLS) if !self.tls_on && self.config.tls != S2sTls::Off => {
                self.wire.send(&bare("proceed", ns::TLS));
                self.step = Step::Tls;
                self.events.push_back(ReceivingEvent::StartTls);
            }
            _ if tls_missing => self.refuse(StreamErrorCondition::PolicyViolation),
            ("auth", ns::SASL) => self.external(&el),
            ("bidi", NS_BIDI) if self.config.bidi => self.bidi = true,
            ("result", NS_DIALBACK) => self.result(&el),
            ("verify", NS_DIALBACK) => self.verify(&el),
            ("message" | "presence" | "iq", ns::SERVER) => self.stanza(el),
            _ => self.refuse(StreamErrorCondition::UnsupportedStanzaType),
        }
    }

    fn opened(&mut self, header: StreamHeader) {
        let to = header.to.clone().unwrap_or_default();
        self.header_from = header.from.clone();
        self.header_to.clone_from(&to);
        self.send_header(&to);
        if !self.config.serves(&to) {
            return self.refuse(StreamErrorCondition::HostUnknown);
        }
        self.step = Step::Open;
        if header.version.is_none() {
            return; // pre-RFC 3920: no features, dialback follows.
        }
        let starttls = !self.tls_on && self.config.tls != S2sTls::Off;
        let tls_ok = self.tls_on || self.config.tls != S2sTls::Required;
        let offered = match self.sasl {
            Some(_) => Offered::default(),
            None => Offered {
                starttls,
                mechanisms: match self.tls_on && self.proven(self.header_from.as_deref()) {
                    true => vec!["EXTERNAL".into()],
                    false => vec![],
                },
                dialback: tls_ok,
                bidi: tls_ok && self.config.bidi,
            },
        };
        self.wire
            .send(&offered.write(self.config.tls == S2sTls::Required));
    }

    fn proven(&self, domain: Option<&str>) -> bool {
        domain.is_some_and(|d| self.certificate.proves(d))
    }

    fn send_header(&mut self, from: &str) {
        let header = StreamHeader {
            from: (!from.is_empty()).then(|| from.to_owned()),
            to: self.header_from.clone(),
            id: Some(self.stream_id.clone()),
            version: Some("1.0".into()),
            ns: ns::SERVER.into(),
            prefixes: vec![("db".into(), NS_DIALBACK.into())],
            ..StreamHeader::default()
        };
        self.wire.header(&header);
        self.header_sent = true;
    }

    /// RFC 6120 §6.4, XEP-0178 §3: EXTERNAL succeeds when the domain it names (or the
    /// header's `from`) is one the certificate proves.
    fn external(&mut self, auth: &Element) {
        let named = match external_authzid(auth) {
            Ok(named) => named.or_else(|| self.header_from.clone()),
            Err(()) => None,
        };
        let proven = named.filter(|domain| {
            auth.attr("mechanism") == Some("EXTERNAL")
                && self.tls_on
                && self.sasl.is_none()
                && self.certificate.proves(domain)
                && self
                    .header_from
                    .as_ref()
                    .is_none_or(|f| f.eq_ignore_ascii_case(domain))
        });
        let Some(domain) = proven else {
            let mut failure = bare("failure", ns::SASL);
            failure.append_child(bare("not-authorized", ns::SASL));
            return self.wire.send(&failure);
        };
        self.wire.send(&bare("success", ns::SASL));
        self.wire.decoder.restart();
        self.step = Step::Header;
        self.sasl = Some(domain.clone());
        self.events
            .push_back(ReceivingEvent::Authenticated { domain });
    }

    /// XEP-0220 §2.1.2: a key for a domain pair.
    fn result(&mut self, el: &Element) {
        let (Some(from), Some(to)) = (el.attr("from"), el.attr("to")) else {
            return self.refuse(StreamErrorCondition::ImproperAddressing);
        };
        if !self.config.serves(to) {
            return self
                .wire
                .send(&error_result(to, from, "item-not-found", "cancel"));
        }
        if from
            .parse::<Jid>()
            .map_or(true, |j| j.node().is_some() || j.resource().is_some())
        {
            return self
                .wire
                .send(&error_result(to, from, "jid-malformed", "modify"));
        }
        let pair = (from.to_owned(), to.to_owned());
        if self.pairs.contains(&pair) || self.pending.contains(&pair) {
            return;
        }
        self.pending.push(pair);
        if self.tls_on && self.certificate.proves(from) {
            // XEP-0344 §2.4: the certificate already proves the domain.
            return self.dialback_result(from, to, true);
        }
        self.events.push_back(ReceivingEvent::VerifyDialback {
            originating: from.to_owned(),
            receiving: to.to_owned(),
            stream_id: self.stream_id.clone(),
            key: el.text().trim().to_owned(),
        });
    }

    /// XEP-0220 §2.3: we are the Authoritative Server for `to`; the peer asks whether a key
    /// is ours.
    fn verify(&mut self, el: &Element) {
        let (Some(from), Some(to), Some(id)) = (el.attr("from"), el.attr("to"), el.attr("id"))
        else {
            return self.refuse(StreamErrorCondition::ImproperAddressing);
        };
        let answer = match self.config.serves(to) {
            true => match self.config.secret.verifies(&el.text(), from, to, id) {
                true => "valid",
                false => "invalid",
            },
            false => "invalid",
        };
        self.wire
            .send(&element("verify", to, from, Some(id), Some(answer), None));
    }

    /// RFC 6120 §4.9.3.9 / §8.1.1: stanzas only for an authenticated pair.
    fn stanza(&mut self, el: Element) {
        let jid = |name| el.attr(name).and_then(|v| v.parse::<Jid>().ok());
        let (Some(from), Some(to)) = (jid("from"), jid("to")) else {
            return self.refuse(StreamErrorCondition::ImproperAddressing);
        };
        if self.sasl.is_none() && self.pairs.is_empty() {
            return self.refuse(StreamErrorCondition::NotAuthorized);
        }
        let (from, to) = (from.domain().as_str(), to.domain().as_str());
        let by_sasl = self.sasl.as_deref() == Some(from) && self.config.serves(to);
        let by_pair = self.pairs.iter().any(|(o, r)| o == from && r == to);
        if !by_sasl && !by_pair {
            let known = self.authenticated().contains(&from);
            return self.refuse(match known {
                true => StreamErrorCondition::HostUnknown,
                false => StreamErrorCondition::InvalidFrom,
            });
        }
        let el = with_content_ns(el, ns::SERVER, ns::CLIENT);
        self.events.push_back(ReceivingEvent::Stanza(el));
    }

    /// XEP-0288: once the peer turned bidirectionality on, a pair it authenticated may be used
    /// the other way.
    fn reverse_pair(&mut self, local: &str, remote: &str) {
        let pair = (local.to_owned(), remote.to_owned());
        if self.bidi && !self.reverse.contains(&pair) {
            self.reverse.push(pair);
            self.events.push_back(ReceivingEvent::Reverse {
                local: local.to_owned(),
                remote: remote.to_owned(),
            });
        }
    }

    /// Sends a stanza back to the peer (XEP-0288; in `jabber:client`, as the server routes it):
    /// its `from` and `to` domains must be a pair of a [`ReceivingEvent::Reverse`]. Returns it
    /// otherwise, or when the stream ended.
    pub fn send(&mut self, stanza: Element) -> Result<(), Element> {
        let domain = |name| {
            stanza
                .attr(name)
                .and_then(|v| v.parse::<Jid>().ok())
                .map(|j| j.domain().to_string())
        };
        let allowed = match (domain("from"), domain("to")) {
            (Some(from), Some(to)) => self.reverse.iter().any(|(l, r)| *l == from && *r == to),
            _ => false,
        };
        if !allowed || self.step == Step::Closed {
            return Err(stanza);
        }
        self.wire
            .send(&with_content_ns(stanza, ns::CLIENT, ns::SERVER));
        Ok(())
    }

    /// Closes the stream (idle, or shutting down).
    pub fn close(&mut self) {
        self.finish(None);
    }

    fn refuse(&mut self, condition: StreamErrorCondition) {
        let error = StreamError::new(condition);
        self.fail(error.clone(), Some(LinkError::ToPeer(error)));
    }

    fn fail(&mut self, error: StreamError, reason: Option<LinkError>) {
        if !self.header_sent {
            self.send_header("");
        }
        self.wire.send(&error.into());
        self.finish(reason);
    }

    fn finish(&mut self, reason: Option<LinkError>) {
        self.wire.close();
        if self.step != Step::Closed {
            self.step = Step::Closed;
            self.events.push_back(ReceivingEvent::Closed(reason));
        }
    }

    /// Bytes to write.
    pub fn poll_transmit(&mut self) -> Option<bytes::Bytes> {
        self.wire.poll_transmit()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ReceivingEvent> {
        self.events.pop_front()
    }
}

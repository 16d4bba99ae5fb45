//! External components (XEP-0114) of the example server: a task per connection runs
//! `xmppkit-component`'s `ComponentAccept`; the engine routes the component's domain to it
//! (`Server::attach_component`) and what it sends like any service's.

use crate::federation::{random_hex, Net};
use crate::{now, Hub, ToLink};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use xmppkit::codec::StreamErrorCondition;
use xmppkit::component::{AcceptEvent, ComponentAccept};
use xmppkit::server::LinkId;

/// An external component's connection (XEP-0114), to its end.
pub async fn serve(
    hub: Rc<RefCell<Hub>>,
    net: Arc<Net>,
    tcp: TcpStream,
    peer: std::net::SocketAddr,
) {
    let mut link = None;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let result = serve_component(&hub, &net, tcp, &mut link, tx, &mut rx).await;
    if let Err(e) = result {
        tracing::info!("component from {peer}: {e}");
    }
    if let Some(link) = link {
        hub.borrow_mut().end_links(&[link], rx, None);
    }
}

async fn serve_component(
    hub: &Rc<RefCell<Hub>>,
    net: &Net,
    mut tcp: TcpStream,
    link: &mut Option<LinkId>,
    tx: mpsc::UnboundedSender<ToLink>,
    rx: &mut mpsc::UnboundedReceiver<ToLink>,
) -> Result<(), String> {
    let mut accept = ComponentAccept::new(net.components.clone(), random_hex());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(event) = accept.poll_event() {
            match event {
                AcceptEvent::Authenticated { domain } => {
                    let mut h = hub.borrow_mut();
                    match h.server.attach_component(domain.as_str()) {
                        Ok(id) => {
                            tracing::info!("component {domain} connected");
                            h.links.insert(id, tx.clone());
                            *link = Some(id);
                        }
                        Err(e) => {
                            tracing::info!("{e}");
                            accept.close_with(StreamErrorCondition::Conflict);
                        }
                    }
                }
                AcceptEvent::Stanza(stanza) => {
                    if let Some(id) = *link {
                        let mut h = hub.borrow_mut();
                        h.server.handle_link_stanza(id, stanza, now());
                        h.dispatch();
                        h.commit()?;
                    }
                }
                AcceptEvent::Closed(reason) => {
                    while let Some(bytes) = accept.poll_transmit() {
                        let _ = tcp.write_all(&bytes).await;
                    }
                    return reason.map_or(Ok(()), |e| Err(e.to_string()));
                }
            }
        }
        while let Some(bytes) = accept.poll_transmit() {
            tcp.write_all(&bytes).await.map_err(|e| e.to_string())?;
        }
        tokio::select! {
            read = tcp.read(&mut buf) => match read.map_err(|e| e.to_string())? {
                0 => return Ok(()),
                n => accept.handle_input(&buf[..n]),
            },
            Some(message) = rx.recv() => match message {
                ToLink::Stanza(stanza) => accept.send(stanza),
                ToLink::Close(_) => accept.close(),
                ToLink::AddSender(..) => {}
            },
        }
    }
}

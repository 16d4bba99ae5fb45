//! RFC 5802 / RFC 7677 test vectors and the failure cases, for both roles.

use super::*;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

fn exchange(
    hash: ScramHash,
    client_nonce: &str,
    server_nonce: &str,
    salt_b64: &str,
    expect: [&str; 4],
) {
    let salt = B64.decode(salt_b64).unwrap();
    let keys = ScramKeys::derive(hash, "pencil", &salt, 4096);
    let mut client = ScramClient::new(hash, "user", "pencil", client_nonce);
    let mut server = ScramServer::new(hash);
    let c1 = client.first_message();
    assert_eq!(String::from_utf8_lossy(&c1), expect[0]);
    assert_eq!(ScramServer::username(&c1).unwrap(), "user");
    let s1 = server
        .handle_client_first(&c1, Some(keys), server_nonce)
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&s1), expect[1]);
    let c2 = client.handle_server_first(&s1).unwrap();
    assert_eq!(String::from_utf8_lossy(&c2), expect[2]);
    let ServerStep::Success { username, data } = server.handle_client_final(&c2).unwrap() else {
        panic!()
    };
    assert_eq!(username, "user");
    assert_eq!(String::from_utf8_lossy(&data), expect[3]);
    client.handle_server_final(&data).unwrap();
}

#[test]
fn rfc5802_sha1_vector() {
    exchange(
        ScramHash::Sha1,
        "fyko+d2lbbFgONRv9qkxdawL",
        "3rfcNHYJY1ZVvWVs7j",
        "QSXCR+Q6sek8bf92",
        [
            "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
            "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
        ],
    );
}

#[test]
fn rfc7677_sha256_vector() {
    exchange(ScramHash::Sha256, "rOprNGfwEbeRWgbNEkqO", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "W22ZaJ0SNY7soEsUEjb6gQ==", [
        "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    ]);
}

#[test]
fn wrong_password_and_forged_server() {
    let keys = ScramKeys::derive(ScramHash::Sha256, "pencil", b"salt", 4096);
    let mut client = ScramClient::new(ScramHash::Sha256, "user", "crayon", "abc");
    let mut server = ScramServer::new(ScramHash::Sha256);
    let s1 = server
        .handle_client_first(&client.first_message(), Some(keys.clone()), "xyz")
        .unwrap();
    let c2 = client.handle_server_first(&s1).unwrap();
    assert_eq!(server.handle_client_final(&c2), Err(ScramError::BadProof));
    // Unknown user: same shape of exchange, then a bad proof.
    let mut server = ScramServer::new(ScramHash::Sha256);
    let mut client = ScramClient::new(ScramHash::Sha256, "nobody", "pencil", "abc");
    let s1 = server
        .handle_client_first(&client.first_message(), None, "xyz")
        .unwrap();
    let c2 = client.handle_server_first(&s1).unwrap();
    assert_eq!(server.handle_client_final(&c2), Err(ScramError::BadProof));
    // A server that does not know the keys cannot produce the signature.
    let mut client = ScramClient::new(ScramHash::Sha256, "user", "pencil", "abc");
    client
        .handle_server_first(b"r=abcdef,s=c2FsdA==,i=4096")
        .unwrap();
    assert_eq!(
        client.handle_server_final(b"v=AAAA"),
        Err(ScramError::BadServerSignature)
    );
    // A server nonce that does not extend ours, absurd iteration counts.
    let mut client = ScramClient::new(ScramHash::Sha1, "user", "pencil", "abc");
    assert_eq!(
        client.handle_server_first(b"r=zzz,s=c2FsdA==,i=4096"),
        Err(ScramError::NonceMismatch)
    );
    assert_eq!(
        client.handle_server_first(b"r=abcd,s=c2FsdA==,i=0"),
        Err(ScramError::Iterations(0))
    );
}

#[test]
fn names_are_escaped() {
    let client = ScramClient::new(ScramHash::Sha1, "a=b,c", "p", "n");
    assert_eq!(client.first_message(), b"n,,n=a=3Db=2Cc,r=n");
    assert_eq!(
        ScramServer::username(&client.first_message()).unwrap(),
        "a=b,c"
    );
}

/// One exchange between a client and a server set up by the closures; the server's error, or
/// the client's, or `Ok` when both sides verified each other.
fn run(
    hash: ScramHash,
    client: impl FnOnce(ScramClient) -> ScramClient,
    server: impl FnOnce(ScramServer) -> ScramServer,
    password: &str,
) -> Result<(), ScramError> {
    let keys = ScramKeys::derive(hash, "pencil", b"salt", 4096);
    let mut client = client(ScramClient::new(hash, "user", password, "cnonce"));
    let mut server = server(ScramServer::new(hash));
    let s1 = server.handle_client_first(&client.first_message(), Some(keys), "snonce")?;
    let c2 = client.handle_server_first(&s1)?;
    let ServerStep::Success { data, .. } = server.handle_client_final(&c2)? else {
        panic!("one round")
    };
    client.handle_server_final(&data)
}

fn exporter(data: &[u8]) -> ChannelBindings {
    ChannelBindings {
        tls_exporter: Some(data.to_vec()),
        tls_server_end_point: Some(vec![9; 32]),
    }
}

#[test]
fn sha512_round_trip() {
    assert_eq!(run(ScramHash::Sha512, |c| c, |s| s, "pencil"), Ok(()));
    assert_eq!(
        run(ScramHash::Sha512, |c| c, |s| s, "crayon"),
        Err(ScramError::BadProof)
    );
}

#[test]
fn channel_binding_both_types_and_every_refusal() {
    let bound = |kind, data: &[u8]| ClientBinding::Bound(kind, data.to_vec());
    // Each type, with the data of this connection.
    for (kind, data) in [
        (CbType::TlsExporter, vec![1u8; 32]),
        (CbType::TlsServerEndPoint, vec![9u8; 32]),
    ] {
        assert_eq!(
            run(
                ScramHash::Sha256,
                |c| c.with_binding(bound(kind, &data)),
                |s| s.with_binding(true, true, exporter(&[1; 32])),
                "pencil"
            ),
            Ok(()),
            "{kind:?}"
        );
    }
    // The client's TLS connection is not the server's: its data differ.
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_binding(bound(CbType::TlsExporter, &[2; 32])),
            |s| s.with_binding(true, true, exporter(&[1; 32])),
            "pencil"
        ),
        Err(ScramError::BindingMismatch)
    );
    // A type this connection does not provide.
    let no_exporter = ChannelBindings {
        tls_exporter: None,
        tls_server_end_point: Some(vec![9; 32]),
    };
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_binding(bound(CbType::TlsExporter, &[1; 32])),
            |s| s.with_binding(true, true, no_exporter),
            "pencil"
        ),
        Err(ScramError::UnsupportedBinding("tls-exporter".into()))
    );
    // Downgrade: the client could bind but saw no -PLUS, while the server offered it.
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_binding(ClientBinding::NotOffered),
            |s| s.with_binding(false, true, exporter(&[1; 32])),
            "pencil"
        ),
        Err(ScramError::ServerSupportsBinding)
    );
    // `y` where nothing was offered is fine; so is `n`.
    assert_eq!(
        run(
            ScramHash::Sha1,
            |c| c.with_binding(ClientBinding::NotOffered),
            |s| s.with_binding(false, false, ChannelBindings::default()),
            "pencil"
        ),
        Ok(())
    );
    // -PLUS without binding, and binding without -PLUS, are malformed.
    assert!(matches!(
        run(
            ScramHash::Sha256,
            |c| c,
            |s| s.with_binding(true, true, exporter(&[1; 32])),
            "pencil"
        ),
        Err(ScramError::Malformed(_))
    ));
    assert!(matches!(
        run(
            ScramHash::Sha256,
            |c| c.with_binding(bound(CbType::TlsExporter, &[1; 32])),
            |s| s.with_binding(false, true, exporter(&[1; 32])),
            "pencil"
        ),
        Err(ScramError::Malformed(_))
    ));
}

#[test]
fn the_gs2_header_is_bound_as_written() {
    let client = ScramClient::new(ScramHash::Sha1, "user", "pencil", "abc")
        .with_binding(ClientBinding::Bound(CbType::TlsExporter, vec![0xAB; 4]));
    assert_eq!(client.first_message(), b"p=tls-exporter,,n=user,r=abc");
    let mut client = client;
    let c2 = client
        .handle_server_first(b"r=abcdef,s=c2FsdA==,i=4096")
        .unwrap();
    let c2 = String::from_utf8(c2).unwrap();
    let c = c2.split(',').next().unwrap().strip_prefix("c=").unwrap();
    assert_eq!(B64.decode(c).unwrap(), b"p=tls-exporter,,\xAB\xAB\xAB\xAB");
}

#[test]
fn downgrade_protection() {
    let mechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"];
    let types = ["tls-exporter"];
    let seen = ssdp_hash(ScramHash::Sha256, &mechanisms, Some(&types));
    // The server hashes what it advertised, the client what it saw: equal, it goes on.
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_ssdp(seen.clone()),
            |s| s.with_ssdp(seen.clone()),
            "pencil"
        ),
        Ok(())
    );
    // The client saw less (the -PLUS mechanism was removed on the way).
    let stripped = ssdp_hash(ScramHash::Sha256, &mechanisms[..1], Some(&types));
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_ssdp(stripped),
            |s| s.with_ssdp(seen.clone()),
            "pencil"
        ),
        Err(ScramError::Downgrade)
    );
    // A man in the middle who rewrites `h` as well breaks the proof.
    let keys = ScramKeys::derive(ScramHash::Sha256, "pencil", b"salt", 4096);
    let mut server = ScramServer::new(ScramHash::Sha256).with_ssdp(seen.clone());
    let mut client =
        ScramClient::new(ScramHash::Sha256, "user", "pencil", "cn").with_ssdp("forged".into());
    let s1 = server
        .handle_client_first(&client.first_message(), Some(keys), "sn")
        .unwrap();
    let s1 = String::from_utf8(s1).unwrap().replace(&seen, "forged");
    let c2 = client.handle_server_first(s1.as_bytes()).unwrap();
    assert_eq!(server.handle_client_final(&c2), Err(ScramError::BadProof));
    // A server without XEP-0474 sends no `h`: nothing to check.
    assert_eq!(
        run(
            ScramHash::Sha256,
            |c| c.with_ssdp(seen.clone()),
            |s| s,
            "pencil"
        ),
        Ok(())
    );
}

#[test]
fn passwords_are_prepared_alike_on_both_sides() {
    // U+2002 EN SPACE maps to a space (RFC 8265 §4.2.1): the same password as typed with one.
    let keys = ScramKeys::derive(ScramHash::Sha256, "pen cil", b"salt", 4096);
    let mut client = ScramClient::new(ScramHash::Sha256, "user", "pen\u{2002}cil", "cn");
    let mut server = ScramServer::new(ScramHash::Sha256);
    let s1 = server
        .handle_client_first(&client.first_message(), Some(keys), "sn")
        .unwrap();
    let c2 = client.handle_server_first(&s1).unwrap();
    assert!(matches!(
        server.handle_client_final(&c2),
        Ok(ServerStep::Success { .. })
    ));
}

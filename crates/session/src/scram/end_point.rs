//! The `tls-server-end-point` channel-binding data (RFC 5929 §4.1): the hash of the server's
//! certificate, with the hash of the certificate's signature algorithm (SHA-256 when that is
//! MD5 or SHA-1, or when the algorithm names no hash). Reading the signature algorithm needs
//! only the certificate's outer DER structure, walked here in a few lines rather than by an
//! X.509 parser pulled in for one object identifier.

use sha2::Digest;

/// `sha384WithRSAEncryption`, `ecdsa-with-SHA384` (DER contents of the OIDs).
const SHA384: [&[u8]; 2] = [
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C],
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03],
];
/// `sha512WithRSAEncryption`, `ecdsa-with-SHA512`.
const SHA512: [&[u8]; 2] = [
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D],
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04],
];

/// The `tls-server-end-point` data for a DER-encoded certificate.
///
/// ```
/// use xmppkit_session::scram::tls_server_end_point;
/// // Not a certificate: hashed with SHA-256, the RFC's default.
/// assert_eq!(tls_server_end_point(b"x").len(), 32);
/// ```
pub fn tls_server_end_point(certificate: &[u8]) -> Vec<u8> {
    match signature_algorithm(certificate) {
        Some(oid) if SHA384.contains(&oid) => sha2::Sha384::digest(certificate).to_vec(),
        Some(oid) if SHA512.contains(&oid) => sha2::Sha512::digest(certificate).to_vec(),
        _ => sha2::Sha256::digest(certificate).to_vec(),
    }
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, … }, … }`:
/// the contents of the signature algorithm's OID.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (0x30, certificate, _) = tlv(der)? else {
        return None;
    };
    let (_, _, rest) = tlv(certificate)?;
    let (0x30, algorithm, _) = tlv(rest)? else {
        return None;
    };
    match tlv(algorithm)? {
        (0x06, oid, _) => Some(oid),
        _ => None,
    }
}

/// One DER tag-length-value: the tag, the contents, what follows.
fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7F => (first as usize, rest),
        0x81..=0x84 => {
            let n = (first & 0x7F) as usize;
            let bytes = rest.get(..n)?;
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, &rest[n..])
        }
        _ => return None,
    };
    let contents = rest.get(..len)?;
    Some((tag, contents, &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate-shaped DER value with this signature algorithm OID.
    fn certificate(oid: &[u8]) -> Vec<u8> {
        let tbs = [0x30, 0x03, 0x02, 0x01, 0x01];
        let mut algorithm = vec![0x06, oid.len() as u8];
        algorithm.extend_from_slice(oid);
        let mut body = tbs.to_vec();
        body.push(0x30);
        body.push(algorithm.len() as u8);
        body.extend_from_slice(&algorithm);
        body.extend_from_slice(&[0x03, 0x02, 0x00, 0xFF]);
        let mut der = vec![0x30, 0x81, body.len() as u8];
        der.extend_from_slice(&body);
        der
    }

    #[test]
    fn the_hash_follows_the_signature_algorithm() {
        let sha256_rsa = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
        assert_eq!(tls_server_end_point(&certificate(&sha256_rsa)).len(), 32);
        assert_eq!(tls_server_end_point(&certificate(SHA384[0])).len(), 48);
        assert_eq!(tls_server_end_point(&certificate(SHA384[1])).len(), 48);
        assert_eq!(tls_server_end_point(&certificate(SHA512[1])).len(), 64);
        // SHA-1 (RFC 5929: use SHA-256 instead).
        let sha1_rsa = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05];
        let der = certificate(&sha1_rsa);
        assert_eq!(
            tls_server_end_point(&der),
            sha2::Sha256::digest(&der).to_vec()
        );
        // Truncated input is no panic.
        let der = certificate(SHA512[0]);
        for n in 0..der.len() {
            tls_server_end_point(&der[..n]);
        }
    }
}

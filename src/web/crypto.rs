//! The console's server key and what it protects: signed session cookies, credentials sealed
//! (ChaCha20-Poly1305) before any session store sees them, and CSRF tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The server key: 64 bytes from `session.key`.
#[derive(Clone)]
pub struct ServerKey {
    bytes: [u8; 64],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey([redacted])")
    }
}

/// Why sealed data could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("sealed data is damaged or was sealed with another key")]
pub struct OpenError;

impl ServerKey {
    /// A key from 128 hexadecimal characters.
    pub fn from_hex(hex_text: &str) -> Result<Self, String> {
        let bytes =
            hex::decode(hex_text.trim()).map_err(|_| "the key must be hexadecimal".to_owned())?;
        let bytes: [u8; 64] = bytes.try_into().map_err(|v: Vec<u8>| {
            format!(
                "the key must be 64 bytes (128 hex characters), not {}",
                v.len()
            )
        })?;
        Ok(Self { bytes })
    }

    /// A fresh random key (demo and tests).
    pub fn generate() -> Self {
        Self {
            bytes: rand::random(),
        }
    }

    /// The key as hex, to print for a demo.
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// The cookie-signing key.
    pub fn cookie_key(&self) -> actix_web::cookie::Key {
        actix_web::cookie::Key::from(&self.bytes)
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(purpose.as_bytes());
        hasher.update(self.bytes);
        hasher.finalize().into()
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. the user name), as URL-safe base64.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(
            &self.derive("dms-console sealed credentials v1"),
        ));
        let nonce: [u8; 12] = rand::random();
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("ChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Decrypts what [`ServerKey::seal`] produced with the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, OpenError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| OpenError)?;
        if bytes.len() < 12 {
            return Err(OpenError);
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(
            &self.derive("dms-console sealed credentials v1"),
        ));
        cipher
            .decrypt(
                Nonce::from_slice(&bytes[..12]),
                Payload {
                    msg: &bytes[12..],
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| OpenError)
    }

    /// HMAC-SHA256 of `message` under a key derived for `purpose`, as hex.
    pub fn mac(&self, purpose: &str, message: &str) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.derive(purpose))
            .expect("HMAC takes any key");
        mac.update(message.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `tag` is the MAC of `message` (constant time).
    pub fn verify_mac(&self, purpose: &str, message: &str, tag: &str) -> bool {
        let Ok(tag) = hex::decode(tag) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.derive(purpose))
            .expect("HMAC takes any key");
        mac.update(message.as_bytes());
        mac.verify_slice(&tag).is_ok()
    }
}

/// A random token of `bytes` bytes as URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(data)
}

/// Constant-time equality of two strings.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_context() {
        let key = ServerKey::generate();
        let sealed = key.seal(b"secret-key", "alice");
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(&sealed, "alice").unwrap(), b"secret-key");
        assert!(key.open(&sealed, "bob").is_err());
        assert!(ServerKey::generate().open(&sealed, "alice").is_err());
        assert!(key.open("garbage", "alice").is_err());
    }

    #[test]
    fn keys_must_be_64_bytes_of_hex() {
        assert!(ServerKey::from_hex(&"ab".repeat(64)).is_ok());
        assert!(
            ServerKey::from_hex(&"ab".repeat(32))
                .unwrap_err()
                .contains("64 bytes")
        );
        assert!(ServerKey::from_hex("zz").is_err());
    }
}

//! Console account passwords: argon2id hashes in PHC format (`dms-console hash-password`).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Hashes `password` with a fresh salt.
pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing of a short input cannot fail")
        .to_string()
}

/// Whether `password` matches the PHC string `phc`.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// At most this many verifications run at once (one per core). Each needs 19 MiB and a core
/// for tens of milliseconds; unbounded, a burst of sign-in attempts for many accounts from
/// many addresses (each within its own throttle slots) would take as many blocking threads
/// and as many 19 MiB blocks as there are requests.
static VERIFYING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// [`verify`] on the blocking pool, at most one per core at a time; the others wait their turn.
pub async fn verify_queued(password: String, phc: String) -> bool {
    let Ok(_turn) = VERIFYING.acquire().await else {
        return false;
    };
    actix_web::web::block(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let phc = hash("correct horse");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong", &phc));
        assert!(!verify("correct horse", "not a hash"));
    }
}

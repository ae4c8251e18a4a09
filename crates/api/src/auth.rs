//! Bearer-token authentication of every `/api/v1` route.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use secrecy::SecretString;
use subtle::{Choice, ConstantTimeEq};

use crate::error::ApiError;
use crate::state::AppState;

/// The configured tokens (`API_TOKENS`). Debug shows only how many there are.
pub struct ApiTokens {
    tokens: Vec<Vec<u8>>,
}

impl std::fmt::Debug for ApiTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiTokens({} configured)", self.tokens.len())
    }
}

impl ApiTokens {
    pub fn new(tokens: &[SecretString]) -> Self {
        ApiTokens {
            tokens: crate::config::token_bytes(tokens),
        }
    }

    /// Compares against every token without stopping at the first match, each comparison in
    /// constant time for equal lengths, so timing tells nothing about which bytes matched.
    pub fn accepts(&self, candidate: &[u8]) -> bool {
        let mut matched = Choice::from(0);
        for token in &self.tokens {
            matched |= constant_time_eq(token, candidate);
        }
        matched.into()
    }
}

fn constant_time_eq(expected: &[u8], candidate: &[u8]) -> Choice {
    // compare the candidate against a same-length buffer so the work does not depend on
    // where the first difference is; only the (public) length decides the loop count
    let len_matches = (expected.len() as u64).ct_eq(&(candidate.len() as u64));
    let mut padded = vec![0u8; candidate.len()];
    let n = expected.len().min(candidate.len());
    padded[..n].copy_from_slice(&expected[..n]);
    len_matches & padded.as_slice().ct_eq(candidate)
}

pub async fn require_bearer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match token {
        Some(token) if state.tokens.accepts(token.as_bytes()) => Ok(next.run(request).await),
        _ => Err(ApiError::Unauthorized),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configured_tokens_are_accepted() {
        let tokens = ApiTokens::new(&[
            SecretString::from("first-token-0123456789"),
            SecretString::from("second-token-0123456789"),
        ]);
        assert!(tokens.accepts(b"first-token-0123456789"));
        assert!(tokens.accepts(b"second-token-0123456789"));
        assert!(!tokens.accepts(b"first-token-012345678"));
        assert!(!tokens.accepts(b"first-token-01234567890"));
        assert!(!tokens.accepts(b""));
        assert_eq!(format!("{tokens:?}"), "ApiTokens(2 configured)");
    }
}

//! Bearer-token authentication of every `/api/v1` route: `API_TOKENS` may do everything,
//! `API_READONLY_TOKENS` only read (every GET; anything else is a 403).

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use secrecy::SecretString;
use serde::Serialize;
use subtle::{Choice, ConstantTimeEq};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// one of `API_TOKENS`: every request
    Admin,
    /// one of `API_READONLY_TOKENS`: GET requests only
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReadOnly => "readOnly",
        }
    }

    /// Whether this role may send a request with `method`.
    pub fn allows(self, method: &Method) -> bool {
        match self {
            Role::Admin => true,
            Role::ReadOnly => method == Method::GET || method == Method::HEAD,
        }
    }
}

/// The configured tokens (`API_TOKENS`, `API_READONLY_TOKENS`). Debug shows only how many
/// there are.
pub struct ApiTokens {
    tokens: Vec<Vec<u8>>,
    readonly: Vec<Vec<u8>>,
}

impl std::fmt::Debug for ApiTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiTokens({} configured, {} read-only)",
            self.tokens.len(),
            self.readonly.len()
        )
    }
}

impl ApiTokens {
    pub fn new(tokens: &[SecretString]) -> Self {
        Self::with_readonly(tokens, &[])
    }

    pub fn with_readonly(tokens: &[SecretString], readonly: &[SecretString]) -> Self {
        ApiTokens {
            tokens: crate::config::token_bytes(tokens),
            readonly: crate::config::token_bytes(readonly),
        }
    }

    /// Whether `candidate` is one of `API_TOKENS` (full access).
    pub fn accepts(&self, candidate: &[u8]) -> bool {
        any_matches(&self.tokens, candidate)
    }

    /// The role of `candidate`, or `None` when it is no configured token. Both lists are
    /// always compared in full, so timing tells neither which list nor which bytes matched.
    pub fn role(&self, candidate: &[u8]) -> Option<Role> {
        let admin = any_matches(&self.tokens, candidate);
        let readonly = any_matches(&self.readonly, candidate);
        match (admin, readonly) {
            (true, _) => Some(Role::Admin),
            (false, true) => Some(Role::ReadOnly),
            (false, false) => None,
        }
    }
}

/// Compares against every token without stopping at the first match, each comparison in
/// constant time for equal lengths, so timing tells nothing about which bytes matched.
fn any_matches(tokens: &[Vec<u8>], candidate: &[u8]) -> bool {
    let mut matched = Choice::from(0);
    for token in tokens {
        matched |= constant_time_eq(token, candidate);
    }
    matched.into()
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
    let role = token
        .and_then(|token| state.tokens.role(token.as_bytes()))
        .ok_or(ApiError::Unauthorized)?;
    if !role.allows(request.method()) {
        return Err(ApiError::Forbidden(
            "this token is read-only: it may only send GET requests".to_owned(),
        ));
    }
    let mut request = request;
    request.extensions_mut().insert(role);
    Ok(next.run(request).await)
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
        assert_eq!(
            format!("{tokens:?}"),
            "ApiTokens(2 configured, 0 read-only)"
        );
    }

    #[test]
    fn read_only_tokens_have_their_own_role() {
        let tokens = ApiTokens::with_readonly(
            &[SecretString::from("admin-token-0123456789")],
            &[SecretString::from("reader-token-0123456789")],
        );
        assert_eq!(tokens.role(b"admin-token-0123456789"), Some(Role::Admin));
        assert_eq!(
            tokens.role(b"reader-token-0123456789"),
            Some(Role::ReadOnly)
        );
        assert_eq!(tokens.role(b"someone-else-0123456789"), None);
        assert!(!tokens.accepts(b"reader-token-0123456789"));
        assert!(Role::ReadOnly.allows(&Method::GET));
        assert!(!Role::ReadOnly.allows(&Method::POST));
        assert!(!Role::ReadOnly.allows(&Method::DELETE));
        assert!(Role::Admin.allows(&Method::PATCH));
        assert_eq!(
            serde_json::to_value(Role::ReadOnly).unwrap(),
            Role::ReadOnly.as_str()
        );
    }
}

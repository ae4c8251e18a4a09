//! The idempotency contract in the OpenAPI document: the `Idempotency-Key` header on every
//! `/api/v1` POST, its 409 and 422 answers, and `Idempotent-Replayed` on replayed answers.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::Modify;

use super::fingerprint::{KEY_PATTERN, MAX_KEY_LEN};

pub struct IdempotencyKeys;

const KEY_DESCRIPTION: &str = "Makes the POST safe to retry (Stripe's contract): the first \
    request with a key runs, a retry with the same key, method, path and body gets the first \
    answer again (status and body, with `Idempotent-Replayed: true`); the same key with another \
    request is a 422, a retry while the first is still running a 409. Keys are kept 24 hours per \
    API token; a 5xx answer is not kept, so a retry runs again. Without the header the request \
    runs as usual.";

impl Modify for IdempotencyKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = crate::openapi::error_response;
        let schema = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_KEY_LEN))
            .pattern(Some(KEY_PATTERN))
            .build();
        let parameter = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(KEY_DESCRIPTION))
            .schema(Some(schema))
            .build();
        let replayed = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["true"])),
            )
            .description(Some(
                "`true` when this is the stored answer to an earlier request with the same \
                 Idempotency-Key",
            ))
            .build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let Some(operation) = item.post.as_mut() else {
                continue;
            };
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .push(parameter.clone());
            let responses = &mut operation.responses.responses;
            for (status, response) in responses.iter_mut() {
                if let (true, utoipa::openapi::RefOr::T(response)) =
                    (status.starts_with('2'), response)
                {
                    response
                        .headers
                        .insert("Idempotent-Replayed".to_owned(), replayed.clone());
                }
            }
            responses.entry("409".to_owned()).or_insert_with(|| {
                error("conflict; or a request with this Idempotency-Key is still being processed")
                    .into()
            });
            responses.entry("422".to_owned()).or_insert_with(|| {
                error("the Idempotency-Key is malformed or was used with another request").into()
            });
        }
    }
}

//! Completes the generated OpenAPI document so it lists every status each
//! operation can answer, by the rules the handlers share: reading the path,
//! query and body (400, 413, 415, 422), the session (401), the org and the
//! other path resources (403, 404), rate limits (429), the database (500,
//! 503). Every error answer is RFC 9457 problem details under
//! `application/problem+json`. Handlers list only their own statuses (201,
//! 304, 409, 410, 412, …); this pass adds the shared ones, so one rule lives
//! in one place.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};

const PROBLEM: &str = "application/problem+json";

/// Operations counted against a rate limit (method, path).
const RATE_LIMITED: &[(&str, &str)] = &[
    ("post", "/v1/auth/signin"),
    ("post", "/v1/auth/oidc/{provider}/flows"),
    ("post", "/v1/auth/resend-verification"),
    ("post", "/v1/auth/password-reset"),
    ("post", "/v1/me/email"),
    ("post", "/v1/orgs"),
    ("post", "/v1/orgs/{org}/invitations"),
    ("post", "/v1/orgs/{org}/invitations/{id}/resend"),
];

pub fn complete(doc: &mut OpenApi) {
    logo_is_binary(doc);
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ] {
            if let Some(op) = op {
                complete_operation(path, method, op);
            }
        }
    }
}

fn complete_operation(path: &str, method: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_path_params = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query = params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_body = op.request_body.is_some();
    let signed_in = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("session").is_some())));
    let ops_endpoint = !path.starts_with("/v1/");
    // Every org-scoped endpoint also takes an organization API key.
    if signed_in && path.starts_with("/v1/orgs/{org}") {
        op.security
            .get_or_insert_with(Vec::new)
            .push(utoipa::openapi::security::SecurityRequirement::new("api_key", Vec::<String>::new()));
    }

    let mut add = |status: &str, description: &str| {
        op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    };
    if has_path_params || has_query || has_body {
        add("400", "The path, query or body could not be read.");
    }
    if signed_in {
        add("401", "No valid session token: sign in again.");
        add("403", "Your role, your membership's status or an unverified email address does not allow this.");
    }
    if has_path_params {
        add("404", "No such resource, or it is not visible to you.");
    }
    if has_body {
        add("413", "The body is larger than this operation accepts.");
        add("415", "The body is not of the accepted content type.");
    }
    // Writes also answer 422 for values valid in shape but not in this state
    // (a built-in role, removing yourself, an unknown role key).
    if has_body || has_query || method != "get" {
        add("422", "A field failed validation; `errors` names it.");
    }
    if RATE_LIMITED.contains(&(method, path)) {
        add("429", "Too many requests: retry after the Retry-After header's seconds.");
    }
    if !ops_endpoint || path == "/readyz" {
        add("500", "The server failed; its log has the details under the request id.");
        add("503", "The database is not reachable right now.");
    }
    // The handlers' own error answers are problem details too.
    for (status, response) in op.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM.to_owned(), content);
            }
            if response.content.is_empty() && status != "405" {
                *response = problem_response(&response.description);
            }
        }
    }
}

/// The logo upload is raw image bytes, not a JSON array of numbers.
fn logo_is_binary(doc: &mut OpenApi) {
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let Some(op) = doc.paths.paths.get_mut("/v1/orgs/{org}/logo").and_then(|item| item.put.as_mut()) else {
        return;
    };
    let bytes =
        || ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
    let mut body = RequestBodyBuilder::new()
        .description(Some("A PNG, JPEG or WebP image, at most 512 KB; decoded whole and stored as PNG."))
        .required(Some(utoipa::openapi::Required::True));
    for kind in ["image/png", "image/jpeg", "image/webp"] {
        body = body.content(kind, ContentBuilder::new().schema(Some(bytes())).build());
    }
    op.request_body = Some(body.build());
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(problem_response(description))
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .build()
}

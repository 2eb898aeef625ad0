//! The route table: which URL and method reach which interaction. A method a URL does not
//! serve answers 405 with `Allow`; an unknown URL answers 404. Both are OperationOutcomes.

use crate::error::ApiError;
use crate::interaction::{capabilities, create, delete, history, read, search_type, update};
use actix_web::{web, HttpRequest, HttpResponse};
use zorgplan_fhir::FhirError;

fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move |req: HttpRequest| async move {
        Err::<HttpResponse, _>(ApiError::method_not_allowed(
            req.method().as_str(),
            req.path(),
            allow,
        ))
    })
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(FhirError::not_found(format!("There is no FHIR endpoint at {}", req.path())).into())
}

/// Registers every route. Literal segments (`metadata`, `_history`, `_search`) come before
/// the `{type}`/`{id}` patterns they would otherwise match.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/metadata")
            .route(web::get().to(capabilities::capabilities))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/_history")
            .route(web::get().to(history::system))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/{type}/_history")
            .route(web::get().to(history::type_))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/{type}/_search")
            .route(web::post().to(search_type::post))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/{type}/{id}/_history/{vid}")
            .route(web::get().to(read::vread))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/{type}/{id}/_history")
            .route(web::get().to(history::instance))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/{type}/{id}")
            .route(web::get().to(read::read))
            .route(web::put().to(update::update))
            .route(web::delete().to(delete::delete))
            .default_service(method_not_allowed("GET, PUT, DELETE")),
    )
    .service(
        web::resource("/{type}")
            .route(web::get().to(search_type::get))
            .route(web::post().to(create::create))
            .route(web::put().to(update::conditional_update))
            .route(web::delete().to(delete::conditional_delete))
            .default_service(method_not_allowed("GET, POST, PUT, DELETE")),
    )
    .default_service(web::to(not_found));
}

//! §5.10 Specification change: scale-up products and resizing.

use crate::api::models::extend::{
    ExtendProductList, ExtendProductsQuery, ResizeJob, ResizeRequest,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{engine}/{project_id}/instances/{instance_id}/extend`
fn extend(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .engine()
        .project()
        .lit("instances")
        .value(instance_id)
        .lit("extend")
}

impl DmsClient {
    /// `GET /v2/{engine}/{project_id}/instances/{instance_id}/extend`: the products the instance can be changed to (API reference §5.10.1; SDK `ShowEngineInstanceExtendProductInfo`).
    pub async fn show_extend_products(
        &self,
        instance_id: &str,
        query: &ExtendProductsQuery,
    ) -> ApiResult<ExtendProductList> {
        let query = Query::new()
            .opt("type", query.product_type.as_deref())
            .opt("limit", query.limit)
            .opt("offset", query.offset);
        self.send(
            Call::get("ShowEngineInstanceExtendProductInfo", extend(instance_id)).query(query),
        )
        .await
    }

    /// `POST /v2/{engine}/{project_id}/instances/{instance_id}/extend`: change the specification of a pay-per-use instance (API reference §5.10.2; SDK `ResizeInstance`).
    pub async fn resize_instance(
        &self,
        instance_id: &str,
        body: &ResizeRequest,
    ) -> ApiResult<ResizeJob> {
        self.send(Call::post("ResizeInstance", extend(instance_id)).json(body)?)
            .await
    }
}

//! §5.9 Other APIs: availability zones, products and product core counts. None of these
//! paths carries the project.

use crate::api::models::other::{
    AvailableZones, ListProductsQuery, ProductCores, ProductCoresQuery, ProductList,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

impl DmsClient {
    /// `GET /v2/available-zones`: the availability zones of the region (API reference §5.9.1; SDK `ListAvailableZones`).
    pub async fn list_available_zones(&self) -> ApiResult<AvailableZones> {
        let path = ApiPath::new("v2/available-zones");
        self.send(Call::get("ListAvailableZones", path)).await
    }

    /// `GET /v2/{engine}/products`: product specifications (API reference §5.9.2; SDK `ListEngineProducts`).
    pub async fn list_products(&self, query: &ListProductsQuery) -> ApiResult<ProductList> {
        let path = ApiPath::new("v2").engine().lit("products");
        let query = Query::new()
            .opt("type", query.product_type.as_deref())
            .opt("product_id", query.product_id.as_deref())
            .opt("limit", query.limit)
            .opt("offset", query.offset);
        self.send(Call::get("ListEngineProducts", path).query(query))
            .await
    }

    /// `GET /v2/rocketmq/products/cores`: the core count of a product with a broker count (API reference §5.9.3; SDK `ShowRocketMqProductCores`).
    pub async fn show_product_cores(&self, query: &ProductCoresQuery) -> ApiResult<ProductCores> {
        let path = ApiPath::new("v2/rocketmq/products/cores");
        let query = Query::new()
            .opt("instance_id", query.instance_id.as_deref())
            .opt("product_id", query.product_id.as_deref())
            .opt("broker_num", query.broker_num);
        self.send(Call::get("ShowRocketMqProductCores", path).query(query))
            .await
    }
}

//! Specification change (API reference §5.10): the products an instance can be changed to,
//! and the resize request.

use serde::{Deserialize, Serialize};

use crate::api::de;

/// The products an instance can be scaled to: the same envelope as the product list, with
/// [`super::other::Product`] items. Huawei schema:
/// `ShowEngineInstanceExtendProductInfoResponse` (items `RocketMQExtendProductInfoEntity`).
pub type ExtendProductList = super::other::ProductList;

/// Filters of [`crate::api::DmsClient::show_extend_products`] (SDK
/// `ShowEngineInstanceExtendProductInfoRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtendProductsQuery {
    /// Product type (`type`); `advanced` is the exclusive (professional) edition.
    pub product_type: Option<String>,
    /// Page size (SDK only).
    pub limit: Option<u32>,
    /// Offset (SDK only).
    pub offset: Option<u32>,
}

/// What a resize changes (`oper_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResizeOperation {
    /// `storage`: more storage, same brokers.
    Storage,
    /// `horizontal`: more brokers (4.8.0) or another flavour (5.x).
    Horizontal,
    /// `vertical`: another VM flavour for the brokers (4.8.0).
    Vertical,
}

/// The body of [`crate::api::DmsClient::resize_instance`]. Huawei schema:
/// `ResizeEngineInstanceReq`. Only pay-per-use instances can be resized through the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResizeRequest {
    /// The kind of change (required).
    pub oper_type: ResizeOperation,
    /// New total storage in GB (`storage`; the API reference also wants it with `horizontal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_storage_space: Option<i64>,
    /// New product ID (`vertical`, and `horizontal` on 5.x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_product_id: Option<String>,
    /// New broker count (`horizontal` on 4.8.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_broker_num: Option<i64>,
    /// Comma-separated EIP IDs, one per new broker, when public access is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publicip_id: Option<String>,
}

impl ResizeRequest {
    fn of(oper_type: ResizeOperation) -> Self {
        Self {
            oper_type,
            new_storage_space: None,
            new_product_id: None,
            new_broker_num: None,
            publicip_id: None,
        }
    }

    /// Grow the total storage to `gb`.
    pub fn storage(gb: i64) -> Self {
        Self {
            new_storage_space: Some(gb),
            ..Self::of(ResizeOperation::Storage)
        }
    }

    /// Grow to `brokers` brokers (4.8.0 style).
    pub fn brokers(brokers: i64) -> Self {
        Self {
            new_broker_num: Some(brokers),
            ..Self::of(ResizeOperation::Horizontal)
        }
    }

    /// A horizontal change to product `product_id` (5.x style, as in the API reference's example).
    pub fn horizontal_product(product_id: impl Into<String>) -> Self {
        Self {
            new_product_id: Some(product_id.into()),
            ..Self::of(ResizeOperation::Horizontal)
        }
    }

    /// A vertical change to product `product_id`.
    pub fn vertical(product_id: impl Into<String>) -> Self {
        Self {
            new_product_id: Some(product_id.into()),
            ..Self::of(ResizeOperation::Vertical)
        }
    }
}

/// The resize job. Huawei schema: `ResizeInstanceResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResizeJob {
    /// Job ID.
    #[serde(deserialize_with = "de::string")]
    pub job_id: String,
}

//! Tolerant deserializers for DMS responses.
//!
//! The real service sends numbers as strings in places, strings as numbers in others, `null`
//! for absent lists and a single object where a list is documented (the official SDK wraps it).
//! Model fields opt in with `#[serde(default, deserialize_with = "de::…")]`; containers use
//! `#[serde(default)]` so that missing fields take their defaults and unknown ones are ignored.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, SeqAccess, Visitor};

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64))
        } else {
            Err(E::custom(format!("expected an integer, found {v}")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let trimmed = v.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if let Ok(n) = trimmed.parse::<i64>() {
            return Ok(Some(n));
        }
        match trimmed.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format!(
                "expected an integer, found the string `{v}`"
            ))),
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(i64::from(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An `i64` from a number or a numeric string; `null` or `""` gives 0.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(d.deserialize_any(IntVisitor)?.unwrap_or(0))
}

/// An `Option<i64>` from a number or a numeric string; `null` or `""` gives `None`.
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let trimmed = v.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        trimmed
            .parse::<f64>()
            .map(Some)
            .map_err(|_| E::custom(format!("expected a number, found the string `{v}`")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An `f64` from a number or a numeric string; `null` gives 0.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(d.deserialize_any(FloatVisitor)?.unwrap_or(0.0))
}

/// An `Option<f64>` from a number or a numeric string.
pub fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(FloatVisitor)
}

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A `String` from a string, number or boolean; `null` gives `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(d.deserialize_any(StringVisitor)?.unwrap_or_default())
}

/// An `Option<String>` from a string, number or boolean.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(StringVisitor)
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, `true`/`false` as a string, or 0/1")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v != 0))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(E::custom(format!(
                "expected a boolean, found the string `{v}`"
            ))),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A `bool` from a boolean, a `"true"`/`"false"` string or 0/1; `null` gives `false`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(d.deserialize_any(BoolVisitor)?.unwrap_or(false))
}

/// An `Option<bool>` from a boolean, a `"true"`/`"false"` string or 0/1.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(BoolVisitor)
}

/// A `Vec<T>` from an array, a single element (wrapped, as the SDK does) or `null` (empty).
pub fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    match Option::<OneOrMany<T>>::deserialize(d)? {
        None => Ok(Vec::new()),
        Some(OneOrMany::Many(items)) => Ok(items),
        Some(OneOrMany::One(item)) => Ok(vec![item]),
    }
}

/// A `Vec<String>` whose elements may be strings or numbers, from an array, a single element,
/// a comma-separated string or `null`.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings or a comma-separated string")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            #[derive(Deserialize)]
            struct Item(#[serde(deserialize_with = "string")] String);
            let mut out = Vec::new();
            while let Some(Item(item)) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Vec::new())
        }
    }
    d.deserialize_any(ListVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "int")]
        count: i64,
        #[serde(deserialize_with = "opt_int")]
        maybe: Option<i64>,
        #[serde(deserialize_with = "float")]
        ratio: f64,
        #[serde(deserialize_with = "string")]
        name: String,
        #[serde(deserialize_with = "boolean")]
        enabled: bool,
        #[serde(deserialize_with = "vec")]
        items: Vec<Item>,
        #[serde(deserialize_with = "string_list")]
        brokers: Vec<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn numbers_strings_and_nulls_are_all_accepted() {
        let from_strings: Sample = serde_json::from_str(
            r#"{"count":"3","maybe":"","ratio":"0.5","name":42,"enabled":"true","items":{"id":1},"brokers":"broker-0, broker-1","unknown":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(
            from_strings,
            Sample {
                count: 3,
                maybe: None,
                ratio: 0.5,
                name: "42".into(),
                enabled: true,
                items: vec![Item { id: 1 }],
                brokers: vec!["broker-0".into(), "broker-1".into()],
            }
        );
        let from_nulls: Sample = serde_json::from_str(
            r#"{"count":null,"maybe":7.0,"name":null,"items":null,"brokers":[1,"b"]}"#,
        )
        .unwrap();
        assert_eq!(from_nulls.count, 0);
        assert_eq!(from_nulls.maybe, Some(7));
        assert_eq!(from_nulls.name, "");
        assert!(from_nulls.items.is_empty());
        assert_eq!(from_nulls.brokers, vec!["1".to_owned(), "b".to_owned()]);
        let empty: Sample = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Sample::default());
    }

    #[test]
    fn malformed_numbers_are_errors_not_zeroes() {
        assert!(serde_json::from_str::<Sample>(r#"{"count":"3,"}"#).is_err());
        assert!(serde_json::from_str::<Sample>(r#"{"count":1.5}"#).is_err());
    }
}

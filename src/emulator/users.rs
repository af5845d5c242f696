//! RocketMQ ACL users (API reference §5.5.1–§5.5.7): create, list, modify,
//! show and delete users, and list the users authorised on a topic or a consumer group.
//!
//! Documents: kind `user`, scope = instance id, id = access key (user name). The body is the
//! SDK `User` shape: `access_key`, `secret_key` (stored as given; every response masks it as
//! `*****`), `white_remote_address`, `admin`, `default_topic_perm`, `default_group_perm`,
//! `topic_perms: [{name, perm}]`, `group_perms: [{name, perm}]`.
//!
//! A user's permission on a topic or group is its explicit entry; the access-policy lists show
//! every user of the instance with that entry's `perm`, or `""` when the default applies.

use serde_json::{Map, Value, json};

use super::context::{Ctx, Req, Resp, Routed, is_engine};
use super::error::DmsError;
use super::instances::facts::require_running;
use super::names::{self, array, boolean, object, string};
use super::{groups, topics};

/// The document kind of ACL users (scope: instance id, id: access key).
pub const USER: &str = "user";

/// What responses show instead of a secret key.
const MASK: &str = "*****";

/// Routes §5.5.1–§5.5.7 and the SDK twin of §5.5.7.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    let method = req.method.as_str();
    match segments {
        ["v2", project, "instances", instance_id, "users"] => Some(match method {
            "GET" => list(ctx, req, project, instance_id),
            "POST" => create(ctx, req, project, instance_id),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", project, "instances", instance_id, "users", user] => Some(match method {
            "GET" => show(ctx, project, instance_id, user),
            "PUT" => update(ctx, req, project, instance_id, user),
            "DELETE" => delete(ctx, project, instance_id, user),
            _ => Err(DmsError::bad_method()),
        }),
        [
            "v2",
            project,
            "instances",
            instance_id,
            "topics",
            topic,
            "accesspolicy",
        ] => Some(match method {
            "GET" => policies(ctx, req, project, instance_id, Target::Topic(topic)),
            _ => Err(DmsError::bad_method()),
        }),
        [
            "v2",
            engine,
            project,
            "instances",
            instance_id,
            "groups",
            group,
            "accesspolicy",
        ]
        | [
            "v2",
            project,
            engine,
            "instances",
            instance_id,
            "groups",
            group,
            "accesspolicy",
        ] if is_engine(engine) => Some(match method {
            "GET" => policies(ctx, req, project, instance_id, Target::Group(group)),
            _ => Err(DmsError::bad_method()),
        }),
        _ => None,
    }
}

/// A user as responses show it: the secret masked.
fn view(user: &Value) -> Value {
    let mut shown = names::public(user);
    shown["secret_key"] = json!(MASK);
    shown
}

/// The user `name`: `DMS.00400015` for a name that breaks the rule, 404 `DMS.10240406`
/// when there is no such user.
fn load(ctx: &Ctx<'_>, instance_id: &str, name: &str) -> Result<Value, DmsError> {
    names::check_access_key(name)?;
    ctx.docs
        .get(USER, instance_id, name)?
        .ok_or_else(|| DmsError::of("DMS.10240406").detail(format!("No ACL user `{name}`.")))
}

/// A `topic_perms`/`group_perms` list: objects with a valid resource name and permission,
/// each name once.
fn perm_list(
    body: &Map<String, Value>,
    field: &str,
    check_name: fn(&str) -> Result<(), DmsError>,
    check_perm: fn(&str, &str) -> Result<String, DmsError>,
) -> Result<Option<Value>, DmsError> {
    let Some(entries) = array(body.get(field), field)? else {
        return Ok(None);
    };
    let mut out: Vec<Value> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("{field}[{index}]");
        let entry = object(Some(entry), &at)?.cloned().unwrap_or_default();
        let name = string(entry.get("name"), &format!("{at}.name"))?
            .ok_or_else(|| DmsError::bad_body(format!("`{at}.name` is required.")))?;
        check_name(name)?;
        if out.iter().any(|e| e["name"] == name) {
            return Err(DmsError::bad_body(format!(
                "`{name}` appears twice in `{field}`."
            )));
        }
        let perm = string(entry.get("perm"), &format!("{at}.perm"))?
            .ok_or_else(|| DmsError::bad_body(format!("`{at}.perm` is required.")))?;
        out.push(json!({"name": name, "perm": check_perm(perm, &format!("{at}.perm"))?}));
    }
    Ok(Some(Value::Array(out)))
}

/// Writes the optional fields of a create/modify body into `user`.
fn apply_fields(body: &Map<String, Value>, user: &mut Value) -> Result<(), DmsError> {
    if let Some(address) = string(body.get("white_remote_address"), "white_remote_address")? {
        user["white_remote_address"] = json!(address.trim());
    }
    if let Some(admin) = boolean(body.get("admin"), "admin")? {
        user["admin"] = json!(admin);
    }
    if let Some(perm) = string(body.get("default_topic_perm"), "default_topic_perm")? {
        user["default_topic_perm"] = json!(names::topic_perm(perm, "default_topic_perm")?);
    }
    if let Some(perm) = string(body.get("default_group_perm"), "default_group_perm")? {
        user["default_group_perm"] = json!(names::group_perm(perm, "default_group_perm")?);
    }
    if let Some(perms) = perm_list(
        body,
        "topic_perms",
        names::check_topic_name,
        names::topic_perm,
    )? {
        user["topic_perms"] = perms;
    }
    if let Some(perms) = perm_list(
        body,
        "group_perms",
        names::check_group_name,
        names::group_perm,
    )? {
        user["group_perms"] = perms;
    }
    Ok(())
}

/// §5.5.1 `POST …/users`: `access_key` and `secret_key` are required; the rest defaults to no
/// whitelist, not admin, `DENY` by default and no explicit permissions. Answers the user.
fn create(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let body = req.json()?;
    let access_key = string(body.get("access_key"), "access_key")?
        .ok_or_else(|| DmsError::bad_body("`access_key` (the user name) is required."))?;
    names::check_access_key(access_key)?;
    let secret_key = string(body.get("secret_key"), "secret_key")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| DmsError::bad_body("`secret_key` is required to create a user."))?;
    names::check_secret_key(secret_key, access_key)?;
    let mut user = json!({
        "access_key": access_key,
        "secret_key": secret_key,
        "white_remote_address": "",
        "admin": false,
        "default_topic_perm": "DENY",
        "default_group_perm": "DENY",
        "topic_perms": [],
        "group_perms": [],
    });
    apply_fields(&body, &mut user)?;
    if ctx.docs.exists(USER, instance_id, access_key)? {
        return Err(DmsError::of("DMS.00400800")
            .detail(format!("An ACL user named `{access_key}` already exists.")));
    }
    ctx.docs.put(USER, instance_id, access_key, &user)?;
    Ok(Resp::ok(view(&user)))
}

/// §5.5.2 `GET …/users`: `{"users": [...], "total": n}`.
fn list(ctx: &mut Ctx<'_>, req: &Req, project: &str, instance_id: &str) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let page = ctx.docs.page(USER, instance_id, "", offset, limit)?;
    let users: Vec<Value> = page.items.iter().map(|(_, user)| view(user)).collect();
    Ok(Resp::ok(json!({"users": users, "total": page.total})))
}

/// §5.5.4 `GET …/users/{user_name}` (a stray `offset`/`limit`, as in the API reference's example, is
/// ignored).
fn show(ctx: &mut Ctx<'_>, project: &str, instance_id: &str, user: &str) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    Ok(Resp::ok(view(&load(ctx, instance_id, user)?)))
}

/// §5.5.3 `PUT …/users/{user_name}`: present fields replace the stored ones (permission lists
/// as a whole); an empty or absent `secret_key` keeps the secret; a body `access_key` must be
/// the path's user. Answers the user.
fn update(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    name: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let mut user = load(ctx, instance_id, name)?;
    let body = req.json()?;
    if let Some(access_key) = string(body.get("access_key"), "access_key")?
        && access_key != name
    {
        return Err(DmsError::bad_body(format!(
            "The body names user `{access_key}` but the URL names `{name}`; a user cannot be renamed."
        )));
    }
    if let Some(secret) = string(body.get("secret_key"), "secret_key")?.filter(|s| !s.is_empty()) {
        names::check_secret_key(secret, name)?;
        user["secret_key"] = json!(secret);
    }
    apply_fields(&body, &mut user)?;
    ctx.docs.put(USER, instance_id, name, &user)?;
    Ok(Resp::ok(view(&user)))
}

/// §5.5.5 `DELETE …/users/{user_name}`: 200 `{"message": "success"}`.
fn delete(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    name: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    load(ctx, instance_id, name)?;
    ctx.docs.delete(USER, instance_id, name)?;
    Ok(Resp::ok(json!({"message": "success"})))
}

/// What an access policy is asked for.
enum Target<'a> {
    Topic(&'a str),
    Group(&'a str),
}

/// §5.5.6 / §5.5.7: every user of the instance with its explicit permission on the topic or
/// group (`""` when none, i.e. the user's default applies), paged, with `total` and `name`.
fn policies(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    target: Target<'_>,
) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let (name, list_field) = match target {
        Target::Topic(topic) => {
            topics::load(ctx, instance_id, topic)?;
            (topic, "topic_perms")
        }
        Target::Group(group) => {
            groups::load(ctx, instance_id, group)?;
            (group, "group_perms")
        }
    };
    let page = ctx.docs.page(USER, instance_id, "", offset, limit)?;
    let policies: Vec<Value> = page
        .items
        .iter()
        .map(|(_, user)| {
            let perm = user[list_field]
                .as_array()
                .and_then(|entries| entries.iter().find(|e| e["name"] == name))
                .map_or(json!(""), |entry| entry["perm"].clone());
            json!({
                "access_key": user["access_key"],
                "white_remote_address": user["white_remote_address"],
                "admin": user["admin"],
                "perm": perm,
            })
        })
        .collect();
    Ok(Resp::ok(json!({
        "policies": policies,
        "total": page.total,
        "name": name,
    })))
}

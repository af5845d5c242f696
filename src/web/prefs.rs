//! The reader's preferences: language, time zone and theme, kept in cookies (not in the
//! session, so they survive sign-out and apply on the sign-in page too).
//!
//! Language: the reader's choice, else `Accept-Language`, else English. Zone: UTC when
//! chosen, else the browser's zone (which `static/app.js` reports in a cookie), else UTC.
//! Theme: light, dark or the system's. [`Ui`] is what a request gets; `POST /preferences`
//! changes them and goes back to the page it came from.

use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::i18n::Lang;
use super::peer::Exposure;
use super::time::Zone;

/// The cookie holding the chosen language.
pub const LANG_COOKIE: &str = "dms-console-lang";
/// The cookie holding the chosen theme.
pub const THEME_COOKIE: &str = "dms-console-theme";
/// The cookie holding the zone preference (`browser` or `UTC`).
pub const ZONE_COOKIE: &str = "dms-console-tz";
/// The cookie in which the browser reports its IANA zone (written by `static/app.js`).
pub const BROWSER_ZONE_COOKIE: &str = "dms-console-browser-tz";

/// Light, dark, or whatever the system prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// Every theme, in the order the switcher lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The cookie and `data-theme` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Whether times follow the browser or UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZoneChoice {
    /// The browser's zone.
    #[default]
    Browser,
    /// UTC.
    Utc,
}

impl ZoneChoice {
    /// The cookie value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Utc => "UTC",
        }
    }
}

/// The reader's language, zone and theme for one request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ui {
    /// The language.
    pub lang: Lang,
    /// The zone times are shown in.
    pub zone: Zone,
    /// The zone preference.
    pub zone_choice: ZoneChoice,
    /// The theme.
    pub theme: Theme,
}

impl Ui {
    /// The preferences of `request`.
    pub fn of(request: &HttpRequest) -> Self {
        let cookie = |name: &str| request.cookie(name).map(|c| c.value().to_owned());
        let lang = cookie(LANG_COOKIE)
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_else(|| {
                Lang::negotiate(
                    request
                        .headers()
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default(),
                )
            });
        let zone_choice = match cookie(ZONE_COOKIE).as_deref() {
            Some("UTC") => ZoneChoice::Utc,
            _ => ZoneChoice::Browser,
        };
        let zone = match zone_choice {
            ZoneChoice::Utc => Zone::utc(),
            ZoneChoice::Browser => cookie(BROWSER_ZONE_COOKIE)
                .and_then(|name| Zone::named(&name))
                .unwrap_or_default(),
        };
        let theme = cookie(THEME_COOKIE)
            .and_then(|t| Theme::parse(&t))
            .unwrap_or_default();
        Self {
            lang,
            zone,
            zone_choice,
            theme,
        }
    }
}

impl FromRequest for Ui {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;
    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

/// The preferences form: any field left out stays as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreferencesForm {
    lang: String,
    theme: String,
    tz: String,
    back: String,
}

/// Where to go back to: a path on this console, never another site.
fn local_path(back: &str) -> &str {
    let is_local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.contains(['\r', '\n']);
    if is_local { back } else { "/" }
}

/// `POST /preferences`: stores the choices in cookies for a year and goes back.
pub async fn update_preferences(
    request: HttpRequest,
    form: web::Form<PreferencesForm>,
) -> HttpResponse {
    let secure = Exposure::of(&request).behind_tls_proxy;
    let form = form.into_inner();
    let mut response = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_path(&form.back).to_owned()))
        .finish();
    let mut set = |name: &'static str, value: &str| {
        let cookie = Cookie::build(name, value.to_owned())
            .path("/")
            .secure(secure)
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        let _ = response.add_cookie(&cookie);
    };
    if let Some(lang) = Lang::from_tag(&form.lang) {
        set(LANG_COOKIE, lang.tag());
    }
    if let Some(theme) = Theme::parse(&form.theme) {
        set(THEME_COOKIE, theme.as_str());
    }
    match form.tz.as_str() {
        "UTC" => set(ZONE_COOKIE, "UTC"),
        "browser" => set(ZONE_COOKIE, "browser"),
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser() {
        let request = TestRequest::default()
            .insert_header((header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9"))
            .to_http_request();
        assert_eq!(Ui::of(&request).lang, Lang::ZhCn);
        let request = TestRequest::default()
            .insert_header((header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9"))
            .cookie(Cookie::new(LANG_COOKIE, "en"))
            .to_http_request();
        assert_eq!(Ui::of(&request).lang, Lang::En);
        assert_eq!(
            Ui::of(&TestRequest::default().to_http_request()).lang,
            Lang::En
        );
    }

    #[test]
    fn the_zone_is_the_browsers_unless_utc_is_chosen() {
        let browser = Cookie::new(BROWSER_ZONE_COOKIE, "Asia/Shanghai");
        let request = TestRequest::default()
            .cookie(browser.clone())
            .to_http_request();
        assert_eq!(Ui::of(&request).zone.name(), "Asia/Shanghai");
        let request = TestRequest::default()
            .cookie(browser)
            .cookie(Cookie::new(ZONE_COOKIE, "UTC"))
            .to_http_request();
        assert!(Ui::of(&request).zone.is_utc());
        let request = TestRequest::default()
            .cookie(Cookie::new(BROWSER_ZONE_COOKIE, "<script>"))
            .to_http_request();
        assert!(Ui::of(&request).zone.is_utc());
    }

    #[test]
    fn going_back_never_leaves_the_console() {
        assert_eq!(local_path("/instances?x=1"), "/instances?x=1");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path(""), "/");
    }
}

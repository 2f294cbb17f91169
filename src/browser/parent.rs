//! The parent window as the browser sees it: which allowed host framed the storefront, posting
//! a message to that exact origin (never `*`), and closing a storefront opened as its own tab.
//! What is posted is signed on the server ([`crate::contract::messaging`]).

/// Where the storefront is shown, as far as messaging is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Framed by an allowed host origin: messages go there.
    Host(String),
    /// Framed, but by an origin not on the list (or one the browser does not tell us).
    UnknownHost,
    /// Opened as a top-level window, e.g. in a new tab.
    TopLevel,
}

/// The origin that framed us: `location.ancestorOrigins` where the browser has it (Chromium,
/// Safari), else the referrer's origin; accepted only when it is on the allowed list.
pub fn detect_frame(allowed: &[String]) -> Frame {
    let Some(window) = web_sys::window() else { return Frame::TopLevel };
    let framed = match (window.parent(), window.top()) {
        (Ok(Some(parent)), _) => !js_sys::Object::is(&parent, &window),
        _ => false,
    };
    if !framed {
        return Frame::TopLevel;
    }
    // `ancestorOrigins` is missing from web-sys' bindings (Firefox lacks it): read it by name.
    let from_ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| wasm_bindgen::JsCast::dyn_into::<web_sys::DomStringList>(list).ok())
        .and_then(|list| list.item(0));
    let candidate = from_ancestors.or_else(|| {
        let referrer = window.document()?.referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    });
    match candidate {
        Some(origin) if allowed.iter().any(|a| a == &origin) => Frame::Host(origin),
        _ => Frame::UnknownHost,
    }
}

/// Posts `message` to the parent window, addressed to `origin` only.
pub fn post_to_parent(origin: &str, message: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    match window.parent() {
        Ok(Some(parent)) => parent.post_message(&message.into(), origin).is_ok(),
        _ => false,
    }
}

/// Closes the window when the storefront was opened as its own tab (browsers allow it only
/// for windows a script opened; the caller tells the user otherwise).
pub fn close_tab() {
    if let Some(window) = web_sys::window() {
        let _ = window.close();
    }
}

//! Saving a file from the page: a script, a diagram.

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;

/// Offers `text` (of type `mime`) as a download named `name`: a Blob behind an object URL, clicked through a
/// temporary link. Nothing leaves the page.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let fail = |_| "the browser refused to create the file".to_string();
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        a.click();
        a.remove();
    }
    // The download has started by the time this fires; then the Blob can go.
    Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

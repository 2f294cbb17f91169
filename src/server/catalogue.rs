//! Loads and checks the provider's catalogue file at start. Any mistake stops the server
//! with the file, line and field named, so a typo never reaches a customer.

use crate::contract::catalogue::{Catalogue, Localized};
use std::collections::HashSet;
use std::path::Path;

/// Reads `path`; `public` is the folder product images must exist in.
pub fn load(path: &Path, public: &Path) -> Result<Catalogue, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("catalogue {}: cannot read: {e}", path.display()))?;
    parse(&text, &path.display().to_string(), public)
}

pub fn parse(text: &str, file: &str, public: &Path) -> Result<Catalogue, String> {
    let catalogue: Catalogue = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        format!("catalogue {file} line {line}: {}", e.message())
    })?;
    let mut ids = HashSet::new();
    let check = |id: &str, field: &str, ok: bool, what: &str| -> Result<(), String> {
        if ok {
            return Ok(());
        }
        let line = line_defining(text, "id", id);
        Err(format!("catalogue {file} line {line}: `{id}`: field `{field}` {what}"))
    };
    for p in &catalogue.products {
        check(&p.id, "id", !p.id.trim().is_empty() && ids.insert(p.id.clone()), "must be unique and not empty")?;
        check(&p.id, "price_cents", p.price_cents > 0, "must be a positive whole number of cents")?;
        check(&p.id, "name", complete(&p.name), "needs both `de` and `en`")?;
        check(&p.id, "description", complete(&p.description), "needs both `de` and `en`")?;
        check(&p.id, "image", image_ok(public, &p.image), "must name a file below public/")?;
        let template_ok = p.oneflow_template.as_deref().is_none_or(|t| !t.trim().is_empty());
        check(&p.id, "oneflow_template", template_ok, "must name a Oneflow template when present")?;
    }
    for s in &catalogue.subscriptions {
        check(&s.id, "id", !s.id.trim().is_empty() && ids.insert(s.id.clone()), "must be unique and not empty")?;
        check(&s.id, "monthly_cents", s.monthly_cents > 0, "must be a positive whole number of cents")?;
        check(&s.id, "duration_months", s.duration_months > 0, "must be at least 1")?;
        check(&s.id, "circles", s.circles.len() <= 1, "may name at most one circle for a subscription")?;
        for (field, text) in [
            ("name", &s.name),
            ("description", &s.description),
            ("notice_period", &s.notice_period),
            ("automatic_renewal", &s.automatic_renewal),
        ] {
            check(&s.id, field, complete(text), "needs both `de` and `en`")?;
        }
        check(&s.id, "image", image_ok(public, &s.image), "must name a file below public/")?;
    }
    if catalogue.products.is_empty() && catalogue.subscriptions.is_empty() {
        return Err(format!("catalogue {file}: has no [[product]] and no [[subscription]]"));
    }
    Ok(catalogue)
}

fn complete(text: &Localized) -> bool {
    !text.de.trim().is_empty() && !text.en.trim().is_empty()
}

fn image_ok(public: &Path, image: &str) -> bool {
    !image.contains("..") && !image.starts_with('/') && public.join(image).is_file()
}

/// The 1-based line of byte `offset` in `text`, for parse errors.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line that says `key = "value"`, for checks made after parsing (0 when not found).
pub fn line_defining(text: &str, key: &str, value: &str) -> usize {
    let needle = format!("\"{value}\"");
    text.lines().position(|l| l.trim_start().starts_with(key) && l.contains(&needle)).map(|i| i + 1).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("public")
    }

    #[test]
    fn the_shipped_catalogue_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let c = load(&root.join("catalogue.toml"), &public()).unwrap();
        assert!(c.products.len() >= 3 && !c.subscriptions.is_empty());
    }

    #[test]
    fn a_malformed_catalogue_names_file_line_and_field() {
        let text = "[[product]]\nid = \"a\"\nname = { de = \"A\", en = \"A\" }\ndescription = { de = \"d\", en = \"d\" }\nimage = \"favicon.svg\"\nprice_cents = 5.5\n";
        let err = parse(text, "shop.toml", &public()).unwrap_err();
        assert!(err.starts_with("catalogue shop.toml line 6:"), "{err}");
        let missing = text.replace("price_cents = 5.5\n", "");
        let err = parse(&missing, "shop.toml", &public()).unwrap_err();
        assert!(err.contains("price_cents"), "{err}");
        let negative = text.replace("5.5", "-1");
        let err = parse(&negative, "shop.toml", &public()).unwrap_err();
        assert_eq!(
            err,
            "catalogue shop.toml line 2: `a`: field `price_cents` must be a positive whole number of cents"
        );
        let no_image = text.replace("5.5", "100").replace("favicon.svg", "nope.png");
        assert!(parse(&no_image, "shop.toml", &public()).unwrap_err().contains("field `image`"));
    }
}

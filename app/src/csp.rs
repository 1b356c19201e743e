//! The Content-Security-Policy of SonoHub's pages: scripts from this site only (the bundle,
//! and the inline hydration and streaming scripts that carry the render's nonce), WebAssembly
//! allowed to compile, nothing from other sites, and no framing.

/// The policy of a page; `nonce` is the one its inline scripts carry (`None`: no inline
/// script runs).
pub fn page_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    // Inline style attributes carry the viewer's pan and zoom and the charts' bars; they
    // cannot run code.
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_run_only_their_own_scripts() {
        let p = page_policy(Some("abc"));
        let scripts = p
            .split("script-src")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        assert_eq!(scripts.trim(), "'self' 'nonce-abc' 'wasm-unsafe-eval'");
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert!(p.contains("object-src 'none'"), "{p}");
        assert!(!page_policy(None).contains("nonce"));
    }
}

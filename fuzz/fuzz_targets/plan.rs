//! Arbitrary bytes as a plan, in YAML and in TOML: load → check → render must never
//! panic or hang, and whatever renders must be deterministic YAML. The same bytes as an
//! output folder's manifest must never name a path outside the folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshgen::{CompileError, Format, Options, Source};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(manifest) = meshgen::write::Manifest::parse(&String::from_utf8_lossy(bytes)) {
        for path in manifest.paths() {
            assert!(meshgen::tree::is_plain_relative_path(path), "{path:?}");
        }
    }
    for format in [Format::Yaml, Format::Toml] {
        let source = Source::from_bytes("fuzz", bytes.to_vec(), format);
        match meshgen::compile(&source, &Options::default()) {
            Ok((tree, _warnings)) => {
                // Deterministic, and every rendered document parses.
                let again = meshgen::compile(&source, &Options::default());
                assert!(
                    matches!(again, Ok((ref t, _)) if *t == tree),
                    "second render differs"
                );
                let stream = tree.to_yaml_stream(meshgen::layout::is_applied_object);
                if let Err(e) = serde_saphyr::from_multiple::<serde_json::Value>(&stream) {
                    panic!("--stdout stream does not parse: {e}");
                }
            }
            Err(CompileError::Plan(diagnostics)) => {
                assert!(diagnostics.has_errors(), "a refused plan names no error");
                // The report itself must not panic on any input.
                let _ = diagnostics.to_text(&source, false);
            }
            Err(CompileError::Internal(message) | CompileError::Usage(message)) => {
                panic!("internal error: {message}")
            }
        }
    }
});

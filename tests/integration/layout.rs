//! The test suite is one crate: every test file is a module of `main.rs`, so each is
//! compiled and run, and none is linked as a binary of its own.

use std::path::Path;

#[test]
fn every_test_file_is_a_module_of_this_crate() {
    let main = std::fs::read_to_string("tests/integration/main.rs").unwrap();
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new("tests").max_depth(2) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let Some(folder) = path.parent() else {
            continue;
        };
        let name = path.file_stem().unwrap().to_string_lossy();
        let own_binary = folder == Path::new("tests")
            || (name == "main" && folder != Path::new("tests/integration"));
        if own_binary {
            problems.push(format!(
                "{}: a test binary of its own; move it with `git mv {} tests/integration/` and add `mod {name};` to tests/integration/main.rs",
                path.display(),
                path.display()
            ));
        } else if folder == Path::new("tests/integration")
            && name != "main"
            && !main.lines().any(|l| l == format!("mod {name};"))
        {
            problems.push(format!(
                "{}: not compiled; add `mod {name};` to tests/integration/main.rs",
                path.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

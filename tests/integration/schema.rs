//! The committed JSON Schema is what `meshgen schema` prints, every golden plan validates
//! against it, it rejects unknown fields, and it documents every field.
//! Bless the committed schema with `TRYCMD=overwrite cargo test --all-targets`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::snapshots::assert_file;

const SCHEMA: &str = "schemas/mesh-plan.schema.json";

fn committed() -> Value {
    serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&committed()).expect("the committed schema compiles")
}

/// A plan file as the JSON value the schema judges.
fn plan_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap()
        }
        _ => serde_saphyr::from_str::<Value>(&text).unwrap(),
    }
}

fn errors(value: &Value) -> Vec<String> {
    validator()
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_what_meshgen_schema_prints() {
    let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .arg("schema")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_file(SCHEMA, &printed);
}

#[test]
fn every_golden_plan_validates() {
    let mut plans: Vec<PathBuf> = std::fs::read_dir("golden")
        .unwrap()
        .flat_map(|case| {
            let dir = case.unwrap().path();
            ["plan.yaml", "plan.toml"].map(|name| dir.join(name))
        })
        .filter(|p| p.exists())
        .collect();
    plans.sort();
    assert!(plans.len() >= 2, "no golden plans");
    for plan in plans {
        let found = errors(&plan_value(&plan));
        assert!(
            found.is_empty(),
            "{}:\n{}",
            plan.display(),
            found.join("\n")
        );
    }
}

#[test]
fn unknown_fields_are_rejected_everywhere() {
    let demo = plan_value(Path::new("golden/demo/plan.yaml"));
    let places: [&[&str]; 6] = [
        &[],
        &["mesh"],
        &["clusters", "0"],
        &["clusters", "0", "nodes", "0"],
        &["clusters", "0", "loadBalancerIPs"],
        &["demo", "helloworld"],
    ];
    for place in places {
        let mut plan = demo.clone();
        let mut target = &mut plan;
        for key in place {
            target = match key.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*key],
            };
        }
        target
            .as_object_mut()
            .unwrap()
            .insert("verison".into(), Value::from("1.15.3"));
        let found = errors(&plan);
        assert!(
            found.iter().any(|e| e.contains("verison")),
            "an unknown field under /{} passed: {found:?}",
            place.join("/")
        );
    }
    // Wrong types too: an unquoted Kubernetes version is a number, not a string.
    let mut plan = demo.clone();
    plan["clusters"][0]["kubernetesVersion"] = Value::from(1.25);
    assert!(!errors(&plan).is_empty());
}

#[test]
fn every_field_is_documented_and_every_object_closed() {
    let schema = committed();
    let mut objects = vec![("(root)".to_owned(), &schema)];
    objects.extend(
        schema["$defs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v)),
    );
    let mut fields = 0;
    for (name, def) in objects {
        let Some(properties) = def.get("properties").and_then(Value::as_object) else {
            continue;
        };
        assert_eq!(
            def.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{name} accepts unknown fields"
        );
        for (field, spec) in properties {
            let description = spec
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            assert!(
                !description.trim().is_empty(),
                "{name}.{field} has no description"
            );
            fields += 1;
        }
    }
    assert!(fields > 30, "only {fields} fields found");
}

// ---------------------------------------------------------------------------------------
// The real editors: yaml-language-server (VS Code's YAML extension, Neovim, Helix) driven
// over stdio, and taplo for TOML. `.ci/run` installs both from npm into `.ci/node`; point
// MESHGEN_YAML_LANGUAGE_SERVER or MESHGEN_TAPLO elsewhere. A missing tool skips its tests
// with a message on stderr.

/// An npm tool from `.ci/node` (or the environment variable), if it is installed.
fn npm_tool(variable: &str, name: &str) -> Option<PathBuf> {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(".ci/node/node_modules/.bin").join(name));
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {name} is not installed (.ci/run installs it with npm; or set {variable})"
        );
        None
    }
}

/// A minimal LSP client for one yaml-language-server over stdio.
struct Lsp {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    messages: std::sync::mpsc::Receiver<Value>,
    next_id: u64,
    /// publishDiagnostics notifications seen so far, by document URI.
    published: std::collections::HashMap<String, Vec<Value>>,
}

const LSP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl Lsp {
    fn start(server: &Path, root: &Path) -> Lsp {
        use std::io::{BufRead, Read};
        let mut child = Command::new(server)
            .arg("--stdio")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length:") {
                        length = n.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if stdout.read_exact(&mut body).is_err() {
                    return;
                }
                if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            messages,
            next_id: 0,
            published: Default::default(),
        };
        let root_uri = uri(root);
        lsp.request(
            "initialize",
            serde_json::json!({
                "processId": std::process::id(),
                "rootUri": root_uri,
                "capabilities": {
                    "workspace": {"configuration": true},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": true}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {}
                    }
                }
            }),
        );
        lsp.notify("initialized", serde_json::json!({}));
        lsp.notify(
            "workspace/didChangeConfiguration",
            serde_json::json!({"settings": {"yaml": Lsp::settings()}}),
        );
        lsp
    }

    /// The editor's settings: validation, completion and hover on, nothing from the network.
    fn settings() -> Value {
        serde_json::json!({
            "validate": true, "completion": true, "hover": true,
            "schemaStore": {"enable": false}
        })
    }

    fn send(&mut self, message: &Value) {
        use std::io::Write;
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message; the server's own requests are answered and its diagnostics kept.
    fn next(&mut self) -> Value {
        let message = self
            .messages
            .recv_timeout(LSP_TIMEOUT)
            .expect("yaml-language-server answers in time");
        match (
            message.get("method").and_then(Value::as_str),
            message.get("id"),
        ) {
            (Some("workspace/configuration"), Some(id)) => {
                let items = message["params"]["items"].as_array().map_or(1, Vec::len);
                let result = vec![Lsp::settings(); items];
                let reply = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result});
                self.send(&reply);
            }
            (Some(_), Some(id)) => {
                let reply = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": null});
                self.send(&reply);
            }
            (Some("textDocument/publishDiagnostics"), None) => {
                let uri = message["params"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                self.published
                    .entry(uri)
                    .or_default()
                    .push(message["params"].clone());
            }
            _ => {}
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(
            &serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        loop {
            let message = self.next();
            if message.get("method").is_none()
                && message.get("id").and_then(Value::as_u64) == Some(id)
            {
                return message["result"].clone();
            }
        }
    }

    /// Open `path` (whose text is `text`) and return the diagnostics the server publishes.
    fn open(&mut self, path: &Path, text: &str) -> Vec<Value> {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            serde_json::json!({"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1, "text": text
            }}),
        );
        // Ask for something, so that the server has read the document; then wait for its
        // diagnostics.
        let _ = self.hover(path, 0, 0);
        let deadline = std::time::Instant::now() + LSP_TIMEOUT;
        while !self.published.contains_key(&uri) {
            assert!(
                std::time::Instant::now() < deadline,
                "no diagnostics for {uri}"
            );
            let message = self.next();
            drop(message);
        }
        self.published[&uri].last().unwrap()["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn close(&mut self, path: &Path) {
        self.notify(
            "textDocument/didClose",
            serde_json::json!({"textDocument": {"uri": uri(path)}}),
        );
    }

    /// Completion items at 0-based (line, character).
    fn complete(&mut self, path: &Path, line: usize, character: usize) -> Vec<Value> {
        let result = self.request(
            "textDocument/completion",
            serde_json::json!({
                "textDocument": {"uri": uri(path)},
                "position": {"line": line, "character": character}
            }),
        );
        match result {
            Value::Array(items) => items,
            other => other["items"].as_array().cloned().unwrap_or_default(),
        }
    }

    fn hover(&mut self, path: &Path, line: usize, character: usize) -> Value {
        self.request(
            "textDocument/hover",
            serde_json::json!({
                "textDocument": {"uri": uri(path)},
                "position": {"line": line, "character": character}
            }),
        )
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// A folder where `meshgen init` wrote `mesh.yaml` (with its modeline) and the schema.
fn initialised() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .args(["init", "mesh.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// (1-based line, message) of each problem `meshgen validate` reports for `plan`.
fn validate_lines(plan: &Path) -> Vec<(u64, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .args(["validate", "--format", "json"])
        .arg(plan)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_owned(),
                d["hint"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_editor_finds_nothing_wrong_with_the_plan_init_wrote() {
    let Some(server) = npm_tool("MESHGEN_YAML_LANGUAGE_SERVER", "yaml-language-server") else {
        return;
    };
    let dir = initialised();
    let plan = dir.path().join("mesh.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    let mut lsp = Lsp::start(&server, dir.path());
    assert_eq!(lsp.open(&plan, &text), Vec::<Value>::new());
    // The modeline found the schema: hovering a field shows the field's own Markdown.
    let line = text
        .lines()
        .position(|l| l.starts_with("  networkMode:"))
        .unwrap();
    let hover = lsp.hover(&plan, line, 4);
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        shown.contains("`single`: all pod networks reach each other"),
        "{hover}"
    );
}

#[test]
fn the_editor_and_validate_report_the_same_problems() {
    let Some(server) = npm_tool("MESHGEN_YAML_LANGUAGE_SERVER", "yaml-language-server") else {
        return;
    };
    let dir = initialised();
    let demo = std::fs::read_to_string(dir.path().join("mesh.yaml")).unwrap();
    let pool = "- name: first-pool\n          addresses: [10.64.30.71-10.64.30.73]";
    let broken: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "the issue's two mistakes, and more",
            vec![
                (
                    "    podSubnet: 10.201.0.0/16",
                    "    podsubnet: 10.201.0.0/16",
                ),
                ("  networkMode: multi", "  networkMode: triple"),
                ("kubernetesVersion: \"1.25\"", "kubernetesVersion: 1.25"),
                (
                    pool,
                    "- name: first-pool\n          addresses: [10.64.30.71-10.64.30.73]\n          autoAssign: yes",
                ),
            ],
        ),
        (
            "a quoted boolean and an unquoted zone",
            vec![
                (
                    pool,
                    "- name: first-pool\n          addresses: [10.64.30.71-10.64.30.73]\n          avoidBuggyIPs: \"true\"",
                ),
                ("zone: zone2", "zone: 1.30"),
            ],
        ),
        (
            "a missing field and an unknown one deep down",
            vec![
                ("    network: network-c2\n", ""),
                (
                    "eastWest: 10.64.30.77",
                    "eastWest: 10.64.30.77\n      egress: 10.64.30.76",
                ),
            ],
        ),
        (
            "wrong kinds of value",
            vec![
                (
                    "    type: standard-k8s\n    kubernetesVersion: \"1.25\"\n    podSubnet: 10.202.0.0/16",
                    "    type: kind-of\n    kubernetesVersion: \"1.25\"\n    podSubnet: [10.202.0.0/16]",
                ),
                (
                    "      - { name: master, region: region1, zone: zone3, subzone: subzone3 }",
                    "      - { name: master, role: boss, region: region1, zone: zone3, subzone: subzone3 }",
                ),
            ],
        ),
    ];
    let mut lsp = Lsp::start(&server, dir.path());
    for (i, (what, edits)) in broken.iter().enumerate() {
        let mut text = demo.clone();
        for (from, to) in edits {
            assert!(text.contains(from), "{what}: no `{from}`");
            text = text.replacen(from, to, 1);
        }
        let plan = dir.path().join(format!("broken{i}.yaml"));
        std::fs::write(&plan, &text).unwrap();
        let ours = validate_lines(&plan);
        assert!(ours.len() >= edits.len(), "{what}: {ours:?}\n{text}");
        let mut ours_lines: Vec<u64> = ours.iter().map(|d| d.0).collect();
        ours_lines.sort();
        ours_lines.dedup();
        // The editor's lines, less its "missing X" where meshgen reports the misspelling of X.
        let mut editor_lines: Vec<u64> = lsp
            .open(&plan, &text)
            .iter()
            .filter(|d| {
                let message = d["message"].as_str().unwrap_or_default();
                !ours.iter().any(|o| {
                    message.starts_with("Missing property")
                        && o.2.starts_with("did you mean")
                        && message.contains(o.2.split('`').nth(1).unwrap_or("-"))
                })
            })
            .map(|d| d["range"]["start"]["line"].as_u64().unwrap() + 1)
            .collect();
        editor_lines.sort();
        editor_lines.dedup();
        assert_eq!(
            editor_lines, ours_lines,
            "{what}: editor vs meshgen validate {ours:?}"
        );
        lsp.close(&plan);
    }
}

#[test]
fn completion_inside_a_cluster_offers_the_missing_fields() {
    let Some(server) = npm_tool("MESHGEN_YAML_LANGUAGE_SERVER", "yaml-language-server") else {
        return;
    };
    let dir = initialised();
    let plan = dir.path().join("mesh.yaml");
    let text = "# yaml-language-server: $schema=mesh-plan.schema.json\n\
                mesh:\n  id: m\nclusters:\n  - name: c1\n    \n";
    std::fs::write(&plan, text).unwrap();
    let mut lsp = Lsp::start(&server, dir.path());
    lsp.open(&plan, text);
    let labels: Vec<String> = lsp
        .complete(&plan, 5, 4)
        .iter()
        .filter_map(|i| i["label"].as_str().map(str::to_owned))
        .collect();
    for field in [
        "type",
        "kubernetesVersion",
        "podSubnet",
        "masterIP",
        "network",
        "nodes",
    ] {
        assert!(
            labels.iter().any(|l| l == field),
            "no `{field}` in {labels:?}"
        );
    }
    assert!(
        !labels.iter().any(|l| l == "name"),
        "`name` is there already: {labels:?}"
    );
}

/// The values the schema allows for the enum field named `field`.
fn meshgen_enum(field: &str) -> Vec<String> {
    let schema = committed();
    let def = match field {
        "mode" => "MeshMode",
        "networkMode" => "NetworkMode",
        "type" => "ClusterType",
        _ => "NodeRole",
    };
    schema["$defs"][def]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `text` with a completion item's edit applied (snippet placeholders take their defaults).
fn apply(text: &str, item: &Value, at: (usize, usize)) -> String {
    let new_text = item["textEdit"]["newText"]
        .as_str()
        .or_else(|| item["insertText"].as_str())
        .or_else(|| item["label"].as_str())
        .unwrap();
    // `${1:hosted}` -> `hosted`, `$1` -> ``.
    let mut plain = String::new();
    let mut rest = new_text;
    while let Some(i) = rest.find('$') {
        plain.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap();
            plain.push_str(inner[..end].split_once(':').map_or("", |(_, d)| d));
            rest = &inner[end + 1..];
        } else {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    plain.push_str(rest);
    let (line, character) = at;
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let target = &mut lines[line];
    let cut = target
        .char_indices()
        .nth(character)
        .map_or(target.len(), |(i, _)| i);
    target.insert_str(cut, &plain);
    lines.join("\n")
}

#[test]
fn accepting_each_enum_completion_gives_a_plan_that_validates() {
    let Some(server) = npm_tool("MESHGEN_YAML_LANGUAGE_SERVER", "yaml-language-server") else {
        return;
    };
    let dir = initialised();
    let demo = std::fs::read_to_string(dir.path().join("mesh.yaml")).unwrap();
    let mut lsp = Lsp::start(&server, dir.path());
    // Each enum field: its line, removed and then typed again from completions.
    let node = "      - name: master\n        region: region1\n        zone: zone1\n";
    let fields = [
        (
            "mode",
            "  mode: hosted                        # Mspider hosted mesh: the control plane in one cluster serves all\n",
            "  \n",
            "hosted",
        ),
        (
            "networkMode",
            "  networkMode: multi                  # single | multi (multi: an east-west gateway per network)\n",
            "  \n",
            "multi",
        ),
        (
            "type",
            "    type: standard-k8s\n    kubernetesVersion: \"1.25\"\n    podSubnet: 10.201.0.0/16",
            "    \n    kubernetesVersion: \"1.25\"\n    podSubnet: 10.201.0.0/16",
            "standard-k8s",
        ),
        (
            "role",
            node,
            "      - name: master\n        \n        region: region1\n        zone: zone1\n",
            "control-plane",
        ),
    ];
    for (i, (field, line, blank, original)) in fields.iter().enumerate() {
        assert!(demo.contains(line), "{field}: the demo changed");
        let text = demo.replacen(line, blank, 1);
        let plan = dir.path().join(format!("enum{i}.yaml"));
        std::fs::write(&plan, &text).unwrap();
        lsp.open(&plan, &text);
        // The blank line's position: the first line that is only the indentation.
        let indent = blank.lines().find(|l| l.trim().is_empty()).unwrap();
        let row = text.split('\n').position(|l| l == indent).unwrap();
        let key = lsp
            .complete(&plan, row, indent.len())
            .into_iter()
            .find(|item| item["label"] == *field)
            .unwrap_or_else(|| panic!("no completion for `{field}`"));
        let mut text = apply(&text, &key, (row, indent.len()));
        // A key inserted without a value gets its value from the next completion.
        let typed = text.split('\n').nth(row).unwrap().to_owned();
        assert!(
            typed.starts_with(&format!("{indent}{field}: ")),
            "{field}: inserted {typed:?}"
        );
        lsp.close(&plan);
        let plan = dir.path().join(format!("enum{i}-typed.yaml"));
        if typed.trim_end().ends_with(':') {
            // Every value is offered; the demo's own is taken (the others are valid too,
            // but single network mode, say, changes what the checks expect).
            std::fs::write(&plan, &text).unwrap();
            lsp.open(&plan, &text);
            let offered = lsp.complete(&plan, row, typed.chars().count());
            let labels: Vec<&str> = offered.iter().filter_map(|i| i["label"].as_str()).collect();
            let values = meshgen_enum(field);
            for v in &values {
                assert!(
                    labels.contains(&v.as_str()),
                    "{field}: {v} not offered in {labels:?}"
                );
            }
            let value = offered
                .iter()
                .find(|i| i["label"] == *original)
                .unwrap_or_else(|| panic!("{field}: no `{original}` in {labels:?}"));
            text = apply(&text, value, (row, typed.chars().count()));
            lsp.close(&plan);
        }
        std::fs::write(&plan, &text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
            .arg("validate")
            .arg(&plan)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{field}: the completed plan does not validate:\n{}\n{}",
            text.split('\n').nth(row).unwrap(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn taplo_lints_the_golden_toml_plans_against_the_schema() {
    let Some(taplo) = npm_tool("MESHGEN_TAPLO", "taplo") else {
        return;
    };
    let schema = format!(
        "file://{}",
        Path::new(SCHEMA).canonicalize().unwrap().display()
    );
    let mut plans: Vec<PathBuf> = std::fs::read_dir("golden")
        .unwrap()
        .map(|case| case.unwrap().path().join("plan.toml"))
        .filter(|p| p.exists())
        .collect();
    plans.sort();
    assert!(!plans.is_empty());
    let lint = |args: &[&std::ffi::OsStr]| {
        Command::new(&taplo)
            .arg("lint")
            .args(args)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let mut args: Vec<&std::ffi::OsStr> = vec!["--schema".as_ref(), schema.as_ref()];
    args.extend(plans.iter().map(|p| p.as_os_str()));
    let out = lint(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A TOML plan from `meshgen init` names its schema itself (`#:schema`), and taplo
    // refuses what meshgen refuses.
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .args(["init", "mesh.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0));
    let plan = dir.path().join("mesh.toml");
    let out = lint(&[plan.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(
        &plan,
        text.replacen("networkMode = \"multi\"", "networkMode = \"triple\"", 1),
    )
    .unwrap();
    let out = lint(&[plan.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("triple"));
    assert_eq!(validate_lines(&plan).len(), 1);
}

/// The documented shape of `meshgen diff --format json`: `schemas/change-plan.schema.json`
/// is the schema of meshgen's own types (blessed with the others), and every change plan
/// the diff cases pin (`tests/diff/*/expected.json`) validates against the committed file.
#[test]
fn change_plans_validate_against_the_committed_schema() {
    const CHANGE_PLAN: &str = "schemas/change-plan.schema.json";
    assert_file(CHANGE_PLAN, &format!("{}\n", meshgen::diff::schema_json()));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(CHANGE_PLAN).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the committed schema compiles");
    let mut plans: Vec<PathBuf> = std::fs::read_dir("tests/diff")
        .unwrap()
        .map(|case| case.unwrap().path().join("expected.json"))
        .filter(|p| p.exists())
        .collect();
    plans.sort();
    assert!(
        plans.len() >= 10,
        "the diff cases pin their JSON change plans"
    );
    for path in plans {
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let found: Vec<String> = validator
            .iter_errors(&plan)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            found.join("\n")
        );
        assert_eq!(plan["schemaVersion"], meshgen::diff::SCHEMA_VERSION);
    }
    // The schema rejects what the shape does not have: a step without commands.
    let mut broken: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/diff/lb-ip-changed/expected.json").unwrap(),
    )
    .unwrap();
    broken["steps"][0]
        .as_object_mut()
        .unwrap()
        .remove("commands");
    assert!(!validator.is_valid(&broken));
}

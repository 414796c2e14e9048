//! `meshgen init` and `meshgen schema -o`: the starter plan and the schema beside it.

use std::io::Write;
use std::path::Path;

use meshgen::Format;

use super::super::Failure;

/// The schema as `meshgen schema` prints it.
pub fn schema_text() -> String {
    format!("{}\n", meshgen::plan::schema_json())
}

/// `meshgen schema -o FILE`: write the schema, creating the folder it goes in.
pub fn write_schema(file: &Path) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", file.display()));
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(file, schema_text()).map_err(io)
}

/// `meshgen init PATH`: the demo plan (its first line naming the schema) and the schema
/// beside it, unless that exists.
pub fn init(path: &Path) -> Result<(), Failure> {
    let Some(format) = Format::from_path(path) else {
        return Err(Failure::Io(format!(
            "cannot tell the format of {}: name the plan *.yaml, *.yml or *.toml",
            path.display()
        )));
    };
    let plan = meshgen::plan::schema::starter_plan(format);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut file = create_new(path)?;
    let schema_path = path
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(meshgen::plan::schema::SCHEMA_FILE);
    let schema = match std::fs::read_to_string(&schema_path) {
        Ok(existing) if existing == schema_text() => "is already there".to_owned(),
        Ok(_) => format!(
            "exists but differs from this meshgen's schema (kept; `meshgen schema -o {}` \
             replaces it)",
            schema_path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_new(&schema_path)?
                .write_all(schema_text().as_bytes())
                .map_err(|e| Failure::Io(format!("cannot write {}: {e}", schema_path.display())))?;
            "was written beside it".to_owned()
        }
        Err(e) => {
            return Err(Failure::Io(format!(
                "cannot read {}: {e}",
                schema_path.display()
            )));
        }
    };
    file.write_all(plan.as_bytes())
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "wrote the demo plan to {}; its schema {} {schema}, and the plan's first line points \
         editors at it; next: meshgen validate {0}",
        path.display(),
        schema_path.display()
    );
    Ok(())
}

/// A new file at `path`; an existing one is never overwritten.
fn create_new(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Failure::Io(format!("{} exists; not overwriting it", path.display()))
            }
            _ => Failure::Io(format!("cannot create {}: {e}", path.display())),
        })
}
